/// The one error type of the unified API: every failure a caller can see is one of these,
/// and one place (the server's error middleware) turns it into the JSON error body of API.md.
///
/// Messages never contain a secret, a vendor key or a vendor's authorization header.
public struct SidecarError: Error, Sendable, Equatable {
    /// The stable `error.code` of the API, with the HTTP status it maps to.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidRequest = "invalid_request"
            case unauthorized
            case notFound = "not_found"
            case methodNotAllowed = "method_not_allowed"
            case conflict
            case idempotencyConflict = "idempotency_conflict"
            case payloadTooLarge = "payload_too_large"
            case rateLimited = "rate_limited"
            case internalError = "internal_error"
            case notSupported = "not_supported"
            case providerError = "provider_error"
            case providerUnavailable = "provider_unavailable"
            case providerTimeout = "provider_timeout"
            case invalidSignature = "invalid_signature"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let invalidRequest = Code(.invalidRequest)
        public static let unauthorized = Code(.unauthorized)
        public static let notFound = Code(.notFound)
        public static let methodNotAllowed = Code(.methodNotAllowed)
        public static let conflict = Code(.conflict)
        public static let idempotencyConflict = Code(.idempotencyConflict)
        public static let payloadTooLarge = Code(.payloadTooLarge)
        public static let rateLimited = Code(.rateLimited)
        public static let internalError = Code(.internalError)
        public static let notSupported = Code(.notSupported)
        public static let providerError = Code(.providerError)
        public static let providerUnavailable = Code(.providerUnavailable)
        public static let providerTimeout = Code(.providerTimeout)
        public static let invalidSignature = Code(.invalidSignature)

        /// The snake_case code string of the API.
        public var description: String { base.rawValue }

        /// The HTTP status this code is answered with.
        public var httpStatus: Int {
            switch base {
            case .invalidRequest, .invalidSignature: 400
            case .unauthorized: 401
            case .notFound: 404
            case .methodNotAllowed: 405
            case .conflict, .idempotencyConflict: 409
            case .payloadTooLarge: 413
            case .rateLimited: 429
            case .internalError: 500
            case .notSupported: 501
            case .providerError: 502
            case .providerUnavailable: 503
            case .providerTimeout: 504
            }
        }
    }

    public var code: Code
    public var message: String
    /// The vendor involved, when there was one (`resend`, `s3`, …).
    public var provider: String?
    /// The vendor's HTTP status, when it answered.
    public var providerStatus: Int?
    /// Whether repeating the same call may succeed.
    public var retryable: Bool
    /// Seconds to wait before retrying, passed on as `Retry-After`.
    public var retryAfterSeconds: Int?
    /// Every problem, when there are several (a rejected configuration).
    public var problems: [String]?

    public init(
        _ code: Code, _ message: String, provider: String? = nil, providerStatus: Int? = nil,
        retryable: Bool = false, retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.provider = provider
        self.providerStatus = providerStatus
        self.retryable = retryable
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func invalidRequest(_ message: String) -> SidecarError {
        SidecarError(.invalidRequest, message)
    }

    public static func notFound(_ message: String) -> SidecarError {
        SidecarError(.notFound, message)
    }

    public static func notSupported(_ operation: String, provider: String) -> SidecarError {
        SidecarError(.notSupported, "\(operation) is not supported by the \(provider) provider", provider: provider)
    }

    /// The family has no provider configured (its block is absent from the config).
    public static func familyNotConfigured(_ family: String) -> SidecarError {
        SidecarError(
            .providerUnavailable,
            "\(family) is not configured: add a `\(family):` block with a provider to the configuration")
    }
}

extension SidecarError: CustomStringConvertible {
    public var description: String {
        var text = "\(code): \(message)"
        if let provider { text += " (provider \(provider)" + (providerStatus.map { ", status \($0)" } ?? "") + ")" }
        return text
    }
}
