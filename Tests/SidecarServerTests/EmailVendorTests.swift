import Foundation
import SidecarCore
import Testing

/// Failover, retries, the circuit breaker, rate limits and vendor errors, against the fakes.
@Suite("Email vendors: failover, retries, circuit, errors", .enabled(if: Peers.resend != nil && Peers.sendgrid != nil))
struct EmailVendorTests {
    static let body = #"{"to": "a@example.com", "subject": "Hi", "text": "Hello"}"#

    struct Vendors: Sendable {
        var resend: FakeVendorNamespace
        var sendgrid: FakeVendorNamespace
    }

    /// A daemon with `providers` (e.g. `[resend, sendgrid]`) over fresh fake namespaces.
    static func run(
        providers: String, resendInject: [[String: JSONValue]] = [], sendgridInject: [[String: JSONValue]] = [],
        resendSettings: String = "", sendgridSettings: String = "",
        _ body: @Sendable (SocketClient, Vendors) async throws -> Void
    ) async throws {
        let vendors = Vendors(
            resend: try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "re_\(UUID().uuidString.prefix(8))", inject: resendInject),
            sendgrid: try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.\(UUID().uuidString.prefix(8))", inject: sendgridInject))
        try await LiveDaemon.run(config: { directory in
            """
            listen:
              socket: \(directory.socket)
            store:
              sqlite: \(directory.path)/sidecar.db
            email:
              provider: \(providers)
              from: "Acme <noreply@acme.test>"
              resend:
                api_key: \(vendors.resend.apiKey)
                base_url: \(vendors.resend.baseURL)
            \(resendSettings)
              sendgrid:
                api_key: \(vendors.sendgrid.apiKey)
                base_url: \(vendors.sendgrid.baseURL)
            \(sendgridSettings)
            """
        }) { client, _, _ in try await body(client, vendors) }
    }

    static func failure(_ status: Int, count: Int = 1, retryAfter: Int? = nil, delay: Double? = nil, body: JSONValue? = nil) -> [String: JSONValue] {
        var entry: [String: JSONValue] = ["status": .number(Double(status)), "count": .number(Double(count))]
        if let retryAfter { entry["retry_after"] = .number(Double(retryAfter)) }
        if let delay { entry["delay"] = .number(delay) }
        if let body { entry["body"] = body }
        return entry
    }

    @Test func resendGetsTheKeyAndTheCallersIdempotencyKey() async throws {
        try await Self.run(providers: "resend") { client, vendors in
            #expect(try await client.post("/email/send", Self.body, headers: [("Idempotency-Key", "caller-key-1")]).status == 200)
            #expect(try await client.post("/email/send", Self.body).status == 200)
            let requests = try await vendors.resend.requests()
            try #require(requests.count == 2)
            #expect(requests[0]["headers"]?["authorization"] == .string("Bearer \(vendors.resend.apiKey)"))
            #expect(requests[0]["headers"]?["idempotency-key"] == .string("caller-key-1"))
            // Without a caller's key the daemon makes one, so its own retries cannot send twice.
            #expect(requests[1]["headers"]?["idempotency-key"]?.stringValue?.hasPrefix("sidecar-") == true)
        }
    }

    @Test func resendBatchIsOnePermissiveCall() async throws {
        try await Self.run(providers: "resend") { client, vendors in
            let response = try await client.post("/email/batch", """
                {"messages": [{"to": "a@example.com", "subject": "1", "text": "1"}, {"to": "b@example.com", "subject": "2", "html": "<b>2</b>"}]}
                """)
            #expect(response.status == 200)
            let requests = try await vendors.resend.requests()
            #expect(requests.count == 1)
            #expect(requests.first?["path"] == .string("/emails/batch"))
            #expect(requests.first?["headers"]?["x-batch-validation"] == .string("permissive"))
            #expect(try await vendors.resend.messages().count == 2)
        }
    }

    @Test func sendgridBatchGroupsPersonalizations() async throws {
        try await Self.run(providers: "sendgrid") { client, vendors in
            let response = try await client.post("/email/batch", """
                {"messages": [{"to": "a@example.com", "subject": "For A", "text": "same"}, {"to": "b@example.com", "subject": "For B", "text": "same"}]}
                """)
            #expect(response.status == 200)
            let requests = try await vendors.sendgrid.requests()
            #expect(requests.count == 1)
            guard case .array(let personalizations) = requests.first?["body"]?["personalizations"] else {
                Issue.record("no personalizations")
                return
            }
            #expect(personalizations.count == 2)
            let subjects = Set(try await vendors.sendgrid.messages().map(\.subject))
            #expect(subjects == ["For A", "For B"])
        }
    }

    @Test func vendorValidationErrorIsPassedThrough() async throws {
        let vendorError: JSONValue = .object([
            "statusCode": .number(422), "name": .string("validation_error"),
            "message": .string("The `to` field contains a domain that is not allowed."),
        ])
        try await Self.run(providers: "[resend, sendgrid]", resendInject: [Self.failure(422, body: vendorError)]) { client, vendors in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 400)
            #expect(response.errorCode == "invalid_request")
            #expect(response.errorMessage == "The `to` field contains a domain that is not allowed.")
            #expect(response.json?["error"]?["provider"] == .string("resend"))
            #expect(response.json?["error"]?["provider_status"] == .number(422))
            #expect(try await vendors.sendgrid.requests().isEmpty, "a caller's mistake does not fail over")
        }
    }

    @Test func refusedKeyIsAProviderErrorThatNamesNoKey() async throws {
        // The fake demands another key than the one the daemon holds.
        let fake = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "re_expected_key")
        try await LiveDaemon.run(config: { directory in
            LiveDaemon.config(directory).replacingOccurrences(
                of: "provider: console",
                with: "provider: resend\n  resend:\n    api_key: re_canary_wrong_key_77\n    base_url: \(fake.baseURL)")
        }) { client, _, _ in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorCode == "provider_error")
            #expect(response.json?["error"]?["provider_status"] == .number(403))
            #expect(!response.text.contains("re_canary_wrong_key_77"))
        }
    }

    @Test func rateLimitIsRetriedAfterRetryAfterThenPassedOn() async throws {
        try await Self.run(providers: "resend", resendInject: [Self.failure(429, count: 1, retryAfter: 1)]) { client, vendors in
            let recovered = try await client.post("/email/send", Self.body)
            #expect(recovered.status == 200, "one 429 with Retry-After: 1 is waited out and retried")
            #expect(try await vendors.resend.requests().count == 2)
        }
        try await Self.run(providers: "resend", resendInject: [Self.failure(429, count: 5, retryAfter: 1)], resendSettings: "    max_attempts: 2") { client, vendors in
            let limited = try await client.post("/email/send", Self.body)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers["Retry-After"].first == "1")
            #expect(limited.json?["error"]?["retryable"] == .bool(true))
            #expect(try await vendors.resend.requests().count == 2)
        }
    }

    @Test func failoverWhenTheFirstVendorKeepsFailing() async throws {
        try await Self.run(providers: "[resend, sendgrid]", resendInject: [Self.failure(503, count: 3)]) { client, vendors in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 200)
            #expect(response.json?["provider"] == .string("sendgrid"))
            #expect(try await vendors.resend.requests().count == 3, "resend is retried (it honours idempotency keys) before failing over")
            #expect(try await vendors.sendgrid.messages().count == 1)
        }
    }

    @Test func failoverWhenTheFirstVendorTimesOut() async throws {
        try await Self.run(
            providers: "[resend, sendgrid]", resendInject: [Self.failure(200, count: 1, delay: 3)],
            resendSettings: "    timeout_seconds: 1\n    max_attempts: 1"
        ) { client, vendors in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 200)
            #expect(response.json?["provider"] == .string("sendgrid"))
            _ = vendors
        }
        try await Self.run(
            providers: "resend", resendInject: [Self.failure(200, count: 1, delay: 3)], resendSettings: "    timeout_seconds: 1\n    max_attempts: 1"
        ) { client, _ in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 504)
            #expect(response.errorCode == "provider_timeout")
        }
    }

    @Test func sendgridIsNeverRepeatedOnceACallMayHaveReachedIt() async throws {
        try await Self.run(providers: "sendgrid", sendgridInject: [Self.failure(500)]) { client, vendors in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorCode == "provider_error")
            #expect(response.json?["error"]?["retryable"] == .bool(true))
            #expect(try await vendors.sendgrid.requests().count == 1)
        }
    }

    @Test func circuitOpensThenHalfOpens() async throws {
        try await Self.run(
            providers: "[resend, sendgrid]", resendInject: [Self.failure(503, count: 2)],
            resendSettings: "    max_attempts: 1\n    circuit_failure_threshold: 2\n    circuit_cool_down_seconds: 1"
        ) { client, vendors in
            for _ in 0..<2 {
                #expect(try await client.post("/email/send", Self.body).json?["provider"] == .string("sendgrid"))
            }
            // Open: resend is not called at all.
            #expect(try await client.post("/email/send", Self.body).json?["provider"] == .string("sendgrid"))
            #expect(try await vendors.resend.requests().count == 2)
            // After the cool-down one probe goes through; it succeeds and closes the circuit.
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await client.post("/email/send", Self.body).json?["provider"] == .string("resend"))
            #expect(try await client.post("/email/send", Self.body).json?["provider"] == .string("resend"))
            #expect(try await vendors.resend.requests().count == 4)
        }
    }

    @Test func openCircuitWithoutFailoverIs503() async throws {
        try await Self.run(
            providers: "resend", resendInject: [Self.failure(503, count: 10)],
            resendSettings: "    max_attempts: 1\n    circuit_failure_threshold: 1\n    circuit_cool_down_seconds: 60"
        ) { client, vendors in
            #expect(try await client.post("/email/send", Self.body).status == 502)
            let open = try await client.post("/email/send", Self.body)
            #expect(open.status == 503)
            #expect(open.errorCode == "provider_unavailable")
            #expect(try await vendors.resend.requests().count == 1)
        }
    }

    @Test func idempotentReplayAfterFailoverCallsNoVendorAgain() async throws {
        try await Self.run(providers: "[resend, sendgrid]", resendInject: [Self.failure(503, count: 3)]) { client, vendors in
            let key = [("Idempotency-Key", "failover-once")]
            let first = try await client.post("/email/send", Self.body, headers: key)
            let again = try await client.post("/email/send", Self.body, headers: key)
            #expect(first.json?["provider"] == .string("sendgrid"))
            #expect(again.json?["id"] == first.json?["id"])
            #expect(try await vendors.resend.requests().count == 3)
            #expect(try await vendors.sendgrid.requests().count == 1)
        }
    }
}
