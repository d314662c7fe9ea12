import Foundation

/// Where a stored webhook event stands with the application.
public enum WebhookDeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not yet acknowledged by the application; the delivery worker will try it.
    case pending
    /// The application answered 2xx.
    case delivered
    /// Every attempt failed (`webhooks.max_attempts`): a dead letter until replayed.
    case failed
}

/// A verified event about to be stored (from a vendor's webhook or emitted by a provider).
public struct WebhookEventDraft: Sendable, Hashable {
    /// The configured source it arrived on (`stripe`, `resend`, …).
    public var source: String
    /// The vendor's event id: what deduplicates repeats of one event.
    public var eventID: String
    /// The vendor's event type (`checkout.session.completed`, `bounce`, …).
    public var type: String
    /// The provider-neutral type (`payments.checkout.completed`), when one applies.
    public var unifiedType: String?
    /// The vendor's payload, as the JSON bytes it sent (one element of an array for SendGrid).
    public var payload: [UInt8]
    /// The request headers kept for audit (never a signature secret; signatures are public).
    public var headers: [String: String]
    /// When the vendor says the event happened; the receive time when it does not say.
    public var createdAt: Date

    public init(
        source: String, eventID: String, type: String, unifiedType: String?, payload: [UInt8],
        headers: [String: String] = [:], createdAt: Date
    ) {
        self.source = source
        self.eventID = eventID
        self.type = type
        self.unifiedType = unifiedType
        self.payload = payload
        self.headers = headers
        self.createdAt = createdAt
    }
}

/// A stored webhook event and the state of its delivery.
public struct StoredWebhookEvent: Sendable, Hashable {
    /// The store's own id (`whe_…`): the Standard Webhooks `webhook-id` of every delivery.
    public var id: String
    public var draft: WebhookEventDraft
    public var receivedAt: Date
    public var status: WebhookDeliveryStatus
    /// Delivery attempts made so far.
    public var attempts: Int
    /// When the worker may try again (pending events only).
    public var nextAttemptAt: Date
    public var deliveredAt: Date?
    /// Why the last attempt failed (status code or transport error; never a secret).
    public var lastError: String?

    public init(
        id: String, draft: WebhookEventDraft, receivedAt: Date, status: WebhookDeliveryStatus, attempts: Int,
        nextAttemptAt: Date, deliveredAt: Date?, lastError: String?
    ) {
        self.id = id
        self.draft = draft
        self.receivedAt = receivedAt
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}

/// What storing one draft did.
public enum WebhookInsertOutcome: Sendable, Hashable {
    /// Newly stored under this id.
    case stored(id: String)
    /// `(source, event id)` was stored before: nothing new was written.
    case duplicate
}

/// Durable intake and delivery state of inbound webhook events.
///
/// ## Implementation requirements
/// - `insertWebhookEvents` is atomic and durable when it returns: every draft of one call is
///   committed (or none is), and a draft whose `(source, eventID)` is already stored — by an
///   earlier call or by a concurrent one — is answered `.duplicate` and writes nothing.
///   Of any number of concurrent inserts of one event exactly one gets `.stored`.
/// - New events are `pending`, with zero attempts, due at once.
/// - `dueWebhookEvents` answers pending events whose `nextAttemptAt` has passed, oldest first.
/// - State changes survive a restart: pending events are delivered after a crash.
public protocol WebhookEventStore: Sendable {
    func insertWebhookEvents(_ drafts: [WebhookEventDraft], receivedAt: Date) async throws -> [WebhookInsertOutcome]
    func dueWebhookEvents(now: Date, limit: Int) async throws -> [StoredWebhookEvent]
    /// The earliest `nextAttemptAt` of a pending event, if any.
    func nextWebhookAttempt() async throws -> Date?
    func markWebhookDelivered(id: String, attempts: Int, at: Date) async throws
    /// Records a failed attempt: stays pending until `nextAttemptAt`, or becomes `failed` when `nextAttemptAt` is nil.
    func markWebhookAttemptFailed(id: String, attempts: Int, nextAttemptAt: Date?, error: String) async throws
    func webhookEvents(status: WebhookDeliveryStatus?, limit: Int) async throws -> [StoredWebhookEvent]
    func webhookEvent(id: String) async throws -> StoredWebhookEvent?
    /// Makes the event pending again with a fresh attempt budget, due at `now`; nil if no such id.
    func replayWebhookEvent(id: String, now: Date) async throws -> StoredWebhookEvent?
    func countWebhookEvents(status: WebhookDeliveryStatus) async throws -> Int
}
