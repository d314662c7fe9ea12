import Crypto
import Foundation
import NIOCore
import NIOPosix
import SidecarCore

/// Objects as files under `root`: the embedded default, usable with no network. Writes go to a
/// temporary file that is renamed into place, so a reader never sees half an object; signed URLs
/// are served by the daemon itself (see ``FilesystemURLSigner``).
public struct FilesystemStorageProvider: StorageProvider, RegisteredProvider {
    /// `storage.filesystem`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["root", "public_url"]
        /// The directory objects live under (created when missing).
        public var root: String
        /// The address signed URLs start with; default `http://<webhooks_listen>`.
        public var publicURL: String?

        public init?(from reader: ConfigReader) {
            root = reader.string("root") ?? "./run/storage"
            publicURL = reader.string("public_url")
            if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
                reader.problem("public_url", "expected an http:// or https:// URL")
            }
        }

        enum CodingKeys: String, CodingKey { case root, publicURL = "public_url" }
    }

    public static let providerName = "filesystem"
    public var name: String { Self.providerName }
    let layout: FilesystemLayout
    let publicURL: String?
    let signer: FilesystemURLSigner
    let now: @Sendable () -> Date
    static let chunkSize = 256 * 1024

    public init(configuration: Configuration, context: ProviderContext) async throws {
        let root = URL(fileURLWithPath: configuration.root).standardizedFileURL.path
        let layout = FilesystemLayout(root: root)
        do {
            signer = FilesystemURLSigner(key: try await NIOThreadPool.singleton.runIfActive { try layout.prepare() })
        } catch {
            throw SidecarError(.providerUnavailable, "storage.filesystem.root: cannot prepare \(root)", provider: Self.providerName)
        }
        self.layout = layout
        publicURL = configuration.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        now = context.now
    }

    public func upload<Body: AsyncSequence & Sendable>(
        key: String, body: Body, contentType: String, contentLength: Int64?
    ) async throws -> StoredObject where Body.Element == ByteBuffer {
        let destination = try layout.objectPath(key)
        let metadataPath = try layout.metadataPath(key)
        let temporary = "\(layout.temporaryDirectory)/\(UUID().uuidString)"
        let file = try await PosixFile.create(temporary)
        var md5 = Insecure.MD5()
        var size: Int64 = 0
        var bodyReceived = false
        do {
            for try await chunk in body {
                chunk.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
                size += Int64(chunk.readableBytes)
                try await file.write(chunk)
            }
            bodyReceived = true
            file.close()
            let etag = SigV4Encoding.hexString(md5.finalize())
            let metadata = try JSONEncoder().encode(FilesystemObjectMetadata(contentType: contentType, etag: etag))
            try await NIOThreadPool.singleton.runIfActive {
                let files = FileManager.default
                for path in [destination, metadataPath] {
                    try files.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                }
                try metadata.write(to: URL(fileURLWithPath: metadataPath), options: .atomic)
                guard rename(temporary, destination) == 0 else { throw POSIXFileError(errno: errno) }
            }
            return StoredObject(key: key, size: size, etag: etag, contentType: contentType, lastModified: now())
        } catch {
            file.close()
            unlink(temporary)
            // A failure of the body (client gone, limit crossed) is passed on; after it, the only
            // way to fail is a key whose folders clash with an existing object.
            guard bodyReceived else { throw error }
            throw SidecarError(.conflict, "key: cannot be stored (a path segment is already an object or a folder)", provider: name)
        }
    }

    public func download(key: String) async throws -> ObjectDownload {
        let path = try layout.objectPath(key)
        let file: PosixFile
        do {
            file = try await PosixFile.openForReading(path)
        } catch {
            throw SidecarError.notFound("no object with this key")
        }
        guard let object = try await describe(key) else { throw SidecarError.notFound("no object with this key") }
        return ObjectDownload(object: object, body: FileChunks(file: file, chunkSize: Self.chunkSize))
    }

    /// The object's metadata, or `nil` when there is no such object (or it is a folder).
    private func describe(_ key: String) async throws -> StoredObject? {
        let path = try layout.objectPath(key)
        let metadataPath = try layout.metadataPath(key)
        return try await NIOThreadPool.singleton.runIfActive {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
            let metadata = (try? Data(contentsOf: URL(fileURLWithPath: metadataPath)))
                .flatMap { try? JSONDecoder().decode(FilesystemObjectMetadata.self, from: $0) }
            return StoredObject(
                key: key, size: (attributes[.size] as? NSNumber)?.int64Value ?? 0, etag: metadata?.etag,
                contentType: metadata?.contentType ?? "application/octet-stream",
                lastModified: attributes[.modificationDate] as? Date)
        }
    }

    public func signedURL(key: String, method: SignedURL.Method, expiresIn: Int, contentType: String?) async throws -> SignedURL {
        _ = try layout.relativePath(of: key)
        let expiresAt = now().addingTimeInterval(TimeInterval(expiresIn))
        let path = signer.pathAndQuery(
            key: key, method: method, expires: Int64(expiresAt.timeIntervalSince1970.rounded(.down)),
            contentType: method == .put ? contentType : nil)
        // Without `public_url` the route puts the webhook listener's address in front.
        return SignedURL(url: (publicURL ?? "") + path, method: method, expiresAt: expiresAt)
    }

    /// Checks a signed URL presented to the webhook listener.
    public func verify(_ parameters: FilesystemURLSigner.Parameters) throws(SidecarError) {
        try signer.verify(parameters, now: now())
    }

    public func delete(key: String) async throws {
        let path = try layout.objectPath(key)
        let metadataPath = try layout.metadataPath(key)
        try await NIOThreadPool.singleton.runIfActive {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return }
            unlink(path)
            unlink(metadataPath)
        }
    }

    public func list(prefix: String, limit: Int, cursor: String?) async throws -> ObjectPage {
        try layout.validatePrefix(prefix)
        var after: String?
        if let cursor {
            guard let key = OpaqueCursor.decode(cursor) else { throw SidecarError.invalidRequest("cursor: not a cursor this API returned") }
            after = key
        }
        let layout = self.layout
        let keys = try await NIOThreadPool.singleton.runIfActive { layout.keys(prefix: prefix) }
        let remaining = after.map { after in keys.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.utf8)) } } ?? keys
        let page = Array(remaining.prefix(limit))
        var objects: [StoredObject] = []
        for key in page {
            if let object = try await describe(key) { objects.append(object) }
        }
        let next = remaining.count > limit ? page.last.map(OpaqueCursor.encode) : nil
        return ObjectPage(objects: objects, nextCursor: next)
    }
}
