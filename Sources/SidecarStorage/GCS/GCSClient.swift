import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore

/// Calls the Cloud Storage JSON API for one bucket with a bearer token, and maps its JSON
/// errors (`{"error": {"code", "message"}}`) to ``SidecarError``.
struct GCSClient: Sendable {
    static let provider = "gcs"
    /// `https://storage.googleapis.com`, or an emulator's address.
    let endpoint: String
    let bucket: String
    let tokens: GCSTokenSource
    let transport: HTTPTransport

    var bucketPath: String { "/storage/v1/b/\(SigV4Encoding.encode(bucket))/o" }
    var uploadPath: String { "/upload/storage/v1/b/\(SigV4Encoding.encode(bucket))/o" }

    /// The JSON API address of one object: the whole name is encoded, `/` as `%2F`.
    func objectURL(_ key: String, query: String = "") -> String {
        "\(endpoint)\(bucketPath)/\(SigV4Encoding.encode(key))" + (query.isEmpty ? "" : "?\(query)")
    }

    /// A call to `url` carrying the bearer token; an idempotent one is retried by the transport
    /// on 429, 5xx and connection failures.
    func request(
        _ method: HTTPMethod, url: String, headers: [(String, String)] = [], body: ByteBuffer? = nil, idempotent: Bool
    ) async throws -> VendorCall {
        var fields = HTTPHeaders()
        let token = try await tokens.token()
        token.withRevealedValue { fields.add(name: "Authorization", value: "Bearer \($0)") }
        for (name, value) in headers { fields.add(name: name, value: value) }
        if let body { fields.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes)) }
        return VendorCall(method: method, url: url, headers: fields, body: body, timeout: .seconds(120), safeToRepeat: idempotent)
    }

    /// Sends and collects; a status outside 2xx (and `accept`) becomes the mapped error.
    func send(_ call: VendorCall, accept: Set<Int> = []) async throws -> VendorResponse {
        let response = try await transport.execute(call, provider: Self.provider)
        guard (200..<300).contains(response.status) || accept.contains(response.status) else {
            if response.status == 401 { await tokens.invalidate() }
            throw error(status: response.status, body: response.body)
        }
        return response
    }

    func error(status: Int, body: ByteBuffer) -> SidecarError {
        struct Answer: Decodable {
            struct Detail: Decodable { var message: String? }
            var error: Detail?
        }
        let message = (try? JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView)))?.error?.message.map { ": \($0)" } ?? ""
        switch status {
        case 404:
            return SidecarError(.notFound, "no such object", provider: Self.provider, providerStatus: status)
        case 429:
            return SidecarError(.rateLimited, "gcs is throttling requests", provider: Self.provider, providerStatus: status,
                                retryable: true, retryAfterSeconds: 1)
        case 500...:
            return SidecarError(.providerError, "gcs failed with HTTP \(status)\(message)", provider: Self.provider,
                                providerStatus: status, retryable: true)
        default:
            return SidecarError(.providerError, "gcs answered HTTP \(status)\(message)", provider: Self.provider, providerStatus: status)
        }
    }

    /// An object resource of the JSON API, as much as the storage API needs.
    struct ObjectResource: Decodable {
        var name: String
        var size: String?
        var etag: String?
        var md5Hash: String?
        var contentType: String?
        var updated: String?

        func stored() -> StoredObject {
            StoredObject(
                key: name, size: size.flatMap { Int64($0) } ?? 0, etag: etag ?? md5Hash, contentType: contentType,
                lastModified: updated.flatMap(HTTPDate.parseISO8601))
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from response: VendorResponse) throws -> T {
        guard let value = try? JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView)) else {
            throw SidecarError(.providerError, "gcs answered with JSON this client cannot read", provider: Self.provider,
                               providerStatus: response.status)
        }
        return value
    }
}
