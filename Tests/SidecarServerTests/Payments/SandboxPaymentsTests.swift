import Foundation
import SidecarCore
import Testing

/// The offline sandbox end to end: its pages driven by a plain HTTP client as a browser would
/// submit them, and the Stripe-shaped events it emits, delivered to the application signed.
@Suite("Payments sandbox")
struct SandboxPaymentsTests {
    static func config(_ directory: TestDirectory, port: Int, webhooks: String = "", sandbox: String = "") -> String {
        LiveDaemon.config(directory, listen: "webhooks_listen: 127.0.0.1:\(port)", extra: """
            payments:
              provider: sandbox
            \(sandbox)
            \(webhooks)
            """)
    }

    static func events(_ client: SocketClient, type: String) async throws -> [JSONValue] {
        let listed = try await client.call(.GET, "/webhooks/events?limit=200")
        return (listed.json?["events"]?.arrayValue ?? []).filter { $0["type"] == .string(type) }
    }

    @Test(.enabled(if: PythonPeers.enabled, "needs SIDECAR_TEST_PYTHON (scripts/test.sh)"))
    func payingOnThePageCompletesTheSessionAndDeliversStripeShapedEvents() async throws {
        let app = try WebhookApp()
        try await app.start()
        defer { app.stop() }
        let port = try freePort()
        let deliver = "webhooks:\n  deliver_to: \(app.deliverTo)\n  signing_secret: \"\(app.secret)\""
        try await LiveDaemon.run(config: { Self.config($0, port: port, webhooks: deliver) }) { client, _, _ in
            let success = "https://app.test/welcome?session={CHECKOUT_SESSION_ID}"
            let checkout = try await client.post("/payments/checkout", """
                {"customer_email": "ada@example.com", "mode": "subscription", "line_items": [{"price_id": "price_pro", "quantity": 3}],
                 "success_url": "\(success)", "cancel_url": "https://app.test/pricing", "metadata": {"plan": "pro"}}
                """)
            #expect(checkout.status == 200, "\(checkout.text)")
            let id = try #require(checkout.json?["id"]?.stringValue)
            let url = try #require(checkout.json?["url"]?.stringValue)
            #expect(url == "http://127.0.0.1:\(port)/sandbox/payments/checkout/\(id)")

            let page = try await SandboxBrowser.get(url)
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("price_pro") && page.text.contains("ada@example.com"))
            #expect(page.text.contains(#"action="/sandbox/payments/checkout/\#(id)/pay""#))
            #expect(!page.text.contains(#"name="email""#))

            let landing = success.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: id)
            let paid = try await SandboxBrowser.post(url + "/pay")
            #expect(paid.status == 303)
            #expect(paid.headers.first(name: "location") == landing)
            // A double click changes nothing.
            let again = try await SandboxBrowser.post(url + "/pay")
            #expect(again.headers.first(name: "location") == landing)
            #expect(try await SandboxBrowser.get(url).text.contains("This session is paid."))

            let record = try await app.waitFor { $0.deliveries.count >= 2 }
            try await Task.sleep(for: .milliseconds(300))
            let deliveries = try await app.record().deliveries
            #expect(deliveries.count == 2)
            #expect(try await app.record().rejected == 0)
            let byType = Dictionary(deliveries.map { ($0.body["type"]?.stringValue ?? "", $0.body) }, uniquingKeysWith: { a, _ in a })
            let completed = try #require(byType["checkout.session.completed"], "\(record.deliveries.map(\.body))")
            #expect(completed["unified_type"] == .string("payments.checkout.completed"))
            #expect(completed["provider"] == .string("sandbox"))
            let session = try #require(completed["data"]?["data"]?["object"])
            #expect(completed["data"]?["object"] == .string("event"))
            #expect(session["object"] == .string("checkout.session"))
            #expect(session["id"] == .string(id))
            #expect(session["status"] == .string("complete"))
            #expect(session["payment_status"] == .string("paid"))
            #expect(session["metadata"]?["plan"] == .string("pro"))
            let subscriptionID = try #require(session["subscription"]?.stringValue)
            let customerID = try #require(session["customer"]?.stringValue)

            let created = try #require(byType["customer.subscription.created"])
            #expect(created["unified_type"] == .string("payments.subscription.created"))
            let subscription = try #require(created["data"]?["data"]?["object"])
            #expect(subscription["id"] == .string(subscriptionID))
            #expect(subscription["customer"] == .string(customerID))
            #expect(subscription["status"] == .string("active"))
            #expect(subscription["items"]?["data"]?.arrayValue?.first?["quantity"] == .number(3))
            #expect(subscription["items"]?["data"]?.arrayValue?.first?["price"]?["id"] == .string("price_pro"))

            // The customer made at payment is a real one: the portal opens for it.
            let portal = try await client.post("/payments/portal", #"{"customer_id": "\#(customerID)", "return_url": "https://app.test/account"}"#)
            #expect(portal.status == 200, "\(portal.text)")
        }
    }

    @Test func thePortalListsSubscriptionsAndCancelsOne() async throws {
        let port = try freePort()
        try await LiveDaemon.run(config: { Self.config($0, port: port) }) { client, _, _ in
            let customerID = try await PaymentsConformanceTests.customer(client, email: "bob@example.com")
            let peer = PaymentsPeer(kind: .sandbox, client: client, stripe: nil, pagesPort: port)
            let subscriptionID = try await peer.makeSubscription(customerID: customerID)

            let portal = try await client.post("/payments/portal", #"{"customer_id": "\#(customerID)", "return_url": "https://app.test/account"}"#)
            let url = try #require(portal.json?["url"]?.stringValue)
            let page = try await SandboxBrowser.get(url)
            #expect(page.status == 200)
            #expect(page.text.contains(subscriptionID) && page.text.contains("bob@example.com"))
            #expect(page.text.contains(#"href="https://app.test/account""#))
            let cancelAction = "\(url)/subscriptions/\(subscriptionID)/cancel"
            #expect(page.text.contains(#"action="\#(URL(string: cancelAction)?.path ?? "")""#))

            let cancelled = try await SandboxBrowser.post(cancelAction)
            #expect(cancelled.status == 303)
            #expect(cancelled.headers.first(name: "location") == URL(string: url)?.path)
            let after = try await SandboxBrowser.get(url)
            #expect(after.text.contains("canceled") && !after.text.contains("Cancel subscription"))

            let deleted = try await Self.events(client, type: "customer.subscription.deleted")
            #expect(deleted.count == 1)
            #expect(deleted.first?["unified_type"] == .string("payments.subscription.deleted"))
            #expect(deleted.first?["data"]?["data"]?["object"]?["status"] == .string("canceled"))

            // Cancelling again through the API answers the same state and emits nothing new.
            let api = try await client.post("/payments/subscriptions/cancel", #"{"subscription_id": "\#(subscriptionID)"}"#)
            #expect(api.json?["status"] == .string("canceled"))
            #expect(try await Self.events(client, type: "customer.subscription.deleted").count == 1)

            // Another customer's portal cannot cancel it.
            let other = try await PaymentsConformanceTests.customer(client, email: "eve@example.com")
            let otherPortal = try await client.post("/payments/portal", #"{"customer_id": "\#(other)", "return_url": "https://app.test/a"}"#)
            let otherURL = try #require(otherPortal.json?["url"]?.stringValue)
            #expect(try await SandboxBrowser.post("\(otherURL)/subscriptions/\(subscriptionID)/cancel").status == 404)
        }
    }

    @Test func anAnonymousCheckoutAsksForAnEmailAndCancelGoesBack() async throws {
        let port = try freePort()
        try await LiveDaemon.run(config: { Self.config($0, port: port) }) { client, _, _ in
            let checkout = try await client.post("/payments/checkout", """
                {"mode": "subscription", "line_items": [{"price_id": "price_<b>bold</b>", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/pricing?from=checkout"}
                """)
            // Ids are letters, digits, `_` and `-` only: markup never gets that far.
            #expect(checkout.status == 400)

            let valid = try await client.post("/payments/checkout", """
                {"mode": "subscription", "line_items": [{"price_id": "price_team", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/pricing?from=checkout"}
                """)
            let url = try #require(valid.json?["url"]?.stringValue)
            #expect(try await SandboxBrowser.get(url).text.contains(#"name="email""#))
            let left = try await SandboxBrowser.post(url + "/cancel")
            #expect(left.status == 303)
            #expect(left.headers.first(name: "location") == "https://app.test/pricing?from=checkout")

            let noEmail = try await SandboxBrowser.post(url + "/pay")
            #expect(noEmail.status == 400)
            #expect(noEmail.json?["error"]?["message"]?.stringValue?.hasPrefix("email:") == true)
            let paid = try await SandboxBrowser.post(url + "/pay", form: "email=zo%C3%AB%2Btest%40example.com")
            #expect(paid.status == 303)
            let completed = try await Self.events(client, type: "checkout.session.completed")
            #expect(completed.first?["data"]?["data"]?["object"]?["customer_email"] == .string("zoë+test@example.com"))

            #expect(try await SandboxBrowser.get("http://127.0.0.1:\(port)/sandbox/payments/checkout/cs_sbx_nope").status == 404)
        }
    }

    @Test func pageURLsNeedAnAddressToPointAt() async throws {
        try await LiveDaemon.run(config: { LiveDaemon.config($0, extra: "payments:\n  provider: sandbox") }) { client, _, _ in
            let checkout = try await client.post("/payments/checkout", """
                {"mode": "payment", "line_items": [{"price_id": "price_book", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            #expect(checkout.status == 503)
            #expect(checkout.errorMessage?.contains("webhooks_listen") == true, "\(checkout.text)")
            // Customers have no page: they are created as usual; the portal is refused like checkout.
            let customerID = try await PaymentsConformanceTests.customer(client)
            let portal = try await client.post("/payments/portal", #"{"customer_id": "\#(customerID)", "return_url": "https://app.test/a"}"#)
            #expect(portal.status == 503 && portal.errorMessage?.contains("public_url") == true, "\(portal.text)")
        }
        try await LiveDaemon.run(config: {
            LiveDaemon.config($0, extra: "payments:\n  provider: sandbox\n  sandbox:\n    public_url: https://pay.acme.test/")
        }) { client, _, _ in
            let checkout = try await client.post("/payments/checkout", """
                {"mode": "payment", "line_items": [{"price_id": "price_book", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            #expect(checkout.json?["url"]?.stringValue?.hasPrefix("https://pay.acme.test/sandbox/payments/checkout/cs_sbx_") == true)
        }
    }
}
