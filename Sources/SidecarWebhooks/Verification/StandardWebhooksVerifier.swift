import Foundation
import SidecarCore

/// The Standard Webhooks scheme (standardwebhooks.com) for any vendor without a scheme of its
/// own: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>…`, HMAC-SHA256 with
/// the base64 key of a `whsec_…` secret over `"<id>.<timestamp>." + body`.
public struct StandardWebhooksVerifier: WebhookSignatureVerifier {
    private let verifier: SvixSignatureVerifier

    public init(secret: SecretValue, tolerance: TimeInterval = 300) {
        verifier = SvixSignatureVerifier(secret: secret, tolerance: tolerance, names: .standard)
    }

    public func verify(body: [UInt8], headers: WebhookRequestHeaders, now: Date) throws(WebhookVerificationError) {
        try verifier.verify(body: body, headers: headers, now: now)
    }
}
