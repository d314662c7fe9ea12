import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A vendor's answer, body collected.
public struct VendorResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(buffer: body) }

    /// What the vendor's retry header (`Stripe-Should-Retry`) says: nil when absent or unclear.
    public func retryAdvice(header: String?) -> Bool? {
        guard status >= 400, let header, let value = headers.first(name: header)?.lowercased() else { return nil }
        switch value.trimmingCharacters(in: .whitespaces) {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// `Retry-After` in seconds (delta-seconds form), if the vendor sent one.
    public var retryAfterSeconds: Int? {
        headers.first(name: "retry-after").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// One call to a vendor and how it may be repeated.
public struct VendorCall: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?
    /// The deadline of each attempt.
    public var timeout: Duration
    /// Whether the vendor would treat a repeat as the same call (an idempotent method, or an
    /// idempotency key sent). Connection failures before sending are retried either way.
    public var safeToRepeat: Bool
    public var retry: RetryPolicy
    /// A response header by which the vendor says whether to retry (`Stripe-Should-Retry`):
    /// `true` retries whatever the status, `false` never retries; absent, 429 and 5xx retry.
    public var retryAdviceHeader: String?

    public init(
        method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        timeout: Duration = .seconds(30), safeToRepeat: Bool, retry: RetryPolicy = RetryPolicy(),
        retryAdviceHeader: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.safeToRepeat = safeToRepeat
        self.retry = retry
        self.retryAdviceHeader = retryAdviceHeader
    }
}

/// The one way providers call vendors over HTTP: one shared client, a deadline per attempt,
/// retries with backoff and jitter where safe, `Retry-After` honoured, a circuit breaker per
/// provider, and transport failures mapped to the unified error (`503 provider_unavailable`,
/// `504 provider_timeout`) with the provider named and nothing of the request that could hold a key.
public struct HTTPTransport: Sendable {
    public let client: HTTPClient
    /// The largest vendor response body read into memory.
    public var maxResponseBytes: Int
    public var logger: Logger

    public init(client: HTTPClient, maxResponseBytes: Int = 16 * 1024 * 1024, logger: Logger = Logger(label: "sidecar.transport")) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
    }

    /// Sends `call` with retries; answers the last vendor response, whatever its status.
    /// Throws only when no answer came (unreachable, timed out, circuit open).
    public func execute(_ call: VendorCall, provider: String, breaker: CircuitBreaker? = nil) async throws -> VendorResponse {
        var attempt = 0
        while true {
            attempt += 1
            try breaker?.admit()
            let outcome: Result<VendorResponse, AttemptFailure>
            do {
                outcome = .success(try await send(call, provider: provider))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response):
                let vendorFailed = response.status >= 500
                if vendorFailed { breaker?.recordFailure() } else { breaker?.recordSuccess() }
                let retryable = response.retryAdvice(header: call.retryAdviceHeader) ?? (response.status == 429 || vendorFailed)
                guard retryable, call.safeToRepeat, attempt < call.retry.maxAttempts else { return response }
                var delay = call.retry.backoff(after: attempt)
                if let seconds = response.retryAfterSeconds {
                    guard .seconds(seconds) <= call.retry.maxRetryAfter else { return response }
                    delay = max(delay, .seconds(seconds))
                }
                logger.debug("retrying vendor call", metadata: [
                    "sidecar.provider": .string(provider), "sidecar.status": .stringConvertible(response.status),
                    "sidecar.attempt": .stringConvertible(attempt),
                ])
                try await Task.sleep(for: delay)
            case .failure(let failure):
                breaker?.recordFailure()
                // A connection that was never made sent nothing: repeating it is always safe.
                guard call.safeToRepeat || failure.nothingSent, attempt < call.retry.maxAttempts else { throw failure.error }
                try await Task.sleep(for: call.retry.backoff(after: attempt))
            }
        }
    }

    /// Why one attempt got no answer.
    struct AttemptFailure: Error {
        var error: SidecarError
        /// The connection was never made, so the vendor cannot have seen the request.
        var nothingSent: Bool
    }

    /// One attempt.
    func send(_ call: VendorCall, provider: String) async throws(AttemptFailure) -> VendorResponse {
        var request = HTTPClientRequest(url: call.url)
        request.method = call.method
        request.headers = call.headers
        if let body = call.body { request.body = .bytes(body) }
        do {
            let timeout = TimeAmount.nanoseconds(
                Int64(call.timeout.components.seconds) * 1_000_000_000 + call.timeout.components.attoseconds / 1_000_000_000)
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return VendorResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw AttemptFailure(
                error: SidecarError(.providerTimeout, "\(provider) did not answer within \(call.timeout)", provider: provider, retryable: true),
                nothingSent: false)
        } catch is NIOTooManyBytesError {
            throw AttemptFailure(
                error: SidecarError(.providerError, "\(provider) answered with a body over \(maxResponseBytes) bytes", provider: provider),
                nothingSent: false)
        } catch {
            throw AttemptFailure(
                error: SidecarError(.providerUnavailable, "\(provider) is unreachable", provider: provider, retryable: true),
                nothingSent: Self.isConnectFailure(error))
        }
    }

    /// Whether `error` happened while connecting (refused, unreachable, connect timeout).
    static func isConnectFailure(_ error: any Error) -> Bool {
        switch error {
        case is NIOConnectionError: return true
        case let error as HTTPClientError: return error == .connectTimeout
        case let error as ChannelError:
            if case .connectTimeout = error { return true }
            return false
        case let error as IOError: return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ENOENT].contains(error.errnoCode)
        default: return false
        }
    }
}
