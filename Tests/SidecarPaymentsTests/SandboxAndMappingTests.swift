import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SidecarCore
import SidecarStore
import Testing
@testable import SidecarPayments

@Suite("Payments sandbox store and Stripe error mapping")
struct SandboxAndMappingTests {
    static func store() async throws -> SQLiteStore {
        try await SQLiteStore.open(path: ":memory:", logger: Logger(label: "test"))
    }

    static func record(_ id: String, state: String = "active", customer: String = "cus_1") -> SandboxRecord {
        SandboxRecord(kind: .subscription, id: id, customerID: customer, state: state, body: Array(#"{"id":"\#(id)"}"#.utf8), createdAt: Date())
    }

    @Test func anInsertNeverReplacesAndAnUpdateWinsOnce() async throws {
        let store = try await Self.store()
        #expect(try await store.insertSandboxRecord(Self.record("sub_1")))
        #expect(try await !store.insertSandboxRecord(Self.record("sub_1", state: "canceled")))
        #expect(try await store.sandboxRecord(kind: .subscription, id: "sub_1")?.state == "active")
        #expect(try await store.sandboxRecord(kind: .customer, id: "sub_1") == nil)

        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<20 {
                group.addTask {
                    try await store.updateSandboxRecord(
                        kind: .subscription, id: "sub_1", expectedState: "active", newState: "canceled", body: Array("\(attempt)".utf8))
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        #expect(try await store.sandboxRecord(kind: .subscription, id: "sub_1")?.state == "canceled")
        try await store.close()
    }

    @Test func aCustomersRecordsComeOldestFirst() async throws {
        let store = try await Self.store()
        for (index, id) in ["sub_c", "sub_a", "sub_b"].enumerated() {
            var record = Self.record(id)
            record.createdAt = Date(timeIntervalSince1970: Double(1000 + index))
            _ = try await store.insertSandboxRecord(record)
        }
        _ = try await store.insertSandboxRecord(Self.record("sub_other", customer: "cus_2"))
        #expect(try await store.sandboxRecords(kind: .subscription, customerID: "cus_1").map(\.id) == ["sub_c", "sub_a", "sub_b"])
        #expect(try await store.schemaVersion() == 3)
        try await store.close()
    }

    @Test func pagesEscapeEverythingTheyShow() {
        #expect(SandboxPages.escape(#"<script>alert("x")</script> & 'y'"#)
            == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
    }

    @Test func stripeParametersBecomeTheUnifiedFieldNames() {
        #expect(StripeAPI.unifiedField("customer") == "customer_id")
        #expect(StripeAPI.unifiedField("line_items[0][price]") == "line_items[0].price_id")
        #expect(StripeAPI.unifiedField("line_items[2][quantity]") == "line_items[2].quantity")
        #expect(StripeAPI.unifiedField("metadata[order_id]") == "metadata.order_id")
        #expect(StripeAPI.unifiedField("success_url") == "success_url")
    }

    static func api() -> StripeAPI {
        StripeAPI(
            secretKey: SecretValue("sk_test_x"), apiVersion: "2024-06-20", baseURL: "http://127.0.0.1:1",
            http: VendorHTTPSettings(),
            transport: HTTPTransport(client: .shared), breaker: CircuitBreaker(provider: "stripe", configuration: .init()),
            provider: "stripe")
    }

    static func answer(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> VendorResponse {
        VendorResponse(status: status, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func stripeErrorsMapToTheUnifiedError() {
        let api = Self.api()
        let missing = api.error(for: Self.answer(400, #"{"error": {"type": "invalid_request_error", "code": "resource_missing", "param": "customer", "message": "No such customer: 'cus_x'"}}"#))
        #expect(missing.code == .notFound)
        #expect(missing.message == "customer_id: No such customer: 'cus_x'")
        #expect(missing.providerStatus == 400)

        let invalid = api.error(for: Self.answer(400, #"{"error": {"type": "invalid_request_error", "param": "line_items[0][quantity]", "message": "This value must be greater than or equal to 1."}}"#))
        #expect(invalid.code == .invalidRequest)
        #expect(invalid.message == "line_items[0].quantity: This value must be greater than or equal to 1.")

        let key = api.error(for: Self.answer(401, #"{"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****abcd"}}"#))
        #expect(key.code == .providerError)
        #expect(!key.message.contains("abcd"))

        let reused = api.error(for: Self.answer(400, #"{"error": {"type": "idempotency_error", "message": "Keys for idempotent requests…"}}"#))
        #expect(reused.code == .idempotencyConflict)

        let card = api.error(for: Self.answer(402, #"{"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}"#))
        #expect(card.code == .providerError && card.message == "Your card was declined.")

        let down = api.error(for: Self.answer(503, "<html>bad gateway</html>", headers: ["Stripe-Should-Retry": "false"]))
        #expect(down.code == .providerError && !down.retryable)
        let busy = api.error(for: Self.answer(409, #"{"error": {"type": "invalid_request_error", "code": "lock_timeout", "message": "busy"}}"#, headers: ["Stripe-Should-Retry": "true"]))
        #expect(busy.code == .conflict && busy.retryable)
    }
}
