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
            try await run(request, context: context, { try decode(PaymentsRequests.CheckoutBody.self, $0).validated() }) {
                checkout, provider, key in
                let session = try await provider.createCheckout(checkout, idempotencyKey: key)
                return try JSONPayload(CheckoutAnswer(
                    id: session.id, url: SandboxPageURL.complete(session.url, context: context), provider: provider.name))
            }
        }
        router.post("/payments/portal") { request, context in
            try await run(request, context: context, { try decode(PaymentsRequests.PortalBody.self, $0).validated() }) {
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
    /// per idempotency key with the provider of the request's snapshot.
    private func run<Input>(
        _ request: Request, context: SidecarRequestContext, _ validate: (ByteBuffer) throws -> Input,
        operation: @escaping (Input, any PaymentsProvider, String?) async throws -> JSONPayload
    ) async throws -> Response {
        let key = try IdempotentExecution.key(of: request)
        guard let provider = try context.providerSet().payments else { throw SidecarError.familyNotConfigured("payments") }
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
    static func complete(_ url: String, context: SidecarRequestContext) throws -> String {
        guard url.hasPrefix("/") else { return url }
        guard let address = try context.providerSet().loaded.config.webhooksListen else {
            throw SidecarError(
                .providerUnavailable,
                "the sandbox's checkout and portal pages are served on webhooks_listen: set it, or payments.sandbox.public_url",
                provider: SandboxPaymentsProvider.providerName)
        }
        return "http://\(address.description)" + url
    }
}
