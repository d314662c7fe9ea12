import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SidecarCore

/// Sends through SendGrid's v3 Mail Send API (`POST /v3/mail/send`). SendGrid answers `202` with
/// the message id in `X-Message-Id`. It has no idempotency key: a call that may have reached it is
/// never repeated by the transport, and the caller's `Idempotency-Key` is enforced by the
/// daemon's own store instead.
public struct SendGridEmailProvider: EmailProvider, RegisteredProvider {
    /// `email.sendgrid`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = BearerVendorAccess.keys
        public var access: BearerVendorAccess

        public init?(from reader: ConfigReader) {
            guard let access = BearerVendorAccess(from: reader, defaultBaseURL: "https://api.sendgrid.com") else { return nil }
            self.access = access
        }

        public func encode(to encoder: any Encoder) throws {
            try access.encode(to: encoder)
        }
    }

    public static let providerName = "sendgrid"
    public var name: String { Self.providerName }

    private let configuration: Configuration
    private let transport: HTTPTransport
    private let breaker: CircuitBreaker
    private let url: String

    public init(configuration: Configuration, context: ProviderContext) {
        self.configuration = configuration
        self.transport = context.transport
        self.breaker = configuration.access.http.makeBreaker(provider: Self.providerName)
        self.url = configuration.access.baseURL + "/v3/mail/send"
    }

    public func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult {
        let id = try await post(try SendGridMail(message))
        return EmailSendResult(id: id, provider: name)
    }

    /// Messages that differ only in recipients and subject go as one call with one
    /// personalization each; anything else is sent one call per message.
    public func sendBatch(_ messages: [EmailMessage], idempotencyKey: String?) async -> [Result<EmailSendResult, SidecarError>] {
        if let mail = SendGridMail(grouping: messages) {
            do {
                let id = try await post(mail)
                return messages.map { _ in .success(EmailSendResult(id: id, provider: name)) }
            } catch {
                let error = SidecarError(wrapping: error, provider: name)
                return messages.map { _ in .failure(error) }
            }
        }
        var results: [Result<EmailSendResult, SidecarError>] = []
        for message in messages {
            do {
                results.append(.success(try await send(message, idempotencyKey: nil)))
            } catch {
                results.append(.failure(SidecarError(wrapping: error, provider: name)))
            }
        }
        return results
    }

    private func post(_ mail: SendGridMail) async throws -> String {
        var headers = HTTPHeaders()
        configuration.access.authorize(&headers)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "sidecar/\(SidecarVersion.current)")
        let response = try await transport.execute(
            VendorCall(
                method: .POST, url: url, headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(mail)),
                timeout: configuration.access.http.timeout, safeToRepeat: false, retry: configuration.access.http.retryPolicy),
            provider: name, breaker: breaker)
        guard (200..<300).contains(response.status) else {
            let vendor = try? JSONDecoder().decode(SendGridErrors.self, from: Data(buffer: response.body))
            throw SidecarError.vendor(
                status: response.status, message: vendor?.summary, provider: name, retryAfterSeconds: response.retryAfterSeconds)
        }
        guard let id = response.headers.first(name: "X-Message-Id"), !id.isEmpty else {
            throw SidecarError(.providerError, "sendgrid accepted the mail without an X-Message-Id", provider: name, providerStatus: response.status)
        }
        return id
    }
}
