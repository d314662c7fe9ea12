import SidecarCore

/// The checks every object key passes before any provider sees it (API.md): not empty, at most
/// 1024 bytes of UTF-8, and no control characters.
public enum StorageKey {
    public static let maxBytes = 1024

    /// Returns `key` when it is acceptable, else a `400 invalid_request` naming `field`.
    @discardableResult
    public static func validate(_ key: String?, field: String = "key") throws(SidecarError) -> String {
        guard let key, !key.isEmpty else { throw .invalidRequest("\(field): is required") }
        guard key.utf8.count <= maxBytes else {
            throw .invalidRequest("\(field): at most \(maxBytes) bytes of UTF-8, got \(key.utf8.count)")
        }
        guard !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidRequest("\(field): control characters are not allowed")
        }
        return key
    }

    /// A prefix for `list`: the same checks, but empty is allowed.
    public static func validatePrefix(_ prefix: String) throws(SidecarError) -> String {
        guard !prefix.isEmpty else { return prefix }
        return try validate(prefix, field: "prefix")
    }
}

/// Errors shared by the storage providers.
enum SidecarErrorFactory {
    static func tooLarge(limit: Int64, name: String) -> SidecarError {
        SidecarError(.payloadTooLarge, "body: over the upload limit of \(limit) bytes (\(name))")
    }
}
