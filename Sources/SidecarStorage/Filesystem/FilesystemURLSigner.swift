import Crypto
import Foundation
import SidecarCore

/// Signs and checks the filesystem provider's own signed URLs, which the daemon serves on its
/// webhook listener at `/storage/signed`: an HMAC-SHA256 over method, key, expiry and (for a
/// PUT) the bound content type, with a key made on first start and kept under the root.
public struct FilesystemURLSigner: Sendable {
    /// The path the webhook listener serves signed URLs at.
    public static let path = "/storage/signed"
    let key: SymmetricKey

    /// The query parameters of a signed URL.
    public struct Parameters: Sendable {
        public var key: String
        public var method: SignedURL.Method
        public var expires: Int64
        public var contentType: String?
        public var signature: String

        public init(key: String, method: SignedURL.Method, expires: Int64, contentType: String?, signature: String) {
            self.key = key
            self.method = method
            self.expires = expires
            self.contentType = contentType
            self.signature = signature
        }
    }

    func signature(key objectKey: String, method: SignedURL.Method, expires: Int64, contentType: String?) -> String {
        let message = [method.rawValue, objectKey, String(expires), contentType ?? ""].joined(separator: "\n")
        return SigV4Encoding.hexString(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    /// `/storage/signed?…` for the given request, valid until `expires` (Unix seconds).
    func pathAndQuery(key objectKey: String, method: SignedURL.Method, expires: Int64, contentType: String?) -> String {
        var query = [("key", objectKey), ("method", method.rawValue), ("expires", String(expires))]
        if let contentType { query.append(("content_type", contentType)) }
        query.append(("signature", signature(key: objectKey, method: method, expires: expires, contentType: contentType)))
        return Self.path + "?" + query.map { "\($0.0)=\(SigV4Encoding.encode($0.1))" }.joined(separator: "&")
    }

    /// Checks a presented URL: the signature must match (compared in constant time) and the
    /// expiry must not have passed. Failures are `401 unauthorized` and say which check failed.
    func verify(_ parameters: Parameters, now: Date) throws(SidecarError) {
        let expected = signature(
            key: parameters.key, method: parameters.method, expires: parameters.expires, contentType: parameters.contentType)
        let lhs = Array(expected.utf8)
        let rhs = Array(parameters.signature.lowercased().utf8)
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        guard difference == 0 else { throw SidecarError(.unauthorized, "signature: does not match this URL") }
        guard Int64(now.timeIntervalSince1970) <= parameters.expires else {
            throw SidecarError(.unauthorized, "expires: this signed URL has expired")
        }
    }
}
