import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A vendor's answer, body collected.
public struct VendorResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    /// The body as UTF-8 text.
    public var bodyText: String { String(buffer: body) }
}

/// The one way providers call vendors over HTTP: one shared client, a deadline per call, and
/// transport failures mapped to the unified error (`503 provider_unavailable`,
/// `504 provider_timeout`) with the provider named and no request details that could hold a key.
public struct HTTPTransport: Sendable {
    public let client: HTTPClient
    /// The largest vendor response body read into memory.
    public var maxResponseBytes: Int

    public init(client: HTTPClient, maxResponseBytes: Int = 16 * 1024 * 1024) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends `request` and collects the answer; any status is returned, not thrown.
    public func send(_ request: HTTPClientRequest, provider: String, timeout: Duration = .seconds(30)) async throws -> VendorResponse {
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return VendorResponse(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as SidecarError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw SidecarError(.providerTimeout, "\(provider) did not answer within \(timeout)", provider: provider, retryable: true)
        } catch is NIOTooManyBytesError {
            throw SidecarError(.providerError, "\(provider) answered with a body over \(maxResponseBytes) bytes", provider: provider)
        } catch {
            throw SidecarError(.providerUnavailable, "\(provider) is unreachable", provider: provider, retryable: true)
        }
    }
}
