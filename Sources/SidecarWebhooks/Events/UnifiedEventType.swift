/// Maps vendor event types to the provider-neutral `unified_type` of a delivered event, for
/// the events applications act on. Other events are delivered with `unified_type: null`.
public enum UnifiedEventType {
    static let stripe: [String: String] = [
        "checkout.session.completed": "payments.checkout.completed",
        "customer.subscription.created": "payments.subscription.created",
        "customer.subscription.updated": "payments.subscription.updated",
        "customer.subscription.deleted": "payments.subscription.deleted",
        "invoice.paid": "payments.invoice.paid",
        "invoice.payment_failed": "payments.invoice.failed",
    ]

    /// Resend (email) and Clerk (auth) share the Svix scheme; their type names do not collide.
    static let svix: [String: String] = [
        "email.delivered": "email.delivered",
        "email.bounced": "email.bounced",
        "email.complained": "email.complained",
        "email.opened": "email.opened",
        "email.clicked": "email.clicked",
        "user.created": "auth.user.created",
        "user.deleted": "auth.user.deleted",
    ]

    static let sendgrid: [String: String] = [
        "delivered": "email.delivered",
        "bounce": "email.bounced",
        "spamreport": "email.complained",
        "open": "email.opened",
        "click": "email.clicked",
    ]

    /// The unified type of `type` for a source of `scheme`, or nil when none applies.
    public static func map(_ type: String, scheme: WebhookScheme) -> String? {
        switch scheme {
        case .stripe: stripe[type]
        case .svix: svix[type]
        case .sendgrid: sendgrid[type]
        // A generic source may already speak the unified names.
        case .standard: Set(stripe.values).union(svix.values).contains(type) ? type : nil
        }
    }
}
