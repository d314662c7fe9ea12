import Foundation
import Logging
import SidecarCore

/// The durable front of the pipeline: verifies a vendor's request, extracts its events, commits
/// them (deduplicated on source and event id) and wakes the delivery worker. Also the
/// ``WebhookEventSink`` through which providers emit events of their own.
public struct WebhookIntake: WebhookEventSink {
    public let store: any WebhookEventStore
    public let metrics: any WebhookMetrics
    public let doorbell: WebhookDoorbell
    public let logger: Logger
    /// The clock signatures are checked against; fixed in tests.
    public let now: @Sendable () -> Date

    public init(
        store: any WebhookEventStore, metrics: any WebhookMetrics, doorbell: WebhookDoorbell, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.metrics = metrics
        self.doorbell = doorbell
        self.logger = logger
        self.now = now
    }

    /// Handles one `POST /webhooks/{source}`: `accepted` when at least one event is new,
    /// `alreadyProcessed` when every event was stored before. A bad signature is
    /// `400 invalid_signature` with nothing stored; its reason is logged and counted only.
    public func receive(
        source: WebhooksConfig.Source, body: [UInt8], headers: WebhookRequestHeaders
    ) async throws -> WebhookIntakeOutcome {
        let scheme = WebhookScheme(rawValue: source.scheme) ?? .standard
        let receivedAt = now()
        do throws(WebhookVerificationError) {
            guard let verifier = WebhookScheme.verifier(for: source) else {
                throw WebhookVerificationError(.unusableKey, "no secret or public key is configured")
            }
            try verifier.verify(body: body, headers: headers, now: receivedAt)
        } catch {
            metrics.webhookRejected(source: source.name, reason: error.reason.rawValue)
            logger.warning("webhook signature refused", metadata: [
                "sidecar.webhook.source": .string(source.name), "sidecar.webhook.reason": .string(error.description),
            ])
            throw SidecarError(.invalidSignature, "the request's signature could not be verified")
        }
        let drafts: [WebhookEventDraft]
        do {
            drafts = try WebhookEventExtractor.events(
                source: source.name, scheme: scheme, body: body, headers: headers, receivedAt: receivedAt)
        } catch {
            metrics.webhookRejected(source: source.name, reason: "invalid_body")
            throw error
        }
        let outcomes = try await store(drafts, receivedAt: receivedAt)
        return outcomes.contains(.accepted) || outcomes.isEmpty ? .accepted : .alreadyProcessed
    }

    public func emit(_ drafts: [WebhookEventDraft]) async throws -> [WebhookIntakeOutcome] {
        let mapped = drafts.map { draft in
            var draft = draft
            if draft.unifiedType == nil {
                draft.unifiedType = UnifiedEventType.map(draft.type, scheme: .default(forSource: draft.source))
            }
            return draft
        }
        return try await store(mapped, receivedAt: now())
    }

    private func store(_ drafts: [WebhookEventDraft], receivedAt: Date) async throws -> [WebhookIntakeOutcome] {
        let outcomes = try await store.insertWebhookEvents(drafts, receivedAt: receivedAt)
        var stored = 0
        for (draft, outcome) in zip(drafts, outcomes) where outcome != .duplicate {
            metrics.webhookReceived(source: draft.source)
            stored += 1
        }
        if stored > 0 { doorbell.ring() }
        return outcomes.map { $0 == .duplicate ? .alreadyProcessed : .accepted }
    }
}
