/// Turns a vendor's error answer into the unified error, keeping the vendor's status and message.
extension SidecarError {
    /// The unified error for a vendor answer with `status` ≥ 400.
    ///
    /// - 400, 422 and other 4xx validation answers: `400 invalid_request` — the caller's input was
    ///   refused; the vendor's message is passed on.
    /// - 401 and 403: `502 provider_error` — the daemon's credentials were refused (a configuration
    ///   problem, not the caller's); the message never repeats what was sent.
    /// - 404 `not_found`, 409 `conflict`, 413 `payload_too_large`.
    /// - 429: `429 rate_limited` with `Retry-After` passed on; retryable.
    /// - 5xx: `502 provider_error`, retryable (a failover list moves on).
    public static func vendor(status: Int, message: String?, provider: String, retryAfterSeconds: Int? = nil) -> SidecarError {
        let said = message.map { ": \($0)" } ?? ""
        switch status {
        case 401, 403:
            return SidecarError(.providerError, "\(provider) refused the configured credentials (HTTP \(status))\(said)", provider: provider, providerStatus: status)
        case 404:
            return SidecarError(.notFound, "\(provider) answered not found\(said)", provider: provider, providerStatus: status)
        case 409:
            return SidecarError(.conflict, "\(provider) answered conflict\(said)", provider: provider, providerStatus: status)
        case 413:
            return SidecarError(.payloadTooLarge, "\(provider) refused the size of the request\(said)", provider: provider, providerStatus: status)
        case 429:
            return SidecarError(
                .rateLimited, "\(provider) rate-limited the call\(said)", provider: provider, providerStatus: status,
                retryable: true, retryAfterSeconds: retryAfterSeconds)
        case 400..<500:
            return SidecarError(.invalidRequest, message ?? "\(provider) refused the request (HTTP \(status))", provider: provider, providerStatus: status)
        default:
            return SidecarError(.providerError, "\(provider) failed (HTTP \(status))\(said)", provider: provider, providerStatus: status, retryable: true)
        }
    }
}
