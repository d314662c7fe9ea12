import Crypto
import Foundation
import SidecarCore

/// Where the filesystem provider keeps things under its root: objects at `<root>/<key>`, their
/// metadata and in-progress writes under `<root>/.sidecar/`, which no key may reach.
struct FilesystemLayout: Sendable {
    static let reserved = ".sidecar"
    let root: String

    var privateDirectory: String { "\(root)/\(Self.reserved)" }
    var temporaryDirectory: String { "\(privateDirectory)/tmp" }
    var metadataDirectory: String { "\(privateDirectory)/meta" }
    var signingKeyPath: String { "\(privateDirectory)/signing.key" }

    /// The relative path of `key`; refuses keys that could leave the root or alias another key.
    func relativePath(of key: String) throws(SidecarError) -> String {
        try StorageKey.validate(key)
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty {
                throw .invalidRequest("key: empty path segments (a leading, trailing or double `/`) are not allowed with the filesystem provider")
            }
            if segment == "." || segment == ".." {
                throw .invalidRequest("key: `.` and `..` segments are not allowed (they would leave the storage root)")
            }
        }
        if segments.first == Substring(Self.reserved) {
            throw .invalidRequest("key: the `\(Self.reserved)/` prefix is reserved")
        }
        return key
    }

    /// Checks a listing prefix: its folders must stay inside the root like a key's.
    func validatePrefix(_ prefix: String) throws(SidecarError) {
        let segments = prefix.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            if segment == ".." || segment == "." || (segment.isEmpty && !isLast) {
                throw .invalidRequest("prefix: `.`, `..` and empty segments are not allowed with the filesystem provider")
            }
        }
    }

    func objectPath(_ key: String) throws(SidecarError) -> String { "\(root)/\(try relativePath(of: key))" }
    func metadataPath(_ key: String) throws(SidecarError) -> String { "\(metadataDirectory)/\(try relativePath(of: key)).json" }

    /// Creates the directories and returns the HMAC key for signed URLs, made on first start.
    func prepare() throws -> SymmetricKey {
        let files = FileManager.default
        for directory in [root, temporaryDirectory, metadataDirectory] {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if let text = try? String(contentsOfFile: signingKeyPath, encoding: .utf8),
           let bytes = Self.bytes(fromHex: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 {
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { SigV4Encoding.hexString($0) }
        let temporary = "\(temporaryDirectory)/signing-\(UUID().uuidString)"
        guard files.createFile(atPath: temporary, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SidecarError(.internalError, "cannot write the signing key under \(privateDirectory)")
        }
        try files.moveItem(atPath: temporary, toPath: signingKeyPath)
        return key
    }

    private static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Every object key under the root whose key starts with `prefix`, sorted.
    func keys(prefix: String) -> [String] {
        let files = FileManager.default
        // Walk only the directory the prefix names, not the whole root.
        let directoryPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let start = directoryPart.isEmpty ? root : "\(root)/\(directoryPart)"
        guard let walker = files.enumerator(atPath: start) else { return [] }
        var keys: [String] = []
        while let relative = walker.nextObject() as? String {
            let key = directoryPart.isEmpty ? relative : "\(directoryPart)/\(relative)"
            if key == Self.reserved || key.hasPrefix(Self.reserved + "/") { continue }
            guard key.hasPrefix(prefix) else { continue }
            var isDirectory: ObjCBool = false
            if files.fileExists(atPath: "\(root)/\(key)", isDirectory: &isDirectory), !isDirectory.boolValue {
                keys.append(key)
            }
        }
        return keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}

/// What the filesystem provider records beside each object.
struct FilesystemObjectMetadata: Codable, Sendable {
    var contentType: String
    var etag: String

    enum CodingKeys: String, CodingKey { case contentType = "content_type", etag }
}
