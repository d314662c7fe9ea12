import AsyncHTTPClient
import Foundation
import NIOCore

extension HTTPTransport {
    /// Sends `request` and returns the answer with its body not yet read, so that a large
    /// download streams with backpressure. Transport failures map as in ``send(_:provider:timeout:)``;
    /// `timeout` bounds the whole exchange, body included.
    public func stream(_ request: HTTPClientRequest, provider: String, timeout: Duration = .seconds(3600)) async throws -> HTTPClientResponse {
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

    /// Collects the body of a response obtained by ``stream(_:provider:timeout:)``.
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
