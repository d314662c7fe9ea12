import Foundation
import Hummingbird
import NIOCore
import SidecarCore
import SidecarStorage

/// `/storage/upload`, `/storage/download`, `/storage/signed-url`, `/storage/delete`, `/storage/list`.
///
/// Upload and download bodies stream: the request body goes to the provider as it arrives and
/// the vendor's body comes back as it arrives, so memory does not grow with object size.
struct StorageRoutes {
    let idempotency: IdempotentExecution
    /// The paths served on the application listeners.
    static let paths = ["/storage/upload", "/storage/download", "/storage/signed-url", "/storage/delete", "/storage/list"]

    func register(on router: Router<SidecarRequestContext>) {
        router.post("/storage/upload") { request, context in try await upload(request, context: context) }
        router.get("/storage/download") { request, context in try await download(request, context: context) }
        router.post("/storage/signed-url") { request, context in try await signedURL(request, context: context) }
        router.post("/storage/delete") { request, context in try await delete(request, context: context) }
        router.get("/storage/list") { request, context in try await list(request, context: context) }
    }

    static func provider(_ context: SidecarRequestContext) throws(SidecarError) -> (ProviderSet, any StorageProvider) {
        let set = try context.providerSet()
        guard let provider = set.storage else { throw .familyNotConfigured("storage") }
        return (set, provider)
    }

    func upload(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let idempotencyKey = try IdempotentExecution.key(of: request)
        let (set, provider) = try Self.provider(context)
        let key = try StorageKey.validate(request.uri.queryParameters["key"].map(String.init))
        // The body streams and cannot be hashed before the upload starts, so a repeated upload is
        // recognised by what describes it: the object key, Content-Type and Content-Length.
        let description = [
            key, request.headers[.contentType] ?? "", request.headers[.contentLength] ?? "",
        ].joined(separator: "\n")
        return try await idempotency.run(key: idempotencyKey, request: request, body: ByteBuffer(string: description)) {
            let object = try await Self.receive(request, key: key, set: set, provider: provider)
            return try JSONPayload(UploadAnswer(object: object, provider: provider.name))
        }
    }

    /// Streams the request body into `provider` under `key`, within `storage.max_upload_bytes`.
    static func receive(_ request: Request, key: String, set: ProviderSet, provider: any StorageProvider) async throws -> StoredObject {
        let limit = set.loaded.config.storageMaxUploadBytes
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        if let length, length > Int64(limit) {
            throw SidecarError(.payloadTooLarge, "body: \(length) bytes is over the upload limit of \(limit) bytes (storage.max_upload_bytes)")
        }
        let contentType = request.headers[.contentType].flatMap { $0.isEmpty ? nil : $0 } ?? "application/octet-stream"
        let body = LimitedUploadBody(request.body, limit: Int64(limit), limitName: "storage.max_upload_bytes")
        do {
            return try await provider.upload(key: key, body: body, contentType: contentType, contentLength: length)
        } catch {
            throw SidecarError(wrapping: error, provider: provider.name)
        }
    }

    func download(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let (_, provider) = try Self.provider(context)
        let key = try StorageKey.validate(request.uri.queryParameters["key"].map(String.init))
        return try await Self.send(key: key, from: provider)
    }

    /// The object's bytes as a streamed response with `Content-Length`, `ETag` and `Content-Type`.
    static func send(key: String, from provider: any StorageProvider) async throws -> Response {
        let download: ObjectDownload
        do {
            download = try await provider.download(key: key)
        } catch {
            throw SidecarError(wrapping: error, provider: provider.name)
        }
        var headers: HTTPFields = [.contentType: download.object.contentType ?? "application/octet-stream"]
        if let etag = download.object.etag { headers[.eTag] = "\"\(etag)\"" }
        let length = download.object.size >= 0 ? Int(download.object.size) : nil
        let source = download.body
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: length) { writer in
            for try await chunk in source {
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        })
    }

    func signedURL(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let (set, provider) = try Self.provider(context)
        let body = try await JSONResponse.decode(SignedURLRequest.self, from: request, context: context)
        let key = try StorageKey.validate(body.key)
        let expiresIn = body.expiresIn ?? 900
        guard (1...604_800).contains(expiresIn) else {
            throw SidecarError.invalidRequest("expires_in: must be between 1 and 604800 seconds, got \(expiresIn)")
        }
        guard let method = SignedURL.Method(rawValue: (body.method ?? "GET").uppercased()) else {
            throw SidecarError.invalidRequest("method: must be GET or PUT")
        }
        var signed: SignedURL
        do {
            signed = try await provider.signedURL(key: key, method: method, expiresIn: expiresIn, contentType: body.contentType)
        } catch {
            throw SidecarError(wrapping: error, provider: provider.name)
        }
        if signed.url.hasPrefix("/") {
            // The filesystem provider's URLs are served by this daemon on its webhook listener.
            guard let address = set.loaded.config.webhooksListen else {
                throw SidecarError(
                    .notSupported,
                    "signed URLs of the filesystem provider are served on webhooks_listen: set it, or storage.filesystem.public_url",
                    provider: provider.name)
            }
            let host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host
            signed.url = "http://\(ListenAddress(host: host, port: address.port).description)\(signed.url)"
        }
        return try JSONResponse.make(SignedURLAnswer(url: signed.url, method: signed.method.rawValue, expiresAt: signed.expiresAt))
    }

    func delete(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let (_, provider) = try Self.provider(context)
        let body = try await JSONResponse.decode(DeleteRequest.self, from: request, context: context)
        let key = try StorageKey.validate(body.key)
        do {
            try await provider.delete(key: key)
        } catch {
            throw SidecarError(wrapping: error, provider: provider.name)
        }
        return try JSONResponse.make(DeleteAnswer(key: key))
    }

    func list(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let (_, provider) = try Self.provider(context)
        let query = request.uri.queryParameters
        let prefix = try StorageKey.validatePrefix(query["prefix"].map(String.init) ?? "")
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...1000).contains(value) else {
                throw SidecarError.invalidRequest("limit: must be an integer between 1 and 1000")
            }
            limit = value
        }
        let cursor = query["cursor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page: ObjectPage
        do {
            page = try await provider.list(prefix: prefix, limit: limit, cursor: cursor)
        } catch {
            throw SidecarError(wrapping: error, provider: provider.name)
        }
        return try JSONResponse.make(ListAnswer(page: page))
    }
}
