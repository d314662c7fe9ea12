import Foundation
import SidecarCore

/// Takes payments through Stripe's API: customers, Checkout Sessions, Billing Portal sessions,
/// and subscription cancellation now (`DELETE /v1/subscriptions/{id}`) or at the period's end
/// (`cancel_at_period_end=true`).
public struct StripePaymentsProvider: PaymentsProvider, RegisteredProvider {
    /// `payments.stripe`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["secret_key", "api_version", "base_url"] + VendorHTTPSettings.keys
        public static let defaultAPIVersion = "2024-06-20"

        public var secretKey: SecretValue
        /// Sent as `Stripe-Version` on every call, so the account's default cannot change shapes.
        public var apiVersion: String
        public var baseURL: String
        public var http: VendorHTTPSettings

        public init?(from reader: ConfigReader) {
            let key = reader.secret("secret_key", required: true)
            if let key, !key.withRevealedValue({ $0.hasPrefix("sk_") || $0.hasPrefix("rk_") }) {
                // Never the value itself: only what kind of value was expected.
                reader.problem("secret_key", "expected a Stripe secret or restricted key (sk_… or rk_…), not a publishable key or other value")
            }
            apiVersion = reader.string("api_version") ?? Self.defaultAPIVersion
            if apiVersion.wholeMatch(of: /\d{4}-\d{2}-\d{2}(\.[a-z_]+)?/) == nil {
                reader.problem("api_version", "expected a Stripe API version such as \(Self.defaultAPIVersion) or 2025-03-31.basil")
            }
            let base = reader.string("base_url") ?? "https://api.stripe.com"
            baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
            http = VendorHTTPSettings(from: reader)
            guard let key else { return nil }
            secretKey = key
        }

        enum CodingKeys: String, CodingKey { case secretKey = "secret_key", apiVersion = "api_version", baseURL = "base_url", http }
    }

    public static let providerName = "stripe"
    public var name: String { Self.providerName }

    let api: StripeAPI

    public init(configuration: Configuration, context: ProviderContext) {
        api = StripeAPI(
            secretKey: configuration.secretKey, apiVersion: configuration.apiVersion, baseURL: configuration.baseURL,
            http: configuration.http, transport: context.transport,
            breaker: configuration.http.makeBreaker(provider: Self.providerName), provider: Self.providerName)
    }

    public func createCustomer(_ customer: NewCustomer, idempotencyKey: String?) async throws -> Customer {
        var parameters: StripeParameters = ["email": .string(customer.email)]
        if let name = customer.name { parameters["name"] = .string(name) }
        if !customer.metadata.isEmpty { parameters["metadata"] = .map(customer.metadata) }
        let created = try await api.call(.POST, "/v1/customers", parameters: parameters, idempotencyKey: idempotencyKey, as: StripeObject.self)
        return Customer(id: created.id, email: created.email ?? customer.email, provider: name)
    }

    public func createCheckout(_ checkout: NewCheckout, idempotencyKey: String?) async throws -> CheckoutSession {
        var parameters: StripeParameters = [
            "mode": .string(checkout.mode.rawValue),
            "line_items": .list(checkout.lineItems.map { ["price": .string($0.priceID), "quantity": .integer($0.quantity)] }),
            "success_url": .string(checkout.successURL),
            "cancel_url": .string(checkout.cancelURL),
        ]
        switch checkout.payer {
        case .customer(let id): parameters["customer"] = .string(id)
        case .email(let email): parameters["customer_email"] = .string(email)
        case .anonymous: break
        }
        if !checkout.metadata.isEmpty {
            parameters["metadata"] = .map(checkout.metadata)
            // The subscription carries the metadata too, so later subscription events have it.
            if checkout.mode == .subscription { parameters["subscription_data"] = ["metadata": .map(checkout.metadata)] }
        }
        let session = try await api.call(
            .POST, "/v1/checkout/sessions", parameters: parameters, idempotencyKey: idempotencyKey, as: StripeObject.self)
        guard let url = session.url else {
            throw SidecarError(.providerError, "stripe answered a checkout session without a url", provider: name)
        }
        return CheckoutSession(id: session.id, url: url)
    }

    public func createPortal(customerID: String, returnURL: String, idempotencyKey: String?) async throws -> String {
        let session = try await api.call(
            .POST, "/v1/billing_portal/sessions", parameters: ["customer": .string(customerID), "return_url": .string(returnURL)],
            idempotencyKey: idempotencyKey, as: StripeObject.self)
        guard let url = session.url else {
            throw SidecarError(.providerError, "stripe answered a portal session without a url", provider: name)
        }
        return url
    }

    public func cancelSubscription(id: String, atPeriodEnd: Bool, idempotencyKey: String?) async throws -> SubscriptionState {
        let path = "/v1/subscriptions/\(id)"
        let subscription: StripeObject
        do {
            subscription = atPeriodEnd
                ? try await api.call(.POST, path, parameters: ["cancel_at_period_end": true], idempotencyKey: idempotencyKey, as: StripeObject.self)
                : try await api.call(.DELETE, path, as: StripeObject.self)
        } catch var error as SidecarError where error.code == .notFound {
            if !error.message.hasPrefix("subscription_id") { error.message = "subscription_id: \(error.message)" }
            throw error
        }
        return SubscriptionState(
            id: subscription.id, status: subscription.status ?? (atPeriodEnd ? "active" : "canceled"),
            cancelAtPeriodEnd: subscription.cancelAtPeriodEnd ?? atPeriodEnd)
    }
}

/// The fields of Stripe's objects this provider reads.
struct StripeObject: Decodable {
    var id: String
    var email: String?
    var url: String?
    var status: String?
    var cancelAtPeriodEnd: Bool?

    enum CodingKeys: String, CodingKey { case id, email, url, status, cancelAtPeriodEnd = "cancel_at_period_end" }
}
