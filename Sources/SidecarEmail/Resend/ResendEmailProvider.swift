import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SidecarCore

/// Sends through Resend's REST API: `POST /emails`, and `POST /emails/batch` (permissive
/// validation) for batches without attachments. The caller's `Idempotency-Key` is forwarded;
/// without one a key is made per call so the transport's own retries never send twice.
public struct ResendEmailProvider: EmailProvider, RegisteredProvider {
    /// `email.resend`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = BearerVendorAccess.keys
        public var access: BearerVendorAccess

        public init?(from reader: ConfigReader) {
            guard let access = BearerVendorAccess(from: reader, defaultBaseURL: "https://api.resend.com") else { return nil }
            self.access = access
        }

        public func encode(to encoder: any Encoder) throws {
            try access.encode(to: encoder)
        }
    }

    public static let providerName = "resend"
    public var name: String { Self.providerName }
    /// Resend accepts at most this many messages per batch call.
    static let maxBatch = 100

    private let configuration: Configuration
    private let transport: HTTPTransport
    private let breaker: CircuitBreaker
    private let baseURL: String

    public init(configuration: Configuration, context: ProviderContext) {
        self.configuration = configuration
        self.transport = context.transport
        self.breaker = configuration.access.http.makeBreaker(provider: Self.providerName)
        self.baseURL = configuration.access.baseURL
    }

    public func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult {
        let body = try ResendEmail(message)
        let response = try await call(path: "/emails", body: try JSONEncoder().encode(body), idempotencyKey: idempotencyKey)
        guard let sent = try? JSONDecoder().decode(ResendSent.self, from: Data(buffer: response.body)) else {
            throw SidecarError(.providerError, "resend answered without a message id", provider: name, providerStatus: response.status)
        }
        return EmailSendResult(id: sent.id, provider: name)
    }

    public func sendBatch(_ messages: [EmailMessage], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>] {
        // Attachments are not accepted by the batch endpoint: those go one by one.
        var results = [Result<EmailSendResult, SidecarError>?](repeating: nil, count: messages.count)
        var batchIndices: [Int] = []
        var batchBodies: [ResendEmail] = []
        for (index, message) in messages.enumerated() {
            do {
                if message.attachments.isEmpty {
                    batchBodies.append(try ResendEmail(message))
                    batchIndices.append(index)
                } else {
                    results[index] = .success(try await send(message, idempotencyKey: idempotencyKey.map { "\($0)-\(index)" }))
                }
            } catch {
                results[index] = .failure(SidecarError(wrapping: error, provider: name))
            }
        }
        if !batchBodies.isEmpty {
            let outcome = await sendBatchCall(batchBodies, idempotencyKey: idempotencyKey)
            for (position, index) in batchIndices.enumerated() { results[index] = outcome[position] }
        }
        return results.map { $0 ?? .failure(SidecarError(.internalError, "message was not sent", provider: name)) }
    }

    /// One `/emails/batch` call; results in the order of `bodies`.
    private func sendBatchCall(_ bodies: [ResendEmail], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>] {
        do {
            let response = try await call(
                path: "/emails/batch", body: try JSONEncoder().encode(bodies), idempotencyKey: idempotencyKey,
                extraHeaders: [("x-batch-validation", "permissive")])
            let answer = try JSONDecoder().decode(ResendBatchSent.self, from: Data(buffer: response.body))
            let failed = Dictionary((answer.errors ?? []).map { ($0.index, $0.message) }, uniquingKeysWith: { first, _ in first })
            var ids = answer.data.makeIterator()
            return bodies.indices.map { index in
                if let message = failed[index] {
                    return .failure(SidecarError(.invalidRequest, message, provider: name, providerStatus: 422))
                }
                guard let sent = ids.next() else {
                    return .failure(SidecarError(.providerError, "resend answered fewer ids than messages", provider: name))
                }
                return .success(EmailSendResult(id: sent.id, provider: name))
            }
        } catch {
            let error = SidecarError(wrapping: error, provider: name)
            return bodies.map { _ in .failure(error) }
        }
    }

    /// POSTs JSON with the key and idempotency key; maps vendor errors.
    private func call(path: String, body: Data, idempotencyKey: String?, extraHeaders: [(String, String)] = []) async throws -> VendorResponse {
        var headers = HTTPHeaders()
        configuration.access.authorize(&headers)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "User-Agent", value: "sidecar/\(SidecarVersion.current)")
        headers.add(name: "Idempotency-Key", value: idempotencyKey ?? "sidecar-\(UUID().uuidString.lowercased())")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let response = try await transport.execute(
            VendorCall(
                method: .POST, url: baseURL + path, headers: headers, body: ByteBuffer(data: body),
                timeout: configuration.access.http.timeout, safeToRepeat: true, retry: configuration.access.http.retryPolicy),
            provider: name, breaker: breaker)
        guard (200..<300).contains(response.status) else {
            let vendor = try? JSONDecoder().decode(ResendError.self, from: Data(buffer: response.body))
            var error = SidecarError.vendor(
                status: response.status, message: vendor?.message, provider: name, retryAfterSeconds: response.retryAfterSeconds)
            if response.status == 409 { error.code = .idempotencyConflict }
            throw error
        }
        return response
    }
}
