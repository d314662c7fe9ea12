import Foundation
import SidecarCore

/// The sandbox's objects, shaped like Stripe's (same field names and `object` values), so an
/// application's code for Stripe's answers and webhook events works against the sandbox too.
enum SandboxObjects {
    struct Customer: Codable, Sendable {
        var id: String
        var object = "customer"
        var email: String
        var name: String?
        var metadata: [String: String]
        var created: Int
        var livemode = false
    }

    struct Price: Codable, Sendable, Hashable {
        var id: String
        var object = "price"
    }

    struct LineItem: Codable, Sendable, Hashable {
        var price: Price
        var quantity: Int
    }

    struct List<Element: Codable & Sendable>: Codable, Sendable {
        var object = "list"
        var data: [Element]
        var hasMore = false
        enum CodingKeys: String, CodingKey { case object, data, hasMore = "has_more" }
    }

    struct CheckoutSession: Codable, Sendable {
        var id: String
        var object = "checkout.session"
        var mode: String
        /// `open`, `complete` or `expired`.
        var status: String
        /// `unpaid` or `paid`.
        var paymentStatus: String
        var customer: String?
        var customerEmail: String?
        var successURL: String
        var cancelURL: String
        var metadata: [String: String]
        var subscription: String?
        var url: String?
        var lineItems: List<LineItem>
        var expiresAt: Int
        var created: Int
        var livemode = false

        enum CodingKeys: String, CodingKey {
            case id, object, mode, status, paymentStatus = "payment_status", customer, customerEmail = "customer_email"
            case successURL = "success_url", cancelURL = "cancel_url", metadata, subscription, url, lineItems = "line_items"
            case expiresAt = "expires_at", created, livemode
        }
    }

    struct SubscriptionItem: Codable, Sendable {
        var id: String
        var object = "subscription_item"
        var price: Price
        var quantity: Int
    }

    struct Subscription: Codable, Sendable {
        var id: String
        var object = "subscription"
        var customer: String
        /// `active` or `canceled`.
        var status: String
        var cancelAtPeriodEnd: Bool
        var canceledAt: Int?
        var endedAt: Int?
        var currentPeriodStart: Int
        var currentPeriodEnd: Int
        var items: List<SubscriptionItem>
        var metadata: [String: String]
        var created: Int
        var livemode = false

        enum CodingKeys: String, CodingKey {
            case id, object, customer, status, cancelAtPeriodEnd = "cancel_at_period_end", canceledAt = "canceled_at"
            case endedAt = "ended_at", currentPeriodStart = "current_period_start", currentPeriodEnd = "current_period_end"
            case items, metadata, created, livemode
        }
    }

    struct PortalSession: Codable, Sendable {
        var id: String
        var object = "billing_portal.session"
        var customer: String
        var returnURL: String
        var url: String?
        var created: Int
        /// Not in Stripe's object (its portal links expire on their own); the sandbox's pages
        /// refuse the session after it.
        var expiresAt: Int
        var livemode = false

        enum CodingKeys: String, CodingKey {
            case id, object, customer, returnURL = "return_url", url, created, expiresAt = "expires_at", livemode
        }
    }

    /// A Stripe event envelope around one object.
    struct Event<Object: Encodable & Sendable>: Encodable, Sendable {
        struct Payload: Encodable, Sendable { var object: Object }
        struct Request: Encodable, Sendable {
            var id: String?
            var idempotencyKey: String?
            enum CodingKeys: String, CodingKey { case id, idempotencyKey = "idempotency_key" }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(idempotencyKey, forKey: .idempotencyKey)
            }
        }

        var id: String
        var object = "event"
        var apiVersion = StripePaymentsProvider.Configuration.defaultAPIVersion
        var created: Int
        var type: String
        var data: Payload
        var livemode = false
        var pendingWebhooks = 1
        var request = Request()

        enum CodingKeys: String, CodingKey {
            case id, object, apiVersion = "api_version", created, type, data, livemode, pendingWebhooks = "pending_webhooks", request
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ record: SandboxRecord) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(record.body))
        } catch {
            throw SidecarError(.internalError, "sandbox \(record.kind.rawValue) \(record.id) is unreadable", provider: "sandbox")
        }
    }

    /// A new id with Stripe's prefix and 24 random letters and digits: unguessable, since a
    /// checkout or portal id is all it takes to open its page.
    static func newID(_ prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
