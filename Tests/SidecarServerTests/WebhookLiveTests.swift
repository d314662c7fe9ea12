import Foundation
import SidecarCore
import Testing

/// Inbound webhooks end to end: signed by the vendors' own libraries, posted to the public
/// listener, stored, and delivered to a receiver that verifies with `standardwebhooks`.
@Suite("Inbound webhooks, live", .enabled(if: PythonPeers.enabled, "needs SIDECAR_TEST_PYTHON (scripts/test.sh)"))
struct WebhookLiveTests {
    static let stripeSecret = "whsec_live_test_stripe_secret"

    static func stripeSources() -> String {
        "    stripe:\n      secret: \"\(stripeSecret)\"\n"
    }

    @Test func acceptedEventReachesTheAppSignedInTheUnifiedShape() async throws {
        let app = try WebhookApp()
        try await app.start()
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: Self.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            let body = SignedWebhooks.stripeEvent("evt_live_1")
            let headers = try await SignedWebhooks.stripe([body], secret: Self.stripeSecret)[0]
            let answer = try await daemon.post("stripe", body: body, headers: headers)
            #expect(answer.status == 200)
            #expect(answer.json?["status"]?.stringValue == "accepted")

            let record = try await app.waitFor { $0.deliveries.count >= 1 }
            #expect(record.rejected == 0, "every delivery verifies with standardwebhooks")
            let delivery = try #require(record.deliveries.first)
            #expect(delivery.body["id"]?.stringValue == "evt_live_1")
            #expect(delivery.body["provider"]?.stringValue == "stripe")
            #expect(delivery.body["type"]?.stringValue == "checkout.session.completed")
            #expect(delivery.body["unified_type"]?.stringValue == "payments.checkout.completed")
            #expect(delivery.body["created_at"]?.stringValue == "2023-11-14T22:13:20Z")
            #expect(delivery.body["data"]?["data"]?["object"]?["amount_total"] == .number(4200))

            let delivered = try await daemon.waitForEvents(status: "delivered") { $0.count == 1 }
            #expect(delivered.first?["id"]?.stringValue == delivery.webhookID)
            #expect(delivered.first?["event_id"]?.stringValue == "evt_live_1")
            #expect(delivered.first?["attempts"] == .number(1))
            let metrics = try await daemon.socket.call(.GET, "/metrics").text
            #expect(metrics.contains(#"sidecar_webhooks_received_total{source="stripe"} 1"#))
            #expect(metrics.contains(#"sidecar_webhooks_delivered_total{source="stripe"} 1"#))
            #expect(metrics.contains("sidecar_webhooks_delivery_latency_seconds_bucket"))
            #expect(metrics.contains("sidecar_webhooks_queue_depth"))
        }
    }

    @Test func badSignaturesAreRefusedAndStoreNothing() async throws {
        let app = try WebhookApp()
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: Self.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            let body = SignedWebhooks.stripeEvent("evt_bad")
            let now = Int(Date().timeIntervalSince1970)
            let good = try await SignedWebhooks.stripe([body], secret: Self.stripeSecret, timestamp: now)[0]
            let wrongSecret = try await SignedWebhooks.stripe([body], secret: "whsec_not_the_one", timestamp: now)[0]
            let stale = try await SignedWebhooks.stripe([body], secret: Self.stripeSecret, timestamp: now - 400)[0]
            let future = try await SignedWebhooks.stripe([body], secret: Self.stripeSecret, timestamp: now + 400)[0]
            let attempts: [(String, [String: String])] = [
                (body.replacingOccurrences(of: "4200", with: "1"), good), (body, wrongSecret), (body, stale), (body, future), (body, [:]),
                // Re-serialised JSON (a space added) is not the signed bytes.
                (body.replacingOccurrences(of: #""id":"#, with: #""id": "#), good),
            ]
            for (sent, headers) in attempts {
                let answer = try await daemon.post("stripe", body: sent, headers: headers)
                #expect(answer.status == 400)
                #expect(answer.errorCode == "invalid_signature")
                #expect(answer.errorMessage == "the request's signature could not be verified", "the reason is not told to the caller")
            }
            #expect(try await daemon.events().isEmpty)
            let unknown = try await daemon.post("paypal", body: body, headers: good)
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            // The application API is not served on the public listener.
            #expect(try await daemon.post("events", body: "{}", headers: [:]).status == 404)
            let metrics = try await daemon.socket.call(.GET, "/metrics").text
            #expect(metrics.contains(#"sidecar_webhooks_rejected_total{source="stripe",reason="signature_mismatch"} 3"#))
            #expect(metrics.contains(#"sidecar_webhooks_rejected_total{source="stripe",reason="stale_timestamp"} 1"#))
            #expect(metrics.contains(#"sidecar_webhooks_rejected_total{source="stripe",reason="future_timestamp"} 1"#))
            #expect(metrics.contains(#"sidecar_webhooks_rejected_total{source="stripe",reason="missing_header"} 1"#))
        }
    }

    @Test func svixSendGridAndStandardSourcesOverTheUnixSocket() async throws {
        let resendSecret = WebhookApp.newSecret(), genericSecret = WebhookApp.newSecret()
        let now = Int(Date().timeIntervalSince1970)
        let resendBody = #"{"type":"email.bounced","created_at":"2026-01-01T00:00:00Z","data":{"email_id":"e1"}}"#
        let sendgridBody = #"[{"email":"a@example.com","event":"delivered","sg_event_id":"sg_1","timestamp":1700000000},{"email":"b@example.com","event":"open","sg_event_id":"sg_2","timestamp":1700000001}]"#
        let genericBody = #"{"type":"payments.invoice.paid","data":{}}"#
        let signed = try await PythonPeers.sign([
            ["scheme": "svix", "secret": resendSecret, "id": "msg_resend_1", "body": resendBody, "timestamp": now],
            ["scheme": "sendgrid", "body": sendgridBody, "timestamp": now],
            ["scheme": "standard", "secret": genericSecret, "id": "gen_1", "body": genericBody, "timestamp": now],
        ])
        let publicKey = try #require(signed[1]["public_key"] as? String)
        let signedHeaders = signed.map { $0["headers"] as? [String: String] ?? [:] }
        let directory = try TestDirectory()
        defer { directory.remove() }
        let app = try WebhookApp(socketPath: "\(directory.path)/app.sock")
        try await app.start()
        defer { app.stop() }
        let sources = """
                resend:
                  secret: "\(resendSecret)"
                sendgrid:
                  public_key: "\(publicKey)"
                acme:
                  secret: "\(genericSecret)"
            """
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: sources)
        }) { (daemon: WebhookDaemon) async throws in
            for (source, body, index) in [("resend", resendBody, 0), ("sendgrid", sendgridBody, 1), ("acme", genericBody, 2)] {
                let answer = try await daemon.post(source, body: body, headers: signedHeaders[index])
                #expect(answer.status == 200, "\(source): \(answer.text)")
            }
            // A signature of another source's key is refused.
            let crossed = try await daemon.post("acme", body: resendBody, headers: signedHeaders[0])
            #expect(crossed.errorCode == "invalid_signature")

            let record = try await app.waitFor { $0.deliveries.count >= 4 }
            #expect(record.rejected == 0)
            let byID = Dictionary(record.deliveries.map { ($0.body["id"]?.stringValue ?? "", $0.body) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(byID.keys) == ["msg_resend_1", "sg_1", "sg_2", "gen_1"])
            #expect(byID["msg_resend_1"]?["unified_type"]?.stringValue == "email.bounced")
            #expect(byID["sg_1"]?["unified_type"]?.stringValue == "email.delivered")
            #expect(byID["sg_2"]?["unified_type"]?.stringValue == "email.opened")
            #expect(byID["sg_2"]?["data"]?["email"]?.stringValue == "b@example.com")
            #expect(byID["gen_1"]?["unified_type"]?.stringValue == "payments.invoice.paid")
        }
    }

    @Test func duplicatesStoreOneEventAndDeliverOnce() async throws {
        let app = try WebhookApp()
        try await app.start()
        defer { app.stop() }
        try await WebhookDaemon.run(config: {
            WebhookDaemon.config($0, webhookPort: $1, deliverTo: app.deliverTo, signingSecret: app.secret, sources: Self.stripeSources())
        }) { (daemon: WebhookDaemon) async throws in
            let sequential = SignedWebhooks.stripeEvent("evt_dup_seq"), concurrent = SignedWebhooks.stripeEvent("evt_dup_conc")
            let headers = try await SignedWebhooks.stripe([sequential, concurrent], secret: Self.stripeSecret)
            var statuses: [String] = []
            for _ in 0..<3 {
                statuses.append(try await daemon.post("stripe", body: sequential, headers: headers[0]).json?["status"]?.stringValue ?? "")
            }
            #expect(statuses == ["accepted", "already_processed", "already_processed"])

            let port = daemon.webhookPort
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await WebhookDaemon.post(port: port, "stripe", body: concurrent, headers: headers[1]).json?["status"]?.stringValue ?? ""
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(answers.filter { $0 == "accepted" }.count == 1)
            #expect(answers.filter { $0 == "already_processed" }.count == 19)

            _ = try await daemon.waitForEvents(status: "delivered") { $0.count == 2 }
            try await Task.sleep(for: .milliseconds(300))
            let record = try await app.record()
            #expect(record.deliveries.count == 2)
            #expect(Set(record.deliveries.compactMap { $0.body["id"]?.stringValue }) == ["evt_dup_seq", "evt_dup_conc"])
            #expect(try await daemon.events().count == 2)
        }
    }
}
