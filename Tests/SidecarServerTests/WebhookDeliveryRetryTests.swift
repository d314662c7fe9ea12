import Foundation
import SidecarCore
import Testing

/// Deliveries to an application that is down, failing or slow: retried with backoff until it
/// recovers; after `max_attempts` the event is `failed` until replayed.
@Suite("Webhook delivery retries", .enabled(if: PythonPeers.enabled, "needs SIDECAR_TEST_PYTHON (scripts/test.sh)"))
struct WebhookDeliveryRetryTests {
    static let secret = WebhookLiveTests.stripeSecret

    static func post(_ daemon: WebhookDaemon, _ id: String) async throws {
        let body = SignedWebhooks.stripeEvent(id)
        let answer = try await daemon.post("stripe", body: body, headers: try await SignedWebhooks.stripe([body], secret: secret)[0])
        #expect(answer.json?["status"]?.stringValue == "accepted")
    }

    @Test func appDownThenUpReceivesTheEvent() async throws {
        let app = try WebhookApp()
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: WebhookLiveTests.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            try await Self.post(daemon, "evt_down")
            let pending = try await daemon.waitForEvents(status: "pending") { ($0.first?["attempts"] ?? .null) >= 2 }
            #expect(pending.first?["last_error"]?.stringValue == "the application is unreachable")
            try await app.start()
            let record = try await app.waitFor { $0.deliveries.count >= 1 }
            #expect(record.deliveries.first?.body["id"]?.stringValue == "evt_down")
            let delivered = try await daemon.waitForEvents(status: "delivered") { $0.count == 1 }
            #expect((delivered.first?["attempts"] ?? .null) >= 3)
        }
    }

    @Test func failingAppIsRetriedWithBackoffAndRetryAfter() async throws {
        let app = try WebhookApp()
        try await app.start(["--fail", "3", "--status", "503"])
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: WebhookLiveTests.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            try await Self.post(daemon, "evt_flaky")
            var record = try await app.waitFor { $0.deliveries.count >= 1 }
            #expect(record.attempts == 4)
            // Backoff: each wait at least half the doubled base delay (50 ms, 100 ms, 200 ms).
            let gaps = zip(record.attemptTimes.dropFirst(), record.attemptTimes).map { $0 - $1 }
            for (index, gap) in gaps.enumerated() {
                #expect(gap >= 0.025 * Double(1 << index), "gap \(index): \(gap)")
            }
            // Retry-After (1 s) is honoured over the much shorter backoff.
            try await app.setMode(["fail": 1, "status": 429, "retry_after": 1])
            try await Self.post(daemon, "evt_later")
            record = try await app.waitFor { $0.deliveries.count >= 2 }
            let last = record.attemptTimes.suffix(2)
            #expect(last.last! - last.first! >= 0.95, "waited \(last.last! - last.first!) s")
            let delivered = try await daemon.waitForEvents(status: "delivered") { $0.count == 2 }
            #expect(delivered.count == 2)
        }
    }

    @Test func slowAppTimesOutAndIsRetried() async throws {
        let app = try WebhookApp()
        try await app.start(["--delay-ms", "1500"])
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: WebhookLiveTests.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            try await Self.post(daemon, "evt_slow")
            let pending = try await daemon.waitForEvents(status: "pending") { ($0.first?["attempts"] ?? .null) >= 1 }
            #expect(pending.first?["last_error"]?.stringValue?.contains("did not answer within") == true)
            try await app.setMode(["delay_ms": 0])
            let delivered = try await daemon.waitForEvents(status: "delivered") { $0.count == 1 }
            #expect((delivered.first?["attempts"] ?? .null) >= 2)
        }
    }

    @Test func exhaustedAttemptsFailAndReplayDelivers() async throws {
        let app = try WebhookApp()
        try await app.start(["--fail", "1000"])
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config(
                $0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, maxAttempts: 3, sources: WebhookLiveTests.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            try await Self.post(daemon, "evt_dead")
            let failed = try await daemon.waitForEvents(status: "failed") { $0.count == 1 }
            let event = try #require(failed.first)
            #expect(event["attempts"] == .number(3))
            #expect(event["last_error"]?.stringValue == "the application answered 500")
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await app.record().attempts == 3, "no attempt after the last one")
            #expect(try await daemon.socket.call(.GET, "/metrics").text.contains(#"sidecar_webhooks_failed_total{source="stripe"} 1"#))

            try await app.setMode(["fail": 0])
            let id = try #require(event["id"]?.stringValue)
            let replay = try await daemon.socket.call(.POST, "/webhooks/events/\(id)/replay")
            #expect(replay.status == 200)
            #expect(replay.json?["status"]?.stringValue == "pending")
            let record = try await app.waitFor { $0.deliveries.count >= 1 }
            #expect(record.deliveries.first?.webhookID == id)
            #expect(try await daemon.waitForEvents(status: "delivered") { $0.count == 1 }.count == 1)
        }
    }

    @Test func eventRoutesValidateTheirInput() async throws {
        let app = try WebhookApp()
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: WebhookLiveTests.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            let badStatus = try await daemon.socket.call(.GET, "/webhooks/events?status=sent")
            #expect(badStatus.status == 400)
            #expect(badStatus.errorMessage?.hasPrefix("status:") == true)
            let badLimit = try await daemon.socket.call(.GET, "/webhooks/events?limit=0")
            #expect(badLimit.status == 400)
            #expect(badLimit.errorMessage?.hasPrefix("limit:") == true)
            let missing = try await daemon.socket.call(.POST, "/webhooks/events/whe_nope/replay")
            #expect(missing.status == 404)
            #expect(try await daemon.socket.call(.GET, "/webhooks/events").json?["events"] == .array([]))
        }
    }
}

extension JSONValue {
    static func >= (value: JSONValue, bound: Double) -> Bool {
        if case .number(let number) = value { return number >= bound }
        return false
    }
}
