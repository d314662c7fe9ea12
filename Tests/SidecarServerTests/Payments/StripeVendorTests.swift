import Foundation
import SidecarCore
import Testing

/// What the daemon sends Stripe and how it reads Stripe's answers, checked against the fake
/// Stripe front (which decodes the form and enforces key, version and idempotency).
@Suite("Stripe provider")
struct StripeVendorTests {
    static let stripe = PaymentsTarget(kind: .stripe)
    static let checkout = """
        {"customer_email": "zoe@example.com", "mode": "subscription",
         "line_items": [{"price_id": "price_pro", "quantity": 1}],
         "success_url": "https://app.test/ok?s={CHECKOUT_SESSION_ID}", "cancel_url": "https://app.test/no",
         "metadata": {"note": "a&b=c+d e", "name": "Zoë 🎉"}}
        """

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func everyCallCarriesTheKeyTheVersionAndAnIdempotencyKey() async throws {
        try await Self.stripe.run { client, peer in
            let key = "checkout-\(UUID().uuidString)"
            let response = try await client.post("/payments/checkout", Self.checkout, headers: [("Idempotency-Key", key)])
            #expect(response.status == 200, "\(response.text)")
            _ = try await client.post("/payments/customers", #"{"email": "zoe@example.com"}"#)

            let calls = try await peer.vendorCalls()
            try #require(calls.count == 2)
            let (session, customer) = (calls[0], calls[1])
            #expect(session["headers"]?["authorization"] == .string("Bearer \(try #require(peer.stripe).apiKey)"))
            #expect(session["headers"]?["stripe-version"] == .string("2024-06-20"))
            #expect(session["headers"]?["content-type"] == .string("application/x-www-form-urlencoded"))
            // The caller's key is forwarded; without one the daemon makes its own per call.
            #expect(session["headers"]?["idempotency-key"] == .string(key))
            #expect(customer["headers"]?["idempotency-key"]?.stringValue?.hasPrefix("sidecar-") == true)
            #expect(customer["headers"]?["stripe-version"] == .string("2024-06-20"))

            // The fake decoded the bracket form back into exactly these values.
            let form = FormPairs(session)
            #expect(form["metadata[note]"] == "a&b=c+d e")
            #expect(form["metadata[name]"] == "Zoë 🎉")
            #expect(form["subscription_data[metadata][note]"] == "a&b=c+d e")
            #expect(form["line_items[0][price]"] == "price_pro")
            #expect(form["customer_email"] == "zoe@example.com")
            #expect(form["success_url"] == "https://app.test/ok?s={CHECKOUT_SESSION_ID}")
        }
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func shouldRetryTrueIsRetriedWithTheSameKey() async throws {
        let conflict: [String: JSONValue] = [
            "status": .number(409), "count": .number(1), "path": .string("/v1/customers"),
            "headers": .object(["Stripe-Should-Retry": .string("true")]),
            "body": .object(["error": .object(["type": .string("invalid_request_error"), "code": .string("lock_timeout"),
                                               "message": .string("This object cannot be accessed right now.")])]),
        ]
        try await Self.stripe.run(inject: [conflict]) { client, peer in
            let response = try await client.post("/payments/customers", #"{"email": "retry@example.com"}"#)
            #expect(response.status == 200, "\(response.text)")
            let calls = try await peer.vendorCalls()
            try #require(calls.count == 2)
            #expect(calls[0]["headers"]?["idempotency-key"] == calls[1]["headers"]?["idempotency-key"])
        }
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func shouldRetryFalseIsNotRetriedEvenOn500() async throws {
        let failure: [String: JSONValue] = [
            "status": .number(500), "count": .number(3), "headers": .object(["Stripe-Should-Retry": .string("false")]),
        ]
        try await Self.stripe.run(inject: [failure]) { client, peer in
            let response = try await client.post("/payments/customers", #"{"email": "once@example.com"}"#)
            #expect(response.status == 502, "\(response.text)")
            #expect(response.errorCode == "provider_error")
            #expect(response.json?["error"]?["retryable"] == .bool(false))
            #expect(response.json?["error"]?["provider_status"] == .number(500))
            #expect(try await peer.vendorCalls().count == 1)
        }
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func rateLimitsAreWaitedOutThenPassedOn() async throws {
        let limited: [String: JSONValue] = ["status": .number(429), "count": .number(5), "headers": .object(["Retry-After": .string("1")])]
        try await Self.stripe.run(inject: [limited]) { client, peer in
            let response = try await client.post("/payments/customers", #"{"email": "busy@example.com"}"#)
            #expect(response.status == 429, "\(response.text)")
            #expect(response.errorCode == "rate_limited")
            #expect(response.headers.first(name: "Retry-After") == "1")
            #expect(try await peer.vendorCalls().count == 3)
        }
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func stripeErrorsKeepTheirMessageAndNameTheField() async throws {
        let idempotency: [String: JSONValue] = [
            "status": .number(400), "count": .number(1), "path": .string("/v1/customers"),
            "body": .object(["error": .object(["type": .string("idempotency_error"), "message": .string("Keys for idempotent requests can only be used with the same parameters they were first used with.")])]),
        ]
        try await Self.stripe.run(inject: [idempotency]) { client, _ in
            let reused = try await client.post("/payments/customers", #"{"email": "a@example.com"}"#)
            #expect(reused.status == 409, "\(reused.text)")
            #expect(reused.errorCode == "idempotency_conflict")

            let missingPrice = try await client.post("/payments/checkout", """
                {"mode": "payment", "line_items": [{"price_id": "price_missing", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            #expect(missingPrice.status == 404, "\(missingPrice.text)")
            #expect(missingPrice.errorMessage == "line_items[0].price_id: No such price: 'price_missing'")
            #expect(missingPrice.json?["error"]?["provider"] == .string("stripe"))
            #expect(missingPrice.json?["error"]?["provider_status"] == .number(400))
        }
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func aRefusedKeyIsAProviderErrorThatNeverShowsTheKey() async throws {
        let prepared = try await Self.stripe.prepare()
        let fake = try #require(prepared.stripe)
        let wrongKey = "sk_test_WRONGKEY\(UUID().uuidString.prefix(8))"
        try await LiveDaemon.run(config: { directory in
            LiveDaemon.config(directory, extra: """
                payments:
                  provider: stripe
                  stripe:
                    secret_key: \(wrongKey)
                    base_url: \(fake.baseURL)
                """)
        }) { client, _, _ in
            let response = try await client.post("/payments/customers", #"{"email": "a@example.com"}"#)
            #expect(response.status == 502, "\(response.text)")
            #expect(response.errorCode == "provider_error")
            #expect(!response.text.contains(wrongKey))
            #expect(!response.text.contains(String(wrongKey.suffix(4))))
        }
    }
}
