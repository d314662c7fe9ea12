import Crypto
import Foundation
import SidecarCore

/// An access key pair for SigV4; the secret stays a ``SecretValue`` until a request is signed.
public struct SigV4Credentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: SecretValue
    /// The STS session token of temporary credentials.
    public var sessionToken: SecretValue?

    public init(accessKeyID: String, secretAccessKey: SecretValue, sessionToken: SecretValue? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// One request as SigV4 sees it. `path` is the canonical URI, already encoded (S3 encodes each
/// key segment once and never normalizes); `query` holds raw (unencoded) names and values.
public struct SigV4Request: Sendable {
    public var method: String
    public var host: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]

    public init(method: String, host: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = []) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }
}

/// AWS Signature Version 4 for S3-compatible services: header signing and presigned URLs.
public struct SigV4Signer: Sendable {
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The longest expiry a presigned URL may have: 7 days.
    public static let maxPresignSeconds = 604_800

    public var credentials: SigV4Credentials
    public var region: String
    public var service: String

    public init(credentials: SigV4Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The hex SHA-256 of a payload, for `x-amz-content-sha256`.
    public static func payloadHash(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        // Hash in place when the bytes are contiguous (a part's ByteBuffer): no copy of the part.
        let hashedInPlace: Void? = bytes.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if hashedInPlace == nil { hasher.update(data: Array(bytes)) }
        return SigV4Encoding.hexString(hasher.finalize())
    }

    /// The canonical request: method, URI, query, headers, signed header names, payload hash.
    public func canonicalRequest(_ request: SigV4Request, payloadHash: String) -> (text: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in request.headers {
            merged[name.lowercased(), default: []].append(SigV4Encoding.canonicalHeaderValue(value))
        }
        if merged["host"] == nil { merged["host"] = [request.host] }
        let names = merged.keys.sorted()
        let headerLines = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            request.method, request.path, SigV4Encoding.canonicalQuery(request.query), headerLines, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// `<day>/<region>/<service>/aws4_request`.
    public func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// The string to sign for a canonical request made at `dateTime`.
    public func stringToSign(canonicalRequest: String, dateTime: String, day: String) -> String {
        let hash = SigV4Encoding.hexString(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return "AWS4-HMAC-SHA256\n\(dateTime)\n\(scope(day: day))\n\(hash)"
    }

    /// The hex signature of `stringToSign` with the key derived for `day`.
    public func signature(stringToSign: String, day: String) -> String {
        var key = SymmetricKey(data: Array("AWS4".utf8) + credentials.secretAccessKey.revealedBytes)
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return SigV4Encoding.hexString(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    /// The headers to add to `request` so that it is signed: `x-amz-date`,
    /// `x-amz-content-sha256`, the session token when there is one, and `Authorization`.
    public func signedHeaders(for request: SigV4Request, payloadHash: String, date: Date) -> [(String, String)] {
        let (dateTime, day) = SigV4Encoding.timestamps(date)
        var added: [(String, String)] = [("x-amz-date", dateTime), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken {
            token.withRevealedValue { added.append(("x-amz-security-token", $0)) }
        }
        var full = request
        full.headers += added
        let (canonical, signedNames) = canonicalRequest(full, payloadHash: payloadHash)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, dateTime: dateTime, day: day), day: day)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: day)), "
            + "SignedHeaders=\(signedNames), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// The query string (encoded, `X-Amz-Signature` last) of a presigned URL for `request`,
    /// valid `expires` seconds from `date`. Only `host` and `request.headers` are signed.
    public func presignedQuery(for request: SigV4Request, expires: Int, date: Date) -> String {
        let (dateTime, day) = SigV4Encoding.timestamps(date)
        var full = request
        let headerNames = Set(request.headers.map { $0.0.lowercased() } + ["host"]).sorted().joined(separator: ";")
        full.query += [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(day: day))"),
            ("X-Amz-Date", dateTime),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", headerNames),
        ]
        if let token = credentials.sessionToken {
            token.withRevealedValue { full.query.append(("X-Amz-Security-Token", $0)) }
        }
        let (canonical, _) = canonicalRequest(full, payloadHash: Self.unsignedPayload)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, dateTime: dateTime, day: day), day: day)
        return SigV4Encoding.canonicalQuery(full.query) + "&X-Amz-Signature=" + signature
    }
}
