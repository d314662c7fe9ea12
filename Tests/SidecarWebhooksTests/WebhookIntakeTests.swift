import Foundation
import Logging
import SidecarCore
import SidecarStore
import Testing
@testable import SidecarWebhooks

/// Event extraction, the unified types, and the durable, deduplicating intake on a real SQLite store.
@Suite("Webhook intake")
struct WebhookIntakeTests {
    static func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sidecar-wh-\(UUID().uuidString)/store.db").path
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        do { try await body(store) } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    static func draft(_ id: String, source: String = "stripe", type: String = "invoice.paid") -> WebhookEventDraft {
        WebhookEventDraft(source: source, eventID: id, type: type, unifiedType: nil, payload: Array(#"{"id":"\#(id)"}"#.utf8), createdAt: Date())
    }

    @Test func extractsStripeSvixAndSendGridEvents() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let stripe = try WebhookEventExtractor.events(
            source: "stripe", scheme: .stripe,
            body: Array(#"{"id":"evt_1","type":"checkout.session.completed","created":1699999999,"data":{"object":{}}}"#.utf8),
            headers: WebhookRequestHeaders([("Stripe-Signature", "t=1,v1=x"), ("Authorization", "kept out")]), receivedAt: now)
        #expect(stripe.count == 1)
        #expect(stripe[0].eventID == "evt_1")
        #expect(stripe[0].unifiedType == "payments.checkout.completed")
        #expect(stripe[0].createdAt == Date(timeIntervalSince1970: 1699999999))
        #expect(stripe[0].headers == ["stripe-signature": "t=1,v1=x"])

        let clerk = try WebhookEventExtractor.events(
            source: "clerk", scheme: .svix, body: Array(#"{"type":"user.deleted","data":{"id":"user_1"}}"#.utf8),
            headers: WebhookRequestHeaders([("svix-id", "msg_9"), ("svix-timestamp", "1700000000")]), receivedAt: now)
        #expect(clerk.map(\.eventID) == ["msg_9"])
        #expect(clerk[0].unifiedType == "auth.user.deleted")

        let body = #"[{"sg_event_id":"a","event":"delivered","timestamp":1},{"sg_event_id":"b","event":"bounce","url":"https://x.test/a/b"},{"sg_event_id":"c","event":"group_unsubscribe"}]"#
        let sendgrid = try WebhookEventExtractor.events(
            source: "sendgrid", scheme: .sendgrid, body: Array(body.utf8), headers: WebhookRequestHeaders([]), receivedAt: now)
        #expect(sendgrid.map(\.eventID) == ["a", "b", "c"])
        #expect(sendgrid.map(\.unifiedType) == ["email.delivered", "email.bounced", nil])
        #expect(String(decoding: sendgrid[1].payload, as: UTF8.self) == #"{"event":"bounce","sg_event_id":"b","url":"https://x.test/a/b"}"#)
    }

    @Test func badBodiesNameTheField() {
        func message(_ scheme: WebhookScheme, _ body: String, headers: [(String, String)] = []) -> String? {
            do {
                _ = try WebhookEventExtractor.events(source: "s", scheme: scheme, body: Array(body.utf8), headers: WebhookRequestHeaders(headers), receivedAt: Date())
            } catch { return error.message }
            return nil
        }
        #expect(message(.stripe, "not json") == "body: not valid JSON")
        #expect(message(.stripe, #"{"type":"x"}"#) == "id: the event id is missing")
        #expect(message(.svix, #"{"type":"x"}"#) == "svix-id: the header is missing")
        #expect(message(.sendgrid, #"{"event":"x"}"#) == "body: expected an array of events")
        #expect(message(.sendgrid, #"[{"sg_event_id":"a","event":"open"},{"event":"open"}]"#) == "[1].sg_event_id: the event id is missing")
    }

    @Test func unifiedTypes() {
        let expected: [(String, WebhookScheme, String?)] = [
            ("customer.subscription.created", .stripe, "payments.subscription.created"),
            ("customer.subscription.updated", .stripe, "payments.subscription.updated"),
            ("customer.subscription.deleted", .stripe, "payments.subscription.deleted"),
            ("invoice.paid", .stripe, "payments.invoice.paid"),
            ("invoice.payment_failed", .stripe, "payments.invoice.failed"),
            ("charge.refunded", .stripe, nil),
            ("email.delivered", .svix, "email.delivered"), ("email.bounced", .svix, "email.bounced"),
            ("email.complained", .svix, "email.complained"), ("email.opened", .svix, "email.opened"),
            ("email.clicked", .svix, "email.clicked"), ("user.created", .svix, "auth.user.created"),
            ("spamreport", .sendgrid, "email.complained"), ("open", .sendgrid, "email.opened"), ("click", .sendgrid, "email.clicked"),
            ("payments.invoice.paid", .standard, "payments.invoice.paid"), ("thing.happened", .standard, nil),
        ]
        for (type, scheme, unified) in expected {
            #expect(UnifiedEventType.map(type, scheme: scheme) == unified, "\(type)")
        }
    }

    @Test func storeDeduplicatesOnSourceAndEventID() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let first = try await store.insertWebhookEvents([Self.draft("evt_1"), Self.draft("evt_2")], receivedAt: Date())
            #expect(first.allSatisfy { $0 != .duplicate })
            let again = try await store.insertWebhookEvents([Self.draft("evt_1"), Self.draft("evt_3")], receivedAt: Date())
            #expect(again[0] == .duplicate)
            #expect(again[1] != .duplicate)
            // The same vendor id under another source is another event.
            #expect(try await store.insertWebhookEvents([Self.draft("evt_1", source: "other")], receivedAt: Date())[0] != .duplicate)
            #expect(try await store.countWebhookEvents(status: .pending) == 4)
        }
    }

    @Test func twentyConcurrentDuplicatesStoreOne() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let intake = WebhookIntake(store: store, metrics: NoWebhookMetrics(), doorbell: WebhookDoorbell(), logger: Logger(label: "test"))
            let outcomes = try await withThrowingTaskGroup(of: WebhookIntakeOutcome.self) { group in
                for _ in 0..<20 { group.addTask { try await intake.emit(Self.draft("evt_same")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .accepted }.count == 1)
            #expect(outcomes.filter { $0 == .alreadyProcessed }.count == 19)
            #expect(try await store.webhookEvents(status: nil, limit: 100).count == 1)
        }
    }

    /// Concurrent callers share commits (group commit); each still gets its own outcomes.
    @Test func concurrentInsertsAnswerEachCallerItsOwnOutcomes() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let results = try await withThrowingTaskGroup(of: (Int, [WebhookInsertOutcome]).self) { group in
                for caller in 0..<60 {
                    // Callers 0–29 send two new events each; 30–59 repeat the first event of caller − 30
                    // together with one of the same body twice.
                    let drafts = caller < 30
                        ? [Self.draft("evt_\(caller)_a"), Self.draft("evt_\(caller)_b")]
                        : [Self.draft("evt_\(caller - 30)_a"), Self.draft("evt_dup_\(caller)"), Self.draft("evt_dup_\(caller)")]
                    group.addTask { (caller, try await store.insertWebhookEvents(drafts, receivedAt: Date())) }
                }
                return try await group.reduce(into: [Int: [WebhookInsertOutcome]]()) { $0[$1.0] = $1.1 }
            }
            for caller in 0..<60 {
                let outcomes = try #require(results[caller])
                if caller < 30 {
                    #expect(outcomes.count == 2)
                    #expect(outcomes.allSatisfy { $0 != .duplicate }, "caller \(caller)")
                } else {
                    #expect(outcomes.count == 3)
                    #expect(outcomes[2] == .duplicate, "the second copy in one body is a duplicate")
                    #expect(outcomes[1] != .duplicate)
                }
            }
            // Each repeated first event was stored exactly once, by whichever caller came first.
            #expect(try await store.webhookEvents(status: nil, limit: 1000).count == 60 + 30)
        }
    }

    @Test func emittedEventsGetTheirUnifiedType() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let intake = WebhookIntake(store: store, metrics: NoWebhookMetrics(), doorbell: WebhookDoorbell(), logger: Logger(label: "test"))
            let sink: any WebhookEventSink = intake
            #expect(try await sink.emit(Self.draft("evt_sandbox", type: "checkout.session.completed")) == .accepted)
            let stored = try #require(try await store.webhookEvents(status: .pending, limit: 1).first)
            #expect(stored.draft.unifiedType == "payments.checkout.completed")
        }
    }

    @Test func deliveryStateTransitionsAndReplay() async throws {
        try await Self.withStore { (store: SQLiteStore) async throws in
            let now = Date()
            guard case .stored(let id) = try await store.insertWebhookEvents([Self.draft("evt_1")], receivedAt: now)[0] else {
                Issue.record("not stored")
                return
            }
            #expect(try await store.dueWebhookEvents(now: now, limit: 10).map(\.id) == [id])
            try await store.markWebhookAttemptFailed(id: id, attempts: 1, nextAttemptAt: now.addingTimeInterval(60), error: "the application answered 500")
            #expect(try await store.dueWebhookEvents(now: now, limit: 10).isEmpty)
            #expect(try await store.nextWebhookAttempt() == Date(timeIntervalSince1970: now.addingTimeInterval(60).timeIntervalSince1970))
            try await store.markWebhookAttemptFailed(id: id, attempts: 2, nextAttemptAt: nil, error: "the application answered 500")
            let failed = try #require(try await store.webhookEvent(id: id))
            #expect(failed.status == .failed)
            #expect(failed.attempts == 2)
            #expect(failed.lastError == "the application answered 500")
            let replayed = try #require(try await store.replayWebhookEvent(id: id, now: now))
            #expect(replayed.status == .pending)
            #expect(replayed.attempts == 0)
            try await store.markWebhookDelivered(id: id, attempts: 1, at: now)
            #expect(try await store.webhookEvents(status: .delivered, limit: 10).map(\.id) == [id])
            #expect(try await store.replayWebhookEvent(id: "whe_missing", now: now) == nil)
        }
    }

    @Test func deliveryTargets() {
        #expect(WebhookDeliveryTarget("http://127.0.0.1:3000/webhooks")?.url == "http://127.0.0.1:3000/webhooks")
        #expect(WebhookDeliveryTarget("unix:///run/app.sock:/webhooks")?.url == "http+unix://%2Frun%2Fapp%2Esock/webhooks")
        #expect(WebhookDeliveryTarget("unix:///run/app.sock")?.url == "http+unix://%2Frun%2Fapp%2Esock/")
        #expect(WebhookDeliveryTarget("ftp://x") == nil)
    }

    @Test func backoffGrowsWithJitterAndHonoursRetryAfter() {
        let policy = WebhookDeliveryPolicy(initialBackoff: .seconds(1), maxBackoff: .seconds(10), maxRetryAfter: .seconds(20), jitter: 0.5)
        for attempt in 1...6 {
            let delay = policy.delay(afterFailedAttempts: attempt, retryAfter: nil)
            let base = min(Double(1 << (attempt - 1)), 10)
            #expect(delay >= .seconds(base * 0.5) && delay <= .seconds(base), "attempt \(attempt): \(delay)")
        }
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: .seconds(7)) >= .seconds(7))
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: .seconds(999)) == .seconds(20))
        #expect(WebhookDeliveryPolicy.retryAfter("3") == .seconds(3))
        #expect(WebhookDeliveryPolicy.retryAfter("soon") == nil)
    }
}
