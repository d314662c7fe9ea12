import Foundation
import Hummingbird
import SidecarCore
import SidecarStorage

/// `GET` and `PUT /storage/signed` on the webhook listener: the filesystem provider's signed
/// URLs, served by the daemon itself so that the offline default can hand out URLs too.
/// Anyone holding a URL may use it until it expires; nothing else is reachable this way.
struct StorageSignedRoutes {
    static let paths = [FilesystemURLSigner.path]

    func register(on router: Router<SidecarRequestContext>) {
        router.get("/storage/signed") { request, context in try await serve(request, context: context, method: .get) }
        router.put("/storage/signed") { request, context in try await serve(request, context: context, method: .put) }
    }

    private func serve(_ request: Request, context: SidecarRequestContext, method: SignedURL.Method) async throws -> Response {
        let set = try context.providerSet()
        guard let provider = set.storage as? FilesystemStorageProvider else {
            throw SidecarError.notFound("signed URLs are served here only with the filesystem storage provider")
        }
        let query = request.uri.queryParameters
        let key = try StorageKey.validate(query["key"].map(String.init))
        guard query["method"].map(String.init) == method.rawValue else {
            throw SidecarError(.unauthorized, "method: this URL was not signed for \(method.rawValue)")
        }
        guard let expires = query["expires"].flatMap({ Int64(String($0)) }) else {
            throw SidecarError.invalidRequest("expires: is required")
        }
        guard let signature = query["signature"].map(String.init) else {
            throw SidecarError.invalidRequest("signature: is required")
        }
        let boundType = query["content_type"].map(String.init)
        try provider.verify(.init(key: key, method: method, expires: expires, contentType: boundType, signature: signature))
        switch method {
        case .get:
            return try await StorageRoutes.send(key: key, from: provider)
        case .put:
            if let boundType, request.headers[.contentType] != boundType {
                throw SidecarError(.unauthorized, "content_type: this URL was signed for Content-Type \(boundType)")
            }
            let object = try await StorageRoutes.receive(request, key: key, set: set, provider: provider)
            return try JSONResponse.make(UploadAnswer(object: object, provider: provider.name))
        }
    }
}
