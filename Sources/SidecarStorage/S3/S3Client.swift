import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore

/// Where an S3-compatible bucket lives and how its requests are addressed and signed.
public struct S3Endpoint: Sendable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var bucket: String
    /// `https://host/<bucket>/<key>` instead of `https://<bucket>.host/<key>`.
    public var pathStyle: Bool

    /// Parses `endpoint` (`https://host[:port]`); `nil` when it is not an http(s) URL.
    public init?(endpoint: String, bucket: String, pathStyle: Bool) {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port
        self.bucket = bucket
        self.pathStyle = pathStyle
    }

    /// The `Host` header value, as signed.
    public var hostHeader: String {
        let base = pathStyle ? host : "\(bucket).\(host)"
        let isDefault = port == nil || (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
        return isDefault ? base : "\(base):\(port ?? 0)"
    }

    /// The canonical (and sent) path of `key`, or of the bucket when `key` is nil.
    public func path(for key: String?) -> String {
        let bucketPath = pathStyle ? "/\(SigV4Encoding.encode(bucket))" : ""
        guard let key else { return bucketPath.isEmpty ? "/" : bucketPath }
        return "\(bucketPath)/\(SigV4Encoding.encode(key, keepSlash: true))"
    }

    /// The full URL of `path` with an already-encoded query.
    public func url(path: String, encodedQuery: String) -> String {
        "\(scheme)://\(hostHeader)\(path)" + (encodedQuery.isEmpty ? "" : "?\(encodedQuery)")
    }
}

/// Sends SigV4-signed requests to one bucket and maps S3's XML errors to ``SidecarError``.
struct S3Client: Sendable {
    let provider: String
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let transport: HTTPTransport
    let now: @Sendable () -> Date

    /// A signed call; `body` is hashed into `x-amz-content-sha256`. An idempotent call (GET,
    /// DELETE, a PUT of an object or a part) is retried by the transport on 5xx, `SlowDown` and
    /// connection failures; the signature stays valid for the minutes that takes.
    func request(
        _ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [], body: ByteBuffer? = nil,
        idempotent: Bool
    ) -> VendorCall {
        let path = endpoint.path(for: key)
        let payloadHash = body.map { SigV4Signer.payloadHash($0.readableBytesView) } ?? SigV4Signer.emptyPayloadHash
        let signing = SigV4Request(method: method.rawValue, host: endpoint.hostHeader, path: path, query: query, headers: headers)
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        for (name, value) in signer.signedHeaders(for: signing, payloadHash: payloadHash, date: now()) {
            fields.add(name: name, value: value)
        }
        return VendorCall(
            method: method, url: endpoint.url(path: path, encodedQuery: SigV4Encoding.canonicalQuery(query)), headers: fields,
            body: body, timeout: .seconds(120), safeToRepeat: idempotent)
    }

    /// Sends and collects the answer; a non-2xx status becomes the mapped error unless it is in `accept`.
    func send(_ call: VendorCall, accept: Set<Int> = []) async throws -> VendorResponse {
        let response = try await transport.execute(call, provider: provider)
        guard (200..<300).contains(response.status) || accept.contains(response.status) else {
            throw error(status: response.status, body: response.body, headers: response.headers)
        }
        return response
    }

    /// A presigned URL for `method` on `key`; a PUT may bind its `Content-Type`.
    func presign(method: String, key: String, expiresIn: Int, contentType: String?) -> String {
        let path = endpoint.path(for: key)
        let headers = contentType.map { [("content-type", $0)] } ?? []
        let signing = SigV4Request(method: method, host: endpoint.hostHeader, path: path, headers: headers)
        return endpoint.url(path: path, encodedQuery: signer.presignedQuery(for: signing, expires: expiresIn, date: now()))
    }

    /// S3's `<Error><Code>…` answer as a unified error; the vendor message is kept, never headers.
    func error(status: Int, body: ByteBuffer, headers: HTTPHeaders) -> SidecarError {
        let xml = S3XMLElement.parse(Data(body.readableBytesView))
        let code = xml?.text("Code") ?? ""
        let message = xml?.text("Message").map { ": \($0)" } ?? ""
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0) }
        switch (status, code) {
        case (404, _), (_, "NoSuchKey"):
            return SidecarError(.notFound, "no such object", provider: provider, providerStatus: status)
        case (_, "SlowDown"), (429, _):
            return SidecarError(.rateLimited, "\(provider) is throttling requests (\(code.isEmpty ? "429" : code))", provider: provider,
                                providerStatus: status, retryable: true, retryAfterSeconds: retryAfter ?? 1)
        case (500..., _):
            return SidecarError(.providerError, "\(provider) failed: \(code.isEmpty ? "HTTP \(status)" : code)\(message)",
                                provider: provider, providerStatus: status, retryable: true)
        case (403, _), (401, _):
            return SidecarError(.providerError, "\(provider) refused the credentials: \(code.isEmpty ? "HTTP \(status)" : code)",
                                provider: provider, providerStatus: status)
        default:
            return SidecarError(.providerError, "\(provider) answered \(code.isEmpty ? "HTTP \(status)" : code)\(message)",
                                provider: provider, providerStatus: status)
        }
    }
}
