/// Sends email through one vendor.
///
/// ## Implementation requirements
/// - `send` delivers one validated ``EmailMessage`` and answers the vendor's message id; it
///   throws only ``SidecarError``, with `provider` set to ``name`` and `retryable` true only when
///   repeating the very same call may succeed (429, 5xx, connection failures before sending).
/// - `sendBatch` answers one result per message, in order; one bad message never fails the
///   others. The default sends one by one.
/// - `idempotencyKey`, when given, is forwarded to vendors that support one.
/// - The provider holds no mutable state outside actors or locks; it is used concurrently.
/// - `shutdown` releases what the provider holds (connections); it is called once, after the
///   last request that used the provider's ``ProviderSet`` has ended.
/// - Every implementation passes the email conformance suite.
public protocol EmailProvider: Sendable {
    /// The registry name (`resend`, `console`, …).
    var name: String { get }
    func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult
    func sendBatch(_ messages: [EmailMessage], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>]
    func shutdown() async
}

extension EmailProvider {
    public func sendBatch(_ messages: [EmailMessage], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>] {
        var results: [Result<EmailSendResult, SidecarError>] = []
        results.reserveCapacity(messages.count)
        for (index, message) in messages.enumerated() {
            do {
                results.append(.success(try await send(message, idempotencyKey: idempotencyKey.map { "\($0)-\(index)" })))
            } catch {
                results.append(.failure(SidecarError(wrapping: error, provider: name)))
            }
        }
        return results
    }

    public func shutdown() async {}
}

extension SidecarError {
    /// `error` itself when it is a ``SidecarError``; otherwise an `internal_error` that names
    /// the provider but not the underlying error's text (which may quote a vendor response).
    public init(wrapping error: any Error, provider: String?) {
        if let error = error as? SidecarError {
            self = error
        } else {
            self = SidecarError(.internalError, "unexpected failure in provider \(provider ?? "-")", provider: provider)
        }
    }
}
