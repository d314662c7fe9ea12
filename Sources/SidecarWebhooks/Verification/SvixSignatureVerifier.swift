import Crypto
import Foundation
import SidecarCore

/// The Svix scheme (Resend, Clerk): `svix-id`, `svix-timestamp`, `svix-signature`.
///
/// The key is the base64 part of the `whsec_…` secret, decoded; the signed string is
/// `"<id>.<timestamp>." + body`; the signature header is a space-separated list of
/// `v1,<base64>` entries (several during rotation), any of which may match. Timestamps more
/// than `tolerance` (5 minutes by default) old or ahead are refused.
public struct SvixSignatureVerifier: WebhookSignatureVerifier {
    /// The header names; the Standard Webhooks scheme is the same with `webhook-` names.
    public struct HeaderNames: Sendable, Hashable {
        public var id: String
        public var timestamp: String
        public var signature: String

        public static let svix = HeaderNames(id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature")
        public static let standard = HeaderNames(id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature")
    }

    private let secret: SecretValue
    public let tolerance: TimeInterval
    public let names: HeaderNames

    public init(secret: SecretValue, tolerance: TimeInterval = 300, names: HeaderNames = .svix) {
        self.secret = secret
        self.tolerance = tolerance
        self.names = names
    }

    public func verify(body: [UInt8], headers: WebhookRequestHeaders, now: Date) throws(WebhookVerificationError) {
        guard let id = headers[names.id], !id.isEmpty else { throw WebhookVerificationError(.missingHeader, names.id) }
        guard let signatures = headers[names.signature] else { throw WebhookVerificationError(.missingHeader, names.signature) }
        let seconds = try SignatureChecks.checkTimestamp(headers[names.timestamp], header: names.timestamp, now: now, tolerance: tolerance)
        guard let key = secret.withRevealedValue({ SignatureChecks.whsecKey($0) }) else {
            throw WebhookVerificationError(.unusableKey, "the configured secret is not whsec_ followed by base64")
        }
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        mac.update(data: Array("\(id).\(seconds).".utf8))
        mac.update(data: body)
        let expected = Array(Data(mac.finalize()).base64EncodedString().utf8)
        var matched = false
        var sawV1 = false
        for entry in signatures.split(separator: " ") {
            guard entry.hasPrefix("v1,") else { continue }
            sawV1 = true
            matched = SignatureChecks.constantTimeEquals(expected, Array(entry.dropFirst(3).utf8)) || matched
        }
        guard sawV1 else { throw WebhookVerificationError(.malformedHeader, "\(names.signature): no v1 signature") }
        guard matched else { throw WebhookVerificationError(.signatureMismatch, "\(names.signature): no v1 signature matches") }
    }
}
