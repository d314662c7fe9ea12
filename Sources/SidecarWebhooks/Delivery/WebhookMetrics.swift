/// What the webhook pipeline reports; the daemon's Prometheus registry implements it.
public protocol WebhookMetrics: Sendable {
    /// An event stored from `source` (each element of a SendGrid array counts).
    func webhookReceived(source: String)
    /// A request refused before storing: `reason` is a ``WebhookVerificationError/Reason`` or `invalid_body`.
    func webhookRejected(source: String, reason: String)
    /// An event the application acknowledged, `latency` after it was received.
    func webhookDelivered(source: String, latency: Duration)
    /// A delivery attempt that did not get a 2xx (it will be retried unless attempts ran out).
    func webhookAttemptFailed(source: String)
    /// An event that ran out of attempts (dead letter).
    func webhookFailed(source: String)
    /// Events waiting for delivery.
    func webhookQueueDepth(_ depth: Int)
}

/// Reports nothing (tests, tools).
public struct NoWebhookMetrics: WebhookMetrics {
    public init() {}
    public func webhookReceived(source: String) {}
    public func webhookRejected(source: String, reason: String) {}
    public func webhookDelivered(source: String, latency: Duration) {}
    public func webhookAttemptFailed(source: String) {}
    public func webhookFailed(source: String) {}
    public func webhookQueueDepth(_ depth: Int) {}
}
