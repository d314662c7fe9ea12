import AsyncHTTPClient
import Foundation
import NIOCore

extension HTTPTransport {
    /// Sends `call` once and returns the answer with its body not yet read, so that a large
    /// download streams with backpressure. Transport failures map as in ``execute(_:provider:breaker:)``;
    /// the call's `timeout` bounds the whole exchange, body included. Nothing is retried here:
    /// once a body streams to the caller, repeating the call is the caller's decision.
    public func stream(_ call: VendorCall, provider: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: call.url)
        request.method = call.method
        request.headers = call.headers
        if let body = call.body { request.body = .bytes(body) }
        let timeout = call.timeout
        do {
            return try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        } catch let error as SidecarError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw SidecarError(.providerTimeout, "\(provider) did not answer within \(timeout)", provider: provider, retryable: true)
        } catch {
            throw SidecarError(.providerUnavailable, "\(provider) is unreachable", provider: provider, retryable: true)
        }
    }

    /// Collects the body of a response obtained by ``stream(_:provider:)``.
    public func collect(_ response: HTTPClientResponse, provider: String) async throws -> VendorResponse {
        do {
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return VendorResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch is NIOTooManyBytesError {
            throw SidecarError(.providerError, "\(provider) answered with a body over \(maxResponseBytes) bytes", provider: provider)
        } catch {
            throw SidecarError(.providerUnavailable, "\(provider) closed the connection mid-answer", provider: provider, retryable: true)
        }
    }
}
