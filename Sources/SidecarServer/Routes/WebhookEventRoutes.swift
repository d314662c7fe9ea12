import Foundation
import Hummingbird
import SidecarCore
import SidecarWebhooks

/// On the application's socket: `GET /webhooks/events?status=…&limit=…` lists stored events,
/// newest first; `POST /webhooks/events/{id}/replay` makes an event pending again (a dead letter
/// gets a fresh attempt budget) and wakes the delivery worker.
struct WebhookEventRoutes {
    let store: any WebhookEventStore
    let doorbell: WebhookDoorbell

    static let paths = ["/webhooks/events", "/webhooks/events/:id/replay"]
    static let defaultLimit = 100
    static let maxLimit = 1000

    func register(on router: Router<SidecarRequestContext>) {
        router.get("/webhooks/events") { request, _ in try await list(request) }
        router.post("/webhooks/events/:id/replay") { _, context in try await replay(context.parameters.get("id") ?? "") }
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var status: WebhookDeliveryStatus?
        if let text = query["status"].map(String.init) {
            guard let parsed = WebhookDeliveryStatus(rawValue: text) else {
                throw SidecarError.invalidRequest("status: expected pending, delivered or failed, got `\(text)`")
            }
            status = parsed
        }
        var limit = Self.defaultLimit
        if let text = query["limit"].map(String.init) {
            guard let parsed = Int(text), (1...Self.maxLimit).contains(parsed) else {
                throw SidecarError.invalidRequest("limit: expected an integer from 1 to \(Self.maxLimit), got `\(text)`")
            }
            limit = parsed
        }
        let events = try await store.webhookEvents(status: status, limit: limit)
        return try JSONResponse.make(EventList(events: events.map(EventSummary.init)))
    }

    func replay(_ id: String) async throws -> Response {
        guard let event = try await store.replayWebhookEvent(id: id, now: Date()) else {
            throw SidecarError.notFound("id: no webhook event `\(id)`")
        }
        doorbell.ring()
        return try JSONResponse.make(EventSummary(event))
    }

    struct EventList: Encodable {
        var events: [EventSummary]
    }

    /// One stored event as the API shows it: `id` is the daemon's (the `webhook-id` of its
    /// deliveries, what replay takes), `event_id` the vendor's (the `id` the application receives).
    struct EventSummary: Encodable {
        var id: String
        var provider: String
        var eventID: String
        var type: String
        var unifiedType: String?
        var status: String
        var attempts: Int
        var receivedAt: Date
        var createdAt: Date
        var nextAttemptAt: Date?
        var deliveredAt: Date?
        var lastError: String?
        var data: JSONValue

        init(_ event: StoredWebhookEvent) {
            id = event.id
            provider = event.draft.source
            eventID = event.draft.eventID
            type = event.draft.type
            unifiedType = event.draft.unifiedType
            status = event.status.rawValue
            attempts = event.attempts
            receivedAt = event.receivedAt
            createdAt = event.draft.createdAt
            nextAttemptAt = event.status == .pending ? event.nextAttemptAt : nil
            deliveredAt = event.deliveredAt
            lastError = event.lastError
            data = (try? JSONDecoder().decode(JSONValue.self, from: Data(event.draft.payload))) ?? .null
        }

        enum CodingKeys: String, CodingKey {
            case id, provider, eventID = "event_id", type, unifiedType = "unified_type", status, attempts
            case receivedAt = "received_at", createdAt = "created_at", nextAttemptAt = "next_attempt_at"
            case deliveredAt = "delivered_at", lastError = "last_error", data
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(provider, forKey: .provider)
            try container.encode(eventID, forKey: .eventID)
            try container.encode(type, forKey: .type)
            try container.encode(unifiedType, forKey: .unifiedType)
            try container.encode(status, forKey: .status)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(receivedAt, forKey: .receivedAt)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
            try container.encode(deliveredAt, forKey: .deliveredAt)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(data, forKey: .data)
        }
    }
}
