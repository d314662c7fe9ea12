import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import SidecarCore
import Testing

/// One payments provider with the peer it is checked against: the sandbox (its own pages and
/// store), or Stripe through scripts/peers/fake_stripe.py (Checkout and Billing Portal answered
/// by the fake, customers and subscriptions by localstripe behind it).
struct PaymentsTarget: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable { case sandbox, stripe }
    let kind: Kind
    var testDescription: String { kind.rawValue }

    static let all: [PaymentsTarget] = [.init(kind: .sandbox), .init(kind: .stripe)]

    /// Whether it can run here; a missing peer fails the availability test when peers are required.
    var available: Bool { kind == .sandbox || Peers.stripe != nil }

    /// A configured daemon for one test: its `payments:` block and the vendor's view of things.
    struct Prepared: Sendable {
        var block: String
        /// The Stripe fake's namespace (nil for the sandbox).
        var stripe: FakeVendorNamespace?
    }

    func prepare(inject: [[String: JSONValue]] = []) async throws -> Prepared {
        switch kind {
        case .sandbox:
            return Prepared(block: "provider: sandbox", stripe: nil)
        case .stripe:
            let fake = try await FakeVendorNamespace.create(
                at: Peers.stripe ?? "", apiKey: "sk_test_conformance\(UUID().uuidString.prefix(8))", inject: inject)
            let block = """
                provider: stripe
                  stripe:
                    secret_key: \(fake.apiKey)
                    api_version: "2024-06-20"
                    base_url: \(fake.baseURL)
                """
            return Prepared(block: block, stripe: fake)
        }
    }

    /// Runs `body` against a daemon whose payments family is this target (webhook listener on).
    func run(
        inject: [[String: JSONValue]] = [],
        _ body: @Sendable (SocketClient, PaymentsPeer) async throws -> Void
    ) async throws {
        let prepared = try await prepare(inject: inject)
        let port = try freePort()
        try await LiveDaemon.run(config: { directory in
            LiveDaemon.config(directory, listen: "webhooks_listen: 127.0.0.1:\(port)", extra: "payments:\n  \(prepared.block)")
        }) { client, _, _ in
            try await body(client, PaymentsPeer(kind: kind, client: client, stripe: prepared.stripe, pagesPort: port))
        }
    }
}

/// What a conformance test may ask of the vendor side, the same way for every target.
struct PaymentsPeer: Sendable {
    let kind: PaymentsTarget.Kind
    let client: SocketClient
    let stripe: FakeVendorNamespace?
    /// The webhook listener serving the sandbox's pages.
    let pagesPort: Int

    /// A live subscription for `customerID`: paid through the sandbox's checkout page, or made
    /// in localstripe by the fake's helper.
    func makeSubscription(customerID: String) async throws -> String {
        switch kind {
        case .sandbox:
            let checkout = try await client.post("/payments/checkout", """
                {"customer_id": "\(customerID)", "mode": "subscription", "line_items": [{"price_id": "price_pro", "quantity": 1}],
                 "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
                """)
            let url = try #require(checkout.json?["url"]?.stringValue)
            let paid = try await SandboxBrowser.post(url + "/pay")
            #expect(paid.status == 303)
            let events = try await client.call(.GET, "/webhooks/events?limit=100")
            let created = events.json?["events"]?.arrayValue?.first { event in
                event["type"]?.stringValue == "customer.subscription.created"
                    && event["data"]?["data"]?["object"]?["customer"]?.stringValue == customerID
            }
            return try #require(created?["data"]?["data"]?["object"]?["id"]?.stringValue, "\(events.text)")
        case .stripe:
            let fake = try #require(stripe)
            var request = HTTPClientRequest(url: "\(fake.root)/_ns/\(fake.name)/subscriptions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"customer": "\#(customerID)"}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
            return try #require(json["id"]?.stringValue, "\(json)")
        }
    }

    /// Calls the vendor received (Stripe only; the sandbox calls nobody).
    func vendorCalls() async throws -> [JSONValue] {
        try await stripe?.requests() ?? []
    }
}

/// A plain HTTP client for the sandbox's pages that does not follow redirects, as a test needs
/// to see where the page sends the buyer.
enum SandboxBrowser {
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func get(_ url: String) async throws -> LiveResponse {
        try await send(HTTPClientRequest(url: url))
    }

    /// Submits a page's form (`application/x-www-form-urlencoded`).
    static func post(_ url: String, form: String = "") async throws -> LiveResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        return try await send(request)
    }

    private static func send(_ request: HTTPClientRequest) async throws -> LiveResponse {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return LiveResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
    }
}
