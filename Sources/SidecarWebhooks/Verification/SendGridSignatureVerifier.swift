import Crypto
import Foundation
import SidecarCore

/// SendGrid's signed Event Webhook: ECDSA P-256 with SHA-256 over `timestamp + body` (no
/// separator). `X-Twilio-Email-Event-Webhook-Signature` is the base64 of a DER signature; the
/// public key is base64 DER SubjectPublicKeyInfo as the dashboard shows it. SendGrid documents
/// no tolerance; `tolerance` (300 s by default) is a local policy, applied both ways.
public struct SendGridSignatureVerifier: WebhookSignatureVerifier {
    public static let signatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
    public static let timestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"
    private let publicKey: SecretValue
    public let tolerance: TimeInterval

    public init(publicKey: SecretValue, tolerance: TimeInterval = 300) {
        self.publicKey = publicKey
        self.tolerance = tolerance
    }

    /// Whether `publicKey` parses as a P-256 key (checked when the configuration loads).
    public static func isUsableKey(_ publicKey: SecretValue) -> Bool {
        (try? key(publicKey)) != nil
    }

    static func key(_ publicKey: SecretValue) throws(WebhookVerificationError) -> P256.Signing.PublicKey {
        let parsed = publicKey.withRevealedValue { text -> P256.Signing.PublicKey? in
            let compact = text.filter { !$0.isWhitespace }
            guard let der = Data(base64Encoded: compact) else { return nil }
            return try? P256.Signing.PublicKey(derRepresentation: der)
        }
        guard let parsed else { throw WebhookVerificationError(.unusableKey, "the configured public_key is not a base64 DER P-256 key") }
        return parsed
    }

    public func verify(body: [UInt8], headers: WebhookRequestHeaders, now: Date) throws(WebhookVerificationError) {
        guard let signatureText = headers[Self.signatureHeader] else { throw WebhookVerificationError(.missingHeader, Self.signatureHeader) }
        guard let timestamp = headers[Self.timestampHeader] else { throw WebhookVerificationError(.missingHeader, Self.timestampHeader) }
        _ = try SignatureChecks.checkTimestamp(timestamp, header: Self.timestampHeader, now: now, tolerance: tolerance)
        guard let der = Data(base64Encoded: signatureText.trimmingCharacters(in: .whitespaces)),
              let signature = try? P256.Signing.ECDSASignature(derRepresentation: der) else {
            throw WebhookVerificationError(.malformedHeader, "\(Self.signatureHeader): not a base64 DER ECDSA signature")
        }
        let key = try Self.key(publicKey)
        var signed = Data(timestamp.utf8)
        signed.append(contentsOf: body)
        guard key.isValidSignature(signature, for: signed) else {
            throw WebhookVerificationError(.signatureMismatch, "\(Self.signatureHeader): the signature does not match")
        }
    }
}
