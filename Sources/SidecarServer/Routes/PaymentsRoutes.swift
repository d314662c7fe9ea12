import Hummingbird
import NIOCore
import SidecarCore
import SidecarPayments

/// `POST /payments/customers`, `/payments/checkout`, `/payments/portal` and
/// `/payments/subscriptions/cancel`: validated before any vendor call, idempotent under the
/// caller's `Idempotency-Key` (which is also forwarded to the vendor).
struct PaymentsRoutes {
    let idempotency: IdempotentExecution

    static let paths = ["/payments/customers", "/payments/checkout", "/payments/portal", "/payments/subscriptions/cancel"]

    func register(on router: Router<SidecarRequestContext>) {
        router.post("/payments/customers") { request, context in
            try await run(request, context: context, { try decode(PaymentsRequests.CustomerBody.self, $0).validated() }) {
                customer, provider, key in
                try JSONPayload(try await provider.createCustomer(customer, idempotencyKey: key))
            }
        }
        router.post("/payments/checkout") { request, context in
            try await run(request, context: context, pages: true, { try decode(PaymentsRequests.CheckoutBody.self, $0).validated() }) {
                checkout, provider, key in
                let session = try await provider.createCheckout(checkout, idempotencyKey: key)
                return try JSONPayload(CheckoutAnswer(
                    id: session.id, url: SandboxPageURL.complete(session.url, context: context), provider: provider.name))
            }
        }
        router.post("/payments/portal") { request, context in
            try await run(request, context: context, pages: true, { try decode(PaymentsRequests.PortalBody.self, $0).validated() }) {
                portal, provider, key in
                let url = try await provider.createPortal(customerID: portal.customerID, returnURL: portal.returnURL, idempotencyKey: key)
                return try JSONPayload(PortalAnswer(url: SandboxPageURL.complete(url, context: context), provider: provider.name))
            }
        }
        router.post("/payments/subscriptions/cancel") { request, context in
            try await run(request, context: context, { try decode(PaymentsRequests.CancelBody.self, $0).validated() }) {
                cancel, provider, key in
                let state = try await provider.cancelSubscription(id: cancel.id, atPeriodEnd: cancel.atPeriodEnd, idempotencyKey: key)
                return try JSONPayload(CancelAnswer(
                    id: state.id, status: state.status, cancelAtPeriodEnd: state.cancelAtPeriodEnd, provider: provider.name))
            }
        }
    }

    /// Validates the body with `validate` before anything else happens, then runs the call once
    /// per idempotency key with the provider of the request's snapshot. `pages`: the answer is a
    /// page URL, which the sandbox can hand out only with an address to put in front.
    private func run<Input>(
        _ request: Request, context: SidecarRequestContext, pages: Bool = false, _ validate: (ByteBuffer) throws -> Input,
        operation: @escaping (Input, any PaymentsProvider, String?) async throws -> JSONPayload
    ) async throws -> Response {
        let key = try IdempotentExecution.key(of: request)
        guard let provider = try context.providerSet().payments else { throw SidecarError.familyNotConfigured("payments") }
        if pages { try SandboxPageURL.checkAddress(of: provider, context: context) }
        let raw = try await JSONResponse.collect(request, context: context)
        let input = try validate(raw)
        return try await idempotency.run(key: key, request: request, body: raw) { try await operation(input, provider, key) }
    }

    private func decode<Body: Decodable>(_ type: Body.Type, _ raw: ByteBuffer) throws -> Body {
        try RequestDecoding.decode(Body.self, from: raw.readableBytesView)
    }

    struct CheckoutAnswer: Encodable {
        var id: String
        var url: String
        var provider: String
    }

    struct PortalAnswer: Encodable {
        var url: String
        var provider: String
    }

    struct CancelAnswer: Encodable {
        var id: String
        var status: String
        var cancelAtPeriodEnd: Bool
        var provider: String
        enum CodingKeys: String, CodingKey { case id, status, cancelAtPeriodEnd = "cancel_at_period_end", provider }
    }
}

/// The sandbox answers its pages' paths when it has no `public_url`: the webhook listener's
/// address goes in front.
enum SandboxPageURL {
    /// Refuses before anything is created when the sandbox's pages would have no address.
    static func checkAddress(of provider: any PaymentsProvider, context: SidecarRequestContext) throws {
        guard let sandbox = provider as? SandboxPaymentsProvider, !sandbox.hasPublicURL else { return }
        _ = try listenerAddress(context)
    }

    static func complete(_ url: String, context: SidecarRequestContext) throws -> String {
        guard url.hasPrefix("/") else { return url }
        return "http://\(try listenerAddress(context).description)" + url
    }

    private static func listenerAddress(_ context: SidecarRequestContext) throws -> ListenAddress {
        guard let address = try context.providerSet().loaded.config.webhooksListen else {
            throw SidecarError(
                .providerUnavailable,
                "the sandbox's checkout and portal pages are served on webhooks_listen: set it, or payments.sandbox.public_url",
                provider: SandboxPaymentsProvider.providerName)
        }
        return address
    }
}
