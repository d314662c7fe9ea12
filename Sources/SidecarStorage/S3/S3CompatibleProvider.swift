import NIOCore
import SidecarCore

/// A provider that speaks the S3 API (S3 itself, R2): everything but its endpoint and signing
/// region is the shared ``S3CompatibleStorage``, to which the operations are forwarded.
protocol S3CompatibleProvider: StorageProvider {
    var storage: S3CompatibleStorage { get }
}

extension S3CompatibleProvider {
    public func upload<Body: AsyncSequence & Sendable>(
        key: String, body: Body, contentType: String, contentLength: Int64?
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        try await storage.upload(key: key, body: body, contentType: contentType, contentLength: contentLength)
    }

    public func download(key: String) async throws -> ObjectDownload { try await storage.download(key: key) }

    public func signedURL(key: String, method: SignedURL.Method, expiresIn: Int, contentType: String?) async throws -> SignedURL {
        storage.signedURL(key: key, method: method, expiresIn: expiresIn, contentType: contentType)
    }

    public func delete(key: String) async throws { try await storage.delete(key: key) }

    public func list(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage {
        try await storage.list(prefix: prefix, limit: limit, cursor: cursor)
    }
}
