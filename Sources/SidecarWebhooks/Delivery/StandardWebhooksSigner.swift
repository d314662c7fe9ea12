import Crypto
import Foundation
import SidecarCore

/// Signs deliveries to the application with the Standard Webhooks scheme, so that any of its
/// libraries (`standardwebhooks` in Python, …) verifies them: `webhook-id`, `webhook-timestamp`
/// (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the
/// key being the base64 part of the `whsec_…` signing secret.
public struct StandardWebhooksSigner: Sendable {
    private let key: SymmetricKey

    /// Fails when `secret` is not `whsec_` followed by base64 (optionally without the prefix).
    public init?(secret: SecretValue) {
        guard let key = secret.withRevealedValue({ SignatureChecks.whsecKey($0) }) else { return nil }
        self.key = SymmetricKey(data: key)
    }

    /// The three headers for one delivery of `body`.
    public func headers(id: String, timestamp: Date, body: [UInt8]) -> [(String, String)] {
        let seconds = Int(timestamp.timeIntervalSince1970)
        return [("webhook-id", id), ("webhook-timestamp", String(seconds)), ("webhook-signature", signature(id: id, seconds: seconds, body: body))]
    }

    /// `v1,<base64>` for one message.
    public func signature(id: String, seconds: Int, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Array("\(id).\(seconds).".utf8))
        mac.update(data: body)
        return "v1," + Data(mac.finalize()).base64EncodedString()
    }
}
