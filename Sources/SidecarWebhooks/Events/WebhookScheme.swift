import SidecarCore

/// How a source's webhooks are signed and shaped (`webhooks.sources.<name>.scheme`).
public enum WebhookScheme: String, Sendable, Hashable, CaseIterable {
    /// Stripe: `Stripe-Signature`, event envelope with `id` and `type`.
    case stripe
    /// Svix (Resend, Clerk): `svix-*` headers; the event id is `svix-id`.
    case svix
    /// SendGrid: ECDSA signature; the body is an array of events, each with `sg_event_id`.
    case sendgrid
    /// Standard Webhooks: `webhook-*` headers; the event id is `webhook-id`.
    case standard

    /// The scheme a source name implies when `scheme` is not set (`standard` for unknown names).
    /// `sandbox` is the offline payments provider, whose events are Stripe's shapes and types.
    public static func `default`(forSource name: String) -> WebhookScheme {
        switch name {
        case "stripe", "sandbox": .stripe
        case "resend", "clerk": .svix
        case "sendgrid": .sendgrid
        default: .standard
        }
    }

    /// The verifier for a configured source, or nil when its secret or key is missing.
    public static func verifier(for source: WebhooksConfig.Source) -> (any WebhookSignatureVerifier)? {
        let tolerance = Double(source.toleranceSeconds)
        switch WebhookScheme(rawValue: source.scheme) ?? .standard {
        case .stripe: return source.secret.map { StripeSignatureVerifier(secret: $0, tolerance: tolerance) }
        case .svix: return source.secret.map { SvixSignatureVerifier(secret: $0, tolerance: tolerance) }
        case .standard: return source.secret.map { StandardWebhooksVerifier(secret: $0, tolerance: tolerance) }
        case .sendgrid: return source.publicKey.map { SendGridSignatureVerifier(publicKey: $0, tolerance: tolerance) }
        }
    }

    /// The request headers kept with each stored event for audit.
    var auditHeaders: [String] {
        let common = ["content-type", "user-agent"]
        switch self {
        case .stripe: return common + [StripeSignatureVerifier.header]
        case .svix: return common + ["svix-id", "svix-timestamp", "svix-signature"]
        case .standard: return common + ["webhook-id", "webhook-timestamp", "webhook-signature"]
        case .sendgrid: return common + [SendGridSignatureVerifier.signatureHeader, SendGridSignatureVerifier.timestampHeader]
        }
    }
}
