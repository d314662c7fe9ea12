import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SidecarCore
import Testing

/// The application API over the real Unix socket, the daemon running in this process.
@Suite("Live API over the Unix socket")
struct LiveAPITests {
    static let send = #"{"to": "a@example.com", "subject": "Hi", "text": "Hello", "attachments": [{"filename": "r.txt", "content_base64": "aGVsbG8=", "content_type": "text/plain"}]}"#

    @Test func healthReadinessAndHeaders() async throws {
        try await LiveDaemon.run { client, _, _ in
            let health = try await client.call(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(health.json == .object(["status": .string("ok")]))
            #expect(health.headers["X-Request-Id"].first?.hasPrefix("req_") == true)
            let version = try #require(health.headers["X-Sidecar-Config-Version"].first)
            #expect(version.count == 12)

            let ready = try await client.call(.GET, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json?["status"] == .string("ready"))
            #expect(ready.json?["providers"] == .object(["email": .string("console")]))
            #expect(ready.json?["config_version"] == .string(version))

            let echoed = try await client.call(.GET, "/healthz", headers: [("X-Request-Id", "caller-id-42")])
            #expect(echoed.headers["X-Request-Id"].first == "caller-id-42")
        }
    }

    @Test func consoleSendPrintsOneJSONLine() async throws {
        try await LiveDaemon.run { client, captured, _ in
            let response = try await client.post("/email/send", Self.send)
            #expect(response.status == 200)
            let id = try #require(response.json?["id"]?.stringValue)
            #expect(response.json?["provider"] == .string("console"))
            #expect(response.json?["status"] == .string("sent"))
            #expect(captured.all.count == 1)
            let line = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(captured.all.first).utf8))
            #expect(line["id"] == .string(id))
            #expect(line["to"] == .array([.string("a@example.com")]))
            #expect(line["from"] == .string("Acme <noreply@acme.test>"))
            #expect(line["text"] == .string("Hello"))
            #expect(line["attachments"] == .array([.object([
                "filename": .string("r.txt"), "content_type": .string("text/plain"), "size": .number(5),
            ])]))
            #expect(!captured.all[0].contains("aGVsbG8="), "attachments are summarised, not printed")
        }
    }

    @Test func batchWithOneBadMessage() async throws {
        try await LiveDaemon.run { client, captured, _ in
            let response = try await client.post("/email/batch", """
                {"messages": [
                  {"to": "a@example.com", "subject": "One", "text": "1"},
                  {"to": "not-an-address", "subject": "Two", "text": "2"},
                  {"to": ["c@example.com"], "subject": "Three", "html": "<p>3</p>"}
                ]}
                """)
            #expect(response.status == 200)
            guard case .array(let results) = response.json?["results"] else {
                Issue.record("no results: \(response.text)")
                return
            }
            #expect(results.count == 3)
            #expect(results[0]["index"] == .number(0))
            #expect(results[0]["status"] == .string("sent"))
            #expect(results[1]["index"] == .number(1))
            #expect(results[1]["error"]?["code"] == .string("invalid_request"))
            #expect(results[1]["error"]?["message"] == .string("messages[1].to: `not-an-address` is not a valid email address"))
            #expect(results[2]["status"] == .string("sent"))
            #expect(captured.all.count == 2)
        }
    }

    @Test func batchLimits() async throws {
        try await LiveDaemon.run { client, _, _ in
            let empty = try await client.post("/email/batch", #"{"messages": []}"#)
            #expect(empty.status == 400)
            #expect(empty.errorMessage == "messages: at least one message is required")
            let one = #"{"to": "a@example.com", "subject": "s", "text": "t"}"#
            let tooMany = try await client.post("/email/batch", #"{"messages": [\#(Array(repeating: one, count: 101).joined(separator: ","))]}"#)
            #expect(tooMany.status == 400)
            #expect(tooMany.errorMessage == "messages: at most 100 messages per batch, got 101")
        }
    }

    /// Every row of API.md's error table that applies without a vendor.
    @Test func errorRows() async throws {
        try await LiveDaemon.run(config: { LiveDaemon.config($0, listen: "  max_body_bytes: 2048") }) { client, _, _ in
            func expectError(_ response: LiveResponse, _ status: Int, _ code: String, _ message: String? = nil) {
                #expect(response.status == status, "\(response.text)")
                #expect(response.errorCode == code, "\(response.text)")
                if let message { #expect(response.errorMessage == message) }
                #expect(response.json?["error"]?["retryable"] != nil)
                #expect(response.json?["error"]?["request_id"]?.stringValue == response.headers["X-Request-Id"].first)
                #expect(response.headers["Content-Type"].first?.hasPrefix("application/json") == true)
            }
            expectError(try await client.post("/email/send", #"{"to": "#), 400, "invalid_request", "body: malformed JSON")
            expectError(try await client.post("/email/send", #"{"to": 1, "subject": "s", "text": "t"}"#), 400, "invalid_request", "to: expected a string")
            expectError(try await client.post("/email/send", #"{"to": "a@example.com", "text": "t"}"#), 400, "invalid_request", "subject: is required")
            expectError(try await client.call(.POST, "/email/send"), 400, "invalid_request", "body: a JSON object is required")
            expectError(try await client.call(.GET, "/no/such/route"), 404, "not_found", "no route for GET /no/such/route")
            expectError(try await client.call(.DELETE, "/email/send"), 405, "method_not_allowed", "DELETE is not allowed on /email/send")
            expectError(try await client.call(.GET, "/email/send"), 405, "method_not_allowed")
            expectError(try await client.call(.GET, "/webhooks/events/whe_1/replay"), 405, "method_not_allowed")
            expectError(try await client.call(.GET, "/payments/checkout"), 405, "method_not_allowed")
            let big = #"{"to": "a@example.com", "subject": "s", "text": "\#(String(repeating: "x", count: 4096))"}"#
            expectError(try await client.post("/email/send", big), 413, "payload_too_large")
            expectError(try await client.post("/email/send", Self.send, headers: [("Idempotency-Key", "")]), 400, "invalid_request")
            // Unconfigured families: 503 provider_unavailable (their routes come with their issues).
            let health = try await client.call(.GET, "/healthz")
            #expect(health.status == 200, "the daemon still serves after bad input")
        }
    }

    @Test func unconfiguredEmailFamilyIs503() async throws {
        try await LiveDaemon.run(config: { directory in
            "listen:\n  socket: \(directory.socket)\nstore:\n  sqlite: \(directory.path)/db.sqlite\n"
        }) { client, _, _ in
            let response = try await client.post("/email/send", Self.send)
            #expect(response.status == 503)
            #expect(response.errorCode == "provider_unavailable")
            #expect(response.errorMessage == "email is not configured: add a `email:` block with a provider to the configuration")
            let ready = try await client.call(.GET, "/readyz")
            #expect(ready.json?["providers"] == .object([:]))
        }
    }

    @Test func idempotentReplayAndConflict() async throws {
        try await LiveDaemon.run { client, captured, _ in
            let key = [("Idempotency-Key", "order-1234")]
            let first = try await client.post("/email/send", Self.send, headers: key)
            #expect(first.status == 200)
            let again = try await client.post("/email/send", Self.send, headers: key)
            #expect(again.status == 200)
            #expect(again.json?["id"] == first.json?["id"])
            #expect(again.headers["Idempotent-Replayed"].first == "true")
            #expect(captured.all.count == 1, "the provider is called once")

            let other = try await client.post("/email/send", Self.send.replacingOccurrences(of: "Hello", with: "Bye"), headers: key)
            #expect(other.status == 409)
            #expect(other.errorCode == "idempotency_conflict")

            // A failed request keeps nothing: the key can be used once the body is fixed.
            let badKey = [("Idempotency-Key", "order-5678")]
            let bad = try await client.post("/email/send", #"{"to": "x"}"#, headers: badKey)
            #expect(bad.status == 400)
            let fixed = try await client.post("/email/send", Self.send, headers: badKey)
            #expect(fixed.status == 200)
            #expect(captured.all.count == 2)

            // Batch is a creating POST too.
            let batch = #"{"messages": [{"to": "a@example.com", "subject": "s", "text": "t"}]}"#
            let b1 = try await client.post("/email/batch", batch, headers: [("Idempotency-Key", "batch-1")])
            let b2 = try await client.post("/email/batch", batch, headers: [("Idempotency-Key", "batch-1")])
            #expect(b1.text == b2.text)
            #expect(captured.all.count == 3)
        }
    }

    @Test func concurrentSendsAllSucceed() async throws {
        try await LiveDaemon.run { client, captured, _ in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        try await client.post("/email/send", #"{"to": "u\#(index)@example.com", "subject": "s", "text": "t"}"#).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(captured.all.count == 64)
        }
    }

    @Test func configIsRedactedAndCarriesVersion() async throws {
        try await LiveDaemon.run(config: { directory in
            LiveDaemon.config(directory, listen: "  tcp: 127.0.0.1:0\n  token: tcp-token-canary-8d1e")
        }) { client, _, _ in
            let response = try await client.call(.GET, "/config")
            #expect(response.status == 200)
            #expect(!response.text.contains("tcp-token-canary-8d1e"))
            #expect(response.json?["listen"]?["token"] == .string("<redacted>"))
            #expect(response.json?["email"]?["provider"] == .string("console"))
            #expect(response.json?["version"]?.stringValue == response.headers["X-Sidecar-Config-Version"].first)
            #expect(response.json?["loaded_at"]?.stringValue != nil)
            #expect(response.json?["last_reload"] == .null)
        }
    }

    @Test func reloadAppliesAndRejects() async throws {
        try await LiveDaemon.run { client, captured, directory in
            let before = try await client.call(.GET, "/healthz").headers["X-Sidecar-Config-Version"].first
            try directory.write("sidecar.yaml", LiveDaemon.config(directory).replacingOccurrences(of: "noreply@acme.test", with: "hello@acme.test"))
            let applied = try await client.call(.POST, "/config/reload")
            #expect(applied.status == 200)
            let after = try #require(applied.json?["version"]?.stringValue)
            #expect(after != before)
            #expect(try await client.call(.GET, "/healthz").headers["X-Sidecar-Config-Version"].first == after)
            _ = try await client.post("/email/send", Self.send)
            #expect(captured.all.last?.contains("hello@acme.test") == true)

            try directory.write("sidecar.yaml", LiveDaemon.config(directory).replacingOccurrences(of: "provider: console", with: "provider: nosuch"))
            let rejected = try await client.call(.POST, "/config/reload")
            #expect(rejected.status == 400)
            #expect(rejected.errorMessage?.contains("email.provider: unknown provider `nosuch`") == true)
            #expect(rejected.json?["error"]?["problems"] == .array([.string("email.provider: unknown provider `nosuch` (valid: console, resend, sendgrid, smtp) (line 7)")]))
            #expect(try await client.call(.GET, "/healthz").headers["X-Sidecar-Config-Version"].first == after, "the old config keeps serving")
            let config = try await client.call(.GET, "/config")
            #expect(config.json?["last_reload"]?["ok"] == .bool(false))

            try directory.write("sidecar.yaml", LiveDaemon.config(directory).replacingOccurrences(of: directory.socket, with: directory.socket + "2"))
            let restart = try await client.call(.POST, "/config/reload")
            #expect(restart.json?["restart_required"] == .array([.string("listen.socket")]))
        }
    }

    @Test func metricsExposeRequests() async throws {
        try await LiveDaemon.run { client, _, _ in
            _ = try await client.post("/email/send", Self.send)
            let metrics = try await client.call(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["Content-Type"].first?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"sidecar_requests_total{route="/email/send",method="POST",status="200"} 1"#))
            #expect(metrics.text.contains("sidecar_request_duration_seconds_bucket"))
        }
    }
}
