import Foundation
import SidecarCore
import Testing

/// The payments conformance suite: written once, run against the sandbox and against Stripe
/// (localstripe behind the faithful Checkout/Billing Portal fake), through the daemon's socket.
@Suite("Payments conformance")
struct PaymentsConformanceTests {
    static func customer(_ client: SocketClient, email: String = "ada@example.com") async throws -> String {
        let response = try await client.post("/payments/customers", #"{"email": "\#(email)", "name": "Ada"}"#)
        #expect(response.status == 200, "\(response.text)")
        return try #require(response.json?["id"]?.stringValue)
    }

    @Test(arguments: PaymentsTarget.all)
    func customerCheckoutAndPortal(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, peer in
            let created = try await client.post(
                "/payments/customers", #"{"email": "ada@example.com", "name": "Ada Lovelace", "metadata": {"uid": "u-1"}}"#)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json?["email"] == .string("ada@example.com"))
            #expect(created.json?["provider"] == .string(target.kind.rawValue))
            let customerID = try #require(created.json?["id"]?.stringValue)
            #expect(customerID.hasPrefix("cus_"))

            let success = "https://app.test/done?session={CHECKOUT_SESSION_ID}&plan=pro"
            let checkout = try await client.post("/payments/checkout", """
                {"customer_id": "\(customerID)", "mode": "subscription",
                 "line_items": [{"price_id": "price_pro", "quantity": 2}, {"price_id": "price_seat", "quantity": 5}],
                 "success_url": "\(success)", "cancel_url": "https://app.test/cancelled", "metadata": {"order": "o-7"}}
                """)
            #expect(checkout.status == 200, "\(checkout.text)")
            #expect(checkout.json?["provider"] == .string(target.kind.rawValue))
            let sessionID = try #require(checkout.json?["id"]?.stringValue)
            let url = try #require(checkout.json?["url"]?.stringValue)
            #expect(sessionID.hasPrefix("cs_"))
            #expect(url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1:\(peer.pagesPort)/"))

            // The success URL's template reaches the vendor intact; the vendor fills it in.
            switch target.kind {
            case .stripe:
                let call = try #require(try await peer.vendorCalls().last { $0["path"] == .string("/v1/checkout/sessions") })
                let form = FormPairs(call)
                #expect(form["success_url"] == success)
                #expect(form["customer"] == customerID)
                #expect(form["line_items[1][price]"] == "price_seat")
                #expect(form["line_items[1][quantity]"] == "5")
            case .sandbox:
                let paid = try await SandboxBrowser.post(url + "/pay")
                #expect(paid.status == 303)
                #expect(paid.headers.first(name: "location") == success.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: sessionID))
            }

            let portal = try await client.post("/payments/portal", #"{"customer_id": "\#(customerID)", "return_url": "https://app.test/account"}"#)
            #expect(portal.status == 200, "\(portal.text)")
            let portalURL = try #require(portal.json?["url"]?.stringValue)
            #expect(portalURL.hasPrefix("https://") || portalURL.hasPrefix("http://127.0.0.1:\(peer.pagesPort)/"))
        }
    }

    @Test(arguments: PaymentsTarget.all)
    func paymentModeWithACustomerEmail(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, _ in
            let checkout = try await client.post("/payments/checkout", """
                {"customer_email": "bob@example.com", "mode": "payment", "line_items": [{"price_id": "price_book", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            #expect(checkout.status == 200, "\(checkout.text)")
            #expect(checkout.json?["id"]?.stringValue?.hasPrefix("cs_") == true)
        }
    }

    @Test(arguments: PaymentsTarget.all)
    func anUnknownCustomerIsNotFound(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, _ in
            let checkout = try await client.post("/payments/checkout", """
                {"customer_id": "cus_doesnotexist", "mode": "subscription", "line_items": [{"price_id": "price_pro", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            #expect(checkout.status == 404, "\(checkout.text)")
            #expect(checkout.errorMessage?.hasPrefix("customer_id:") == true, "\(checkout.text)")
            let portal = try await client.post("/payments/portal", #"{"customer_id": "cus_doesnotexist", "return_url": "https://app.test/a"}"#)
            #expect(portal.status == 404, "\(portal.text)")
            #expect(portal.errorMessage?.hasPrefix("customer_id:") == true, "\(portal.text)")
        }
    }

    @Test(arguments: PaymentsTarget.all)
    func cancelAtPeriodEndThenNow(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, peer in
            let customerID = try await Self.customer(client)
            let first = try await peer.makeSubscription(customerID: customerID)
            let second = try await peer.makeSubscription(customerID: customerID)

            let later = try await client.post("/payments/subscriptions/cancel", #"{"subscription_id": "\#(first)", "at_period_end": true}"#)
            #expect(later.status == 200, "\(later.text)")
            #expect(later.json?["id"] == .string(first))
            #expect(later.json?["status"] == .string("active"))
            #expect(later.json?["cancel_at_period_end"] == .bool(true))

            let now = try await client.post("/payments/subscriptions/cancel", #"{"subscription_id": "\#(second)"}"#)
            #expect(now.status == 200, "\(now.text)")
            #expect(now.json?["id"] == .string(second))
            #expect(now.json?["status"] == .string("canceled"))

            let missing = try await client.post("/payments/subscriptions/cancel", #"{"subscription_id": "sub_doesnotexist"}"#)
            #expect(missing.status == 404, "\(missing.text)")
            #expect(missing.errorMessage?.hasPrefix("subscription_id:") == true, "\(missing.text)")
        }
    }

    @Test(arguments: PaymentsTarget.all)
    func anIdempotencyKeyCreatesOnce(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, peer in
            let key = [("Idempotency-Key", "customer-\(UUID().uuidString)")]
            let body = #"{"email": "eve@example.com"}"#
            let first = try await client.post("/payments/customers", body, headers: key)
            let again = try await client.post("/payments/customers", body, headers: key)
            #expect(first.status == 200 && again.status == 200, "\(first.text) \(again.text)")
            #expect(first.json?["id"] == again.json?["id"])
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            let conflict = try await client.post("/payments/customers", #"{"email": "mallory@example.com"}"#, headers: key)
            #expect(conflict.status == 409)
            #expect(conflict.errorCode == "idempotency_conflict")
            if target.kind == .stripe {
                let creates = try await peer.vendorCalls().filter { $0["path"] == .string("/v1/customers") }
                #expect(creates.count == 1)
            }
        }
    }

    @Test(arguments: PaymentsTarget.all)
    func badInputIsRefusedBeforeAnyVendorCall(target: PaymentsTarget) async throws {
        guard target.available else { return }
        try await target.run { client, peer in
            let item = #"[{"price_id": "price_pro", "quantity": 1}]"#
            let urls = #""success_url": "https://app.test/ok", "cancel_url": "https://app.test/no""#
            let rows: [(body: String, field: String)] = [
                (#"{"mode": "subscription", "line_items": \#(item), "cancel_url": "https://app.test/no"}"#, "success_url:"),
                (#"{"mode": "subscription", "line_items": [], \#(urls)}"#, "line_items:"),
                (#"{"mode": "subscription", "line_items": [{"price_id": "price_pro", "quantity": 0}], \#(urls)}"#, "line_items[0].quantity:"),
                (#"{"mode": "rental", "line_items": \#(item), \#(urls)}"#, "mode:"),
                (#"{"mode": "payment", "line_items": [{"quantity": 1}], \#(urls)}"#, "line_items[0].price_id:"),
                (#"{"mode": "payment", "line_items": \#(item), "success_url": "not a url", "cancel_url": "https://app.test/no"}"#, "success_url:"),
                (#"{"mode": "payment", "line_items": \#(item), \#(urls), "customer_id": "cus_1", "customer_email": "a@b.test"}"#, "customer_email:"),
                (#"{"mode": "payment", "line_items": "price_pro", \#(urls)}"#, "line_items:"),
            ]
            for row in rows {
                let response = try await client.post("/payments/checkout", row.body)
                #expect(response.status == 400, "\(row.body) → \(response.text)")
                #expect(response.errorCode == "invalid_request")
                #expect(response.errorMessage?.contains(row.field) == true, "\(row.field) not named in \(response.text)")
            }
            let customer = try await client.post("/payments/customers", #"{"name": "No Email"}"#)
            #expect(customer.status == 400 && customer.errorMessage?.contains("email:") == true, "\(customer.text)")
            let portal = try await client.post("/payments/portal", #"{"customer_id": "../v1/charges"}"#)
            #expect(portal.status == 400 && portal.errorMessage?.contains("customer_id:") == true, "\(portal.text)")
            let cancel = try await client.post("/payments/subscriptions/cancel", #"{"subscription_id": "sub_1/../../customers"}"#)
            #expect(cancel.status == 400 && cancel.errorMessage?.contains("subscription_id:") == true, "\(cancel.text)")
            #expect(try await peer.vendorCalls().isEmpty)
        }
    }
}

/// The decoded form of one call the Stripe fake recorded.
struct FormPairs {
    let pairs: [(String, String)]

    init(_ call: JSONValue) {
        pairs = (call["form"]?.arrayValue ?? []).compactMap { pair in
            guard let items = pair.arrayValue, items.count == 2, let key = items[0].stringValue, let value = items[1].stringValue else { return nil }
            return (key, value)
        }
    }

    subscript(key: String) -> String? { pairs.first { $0.0 == key }?.1 }
}
