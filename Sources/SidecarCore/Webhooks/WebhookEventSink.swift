/// What the intake answered for one event.
public enum WebhookIntakeOutcome: String, Sendable, Hashable {
    /// Stored durably; it will be delivered to the application.
    case accepted
    /// The same `(source, event id)` was stored before; nothing new.
    case alreadyProcessed = "already_processed"
}

/// The one entry into the inbound-event pipeline: store durably (deduplicated on source and
/// event id), then deliver to the application with the Standard Webhooks signature.
///
/// Vendor webhooks reach it through the webhook listener after their signature is checked;
/// providers that produce events themselves (the sandbox payments provider, which emits
/// Stripe-shaped events) call it through ``ProviderContext/webhookSink``.
///
/// ## Implementation requirements
/// - When `emit` returns, the events are committed: a crash afterwards never loses them.
/// - A repeat of an event already stored answers `.alreadyProcessed` and stores nothing.
/// - All drafts of one call are stored together or not at all.
/// - When `unifiedType` of a draft is nil, the implementation fills it from the source's vendor.
public protocol WebhookEventSink: Sendable {
    func emit(_ drafts: [WebhookEventDraft]) async throws -> [WebhookIntakeOutcome]
}

extension WebhookEventSink {
    /// Emits one event.
    public func emit(_ draft: WebhookEventDraft) async throws -> WebhookIntakeOutcome {
        try await emit([draft]).first ?? .alreadyProcessed
    }
}
