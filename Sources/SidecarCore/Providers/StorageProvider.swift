import Foundation
import NIOCore

/// Metadata of a stored object.
public struct StoredObject: Sendable, Hashable, Codable {
    public var key: String
    public var size: Int64
    public var etag: String?
    public var contentType: String?
    public var lastModified: Date?

    public init(key: String, size: Int64, etag: String?, contentType: String?, lastModified: Date?) {
        self.key = key
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
    }
}

/// An object being downloaded: its metadata and a body that streams with backpressure.
public struct ObjectDownload: Sendable {
    public var object: StoredObject
    public var body: any AsyncSequence<ByteBuffer, any Error> & Sendable

    public init(object: StoredObject, body: any AsyncSequence<ByteBuffer, any Error> & Sendable) {
        self.object = object
        self.body = body
    }
}

/// One page of a listing; `nextCursor` is opaque to the caller.
public struct ObjectPage: Sendable, Hashable {
    public var objects: [StoredObject]
    public var nextCursor: String?

    public init(objects: [StoredObject], nextCursor: String?) {
        self.objects = objects
        self.nextCursor = nextCursor
    }
}

/// A pre-signed URL the application can hand to its own clients.
public struct SignedURL: Sendable, Hashable {
    public enum Method: String, Sendable, Codable { case get = "GET", put = "PUT" }
    public var url: String
    public var method: Method
    public var expiresAt: Date

    public init(url: String, method: Method, expiresAt: Date) {
        self.url = url
        self.method = method
        self.expiresAt = expiresAt
    }
}

/// Stores objects with one vendor.
///
/// ## Implementation requirements
/// - `upload` reads `body` as it arrives and never holds a whole object in memory;
///   `contentLength` is passed on when known.
/// - `download` answers `404 not_found` for a missing key, and a body that streams.
/// - `delete` of a missing key succeeds; `list` pages with an opaque cursor, keys sorted.
/// - Errors are ``SidecarError`` naming the provider; every implementation passes the storage
///   conformance suite.
public protocol StorageProvider: Sendable {
    var name: String { get }
    func upload<Body: AsyncSequence & Sendable>(
        key: String, body: Body, contentType: String, contentLength: Int64?
    ) async throws -> StoredObject where Body.Element == ByteBuffer
    func download(key: String) async throws -> ObjectDownload
    func signedURL(key: String, method: SignedURL.Method, expiresIn: Int, contentType: String?) async throws -> SignedURL
    func delete(key: String) async throws
    func list(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage
    func shutdown() async
}

extension StorageProvider {
    public func shutdown() async {}
}
