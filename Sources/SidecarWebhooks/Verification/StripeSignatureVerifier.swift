import Crypto
import Foundation
import SidecarCore

/// Stripe's `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`.
///
/// The signed string is `"<t>." + body`; the key is the endpoint secret's UTF-8 bytes, `whsec_`
/// prefix included (not base64-decoded). Every `v1` is tried (several while a rolled secret is
/// active); `v0` and any other scheme are ignored, so a request cannot downgrade. A timestamp
/// more than `tolerance` away from now, either way, is refused.
public struct StripeSignatureVerifier: WebhookSignatureVerifier {
    public static let header = "Stripe-Signature"
    private let secret: SecretValue
    public let tolerance: TimeInterval

    public init(secret: SecretValue, tolerance: TimeInterval = 300) {
        self.secret = secret
        self.tolerance = tolerance
    }

    public func verify(body: [UInt8], headers: WebhookRequestHeaders, now: Date) throws(WebhookVerificationError) {
        guard let value = headers[Self.header] else { throw WebhookVerificationError(.missingHeader, Self.header) }
        var timestamp: String?
        var candidates: [Substring] = []
        for part in value.split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingCharacters(in: .whitespaces)
            let content = part[part.index(after: equals)...]
            switch name {
            case "t": timestamp = String(content)
            case "v1": candidates.append(content)
            default: continue
            }
        }
        guard timestamp != nil else { throw WebhookVerificationError(.malformedHeader, "\(Self.header): no t= timestamp") }
        guard !candidates.isEmpty else { throw WebhookVerificationError(.malformedHeader, "\(Self.header): no v1 signature") }
        let seconds = try SignatureChecks.checkTimestamp(timestamp, header: "\(Self.header) t", now: now, tolerance: tolerance)
        let expected = secret.withRevealedValue { secret in
            var mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
            mac.update(data: Array("\(seconds).".utf8))
            mac.update(data: body)
            return Array(Self.hex(Array(mac.finalize())).utf8)
        }
        var matched = false
        for candidate in candidates {
            let bytes = Array(candidate.lowercased().utf8)
            matched = SignatureChecks.constantTimeEquals(expected, bytes) || matched
        }
        guard matched else { throw WebhookVerificationError(.signatureMismatch, "\(Self.header): no v1 signature matches") }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
