import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SidecarCore

/// Calls Stripe's v1 API: form-encoded bodies, `Stripe-Version` pinned on every call, an
/// `Idempotency-Key` on every POST (the caller's, or one made per call so the transport's own
/// retries are never a second create), `Stripe-Should-Retry` honoured, and Stripe's errors
/// turned into the unified error.
struct StripeAPI: Sendable {
    let secretKey: SecretValue
    let apiVersion: String
    /// `https://api.stripe.com`, without a trailing `/`.
    let baseURL: String
    let http: VendorHTTPSettings
    let transport: HTTPTransport
    let breaker: CircuitBreaker
    let provider: String

    /// Sends one call and decodes a 2xx answer into `T`.
    func call<T: Decodable>(
        _ method: HTTPMethod, _ path: String, parameters: StripeParameters = StripeParameters(), idempotencyKey: String? = nil,
        as type: T.Type
    ) async throws -> T {
        var headers = HTTPHeaders()
        secretKey.withRevealedValue { headers.add(name: "Authorization", value: "Bearer \($0)") }
        headers.add(name: "Stripe-Version", value: apiVersion)
        headers.add(name: "User-Agent", value: "sidecar/\(SidecarVersion.current)")
        var body: ByteBuffer?
        if method == .POST {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            headers.add(name: "Idempotency-Key", value: idempotencyKey ?? "sidecar-\(UUID().uuidString.lowercased())")
            body = ByteBuffer(string: StripeFormEncoder.encode(parameters))
        }
        let response = try await transport.execute(
            VendorCall(
                method: method, url: baseURL + path, headers: headers, body: body, timeout: http.timeout,
                // POSTs carry an idempotency key and DELETE is idempotent: a repeat is the same call.
                safeToRepeat: true, retry: http.retryPolicy, retryAdviceHeader: "Stripe-Should-Retry"),
            provider: provider, breaker: breaker)
        guard (200..<300).contains(response.status) else { throw error(for: response) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
        } catch {
            throw SidecarError(.providerError, "stripe answered a shape this daemon does not know", provider: provider, providerStatus: response.status)
        }
    }

    /// The unified error for a Stripe error answer.
    func error(for response: VendorResponse) -> SidecarError {
        let detail = (try? JSONDecoder().decode(StripeErrorBody.self, from: Data(buffer: response.body)))?.error
        let field = detail?.param.map(Self.unifiedField)
        let message = detail?.message.map { message in field.map { "\($0): \(message)" } ?? message }
        var error: SidecarError
        switch (response.status, detail?.type, detail?.code) {
        case (401, _, _), (403, _, _):
            // Stripe's message repeats part of the key: never pass it on.
            error = .vendor(status: response.status, message: nil, provider: provider)
        case (_, "idempotency_error"?, _):
            error = SidecarError(.idempotencyConflict, message ?? "stripe refused the idempotency key", provider: provider, providerStatus: response.status)
        case (400, _, "resource_missing"?), (404, _, _):
            error = SidecarError(.notFound, message ?? "stripe answered not found", provider: provider, providerStatus: response.status)
        case (402, _, _):
            error = SidecarError(.providerError, message ?? "stripe could not complete the request", provider: provider, providerStatus: 402)
        default:
            error = .vendor(status: response.status, message: message, provider: provider, retryAfterSeconds: response.retryAfterSeconds)
        }
        if let advice = response.retryAdvice(header: "Stripe-Should-Retry") { error.retryable = advice }
        return error
    }

    /// Stripe's parameter name as the unified API calls the field: `customer` → `customer_id`,
    /// `line_items[0][price]` → `line_items[0].price_id`, `metadata[k]` → `metadata.k`.
    static func unifiedField(_ param: String) -> String {
        var field = ""
        var rest = Substring(param)
        if let open = rest.firstIndex(of: "[") {
            field = String(rest[..<open])
            rest = rest[open...]
        } else {
            field = String(rest)
            rest = ""
        }
        if field == "customer" { field = "customer_id" }
        while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            if inner.allSatisfy(\.isNumber) {
                field += "[\(inner)]"
            } else {
                field += "." + (inner == "price" && field.hasPrefix("line_items") ? "price_id" : String(inner))
            }
            rest = rest[rest.index(after: close)...]
        }
        return field
    }
}

/// Stripe's error answer: `{"error": {"type", "code", "param", "message", …}}`.
struct StripeErrorBody: Decodable {
    struct Detail: Decodable {
        var type: String?
        var code: String?
        var param: String?
        var message: String?
    }

    var error: Detail
}
