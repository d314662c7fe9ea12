import Foundation
import SidecarCore

/// V4 signed URLs for Cloud Storage's XML API, signed with the service account's RSA key
/// (`GOOG4-RSA-SHA256`): the SigV4 canonical request with Google's names, payload `UNSIGNED-PAYLOAD`.
struct GCSURLSigner: Sendable {
    let account: GCSServiceAccount
    /// `https://storage.googleapis.com` or an emulator's address.
    let endpoint: String
    let bucket: String

    func url(key: String, method: String, expiresIn: Int, contentType: String?, date: Date) throws -> String {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme, let hostName = components.host else {
            throw SidecarError(.internalError, "storage.gcs.endpoint is not a URL")
        }
        let host = components.port.map { "\(hostName):\($0)" } ?? hostName
        let (dateTime, day) = SigV4Encoding.timestamps(date)
        let scope = "\(day)/auto/storage/goog4_request"
        let path = "/\(SigV4Encoding.encode(bucket))/\(SigV4Encoding.encode(key, keepSlash: true))"
        var headers = [("host", host)]
        if let contentType { headers.append(("content-type", contentType)) }
        let signedNames = headers.map(\.0).sorted().joined(separator: ";")
        let query = [
            ("X-Goog-Algorithm", "GOOG4-RSA-SHA256"), ("X-Goog-Credential", "\(account.clientEmail)/\(scope)"),
            ("X-Goog-Date", dateTime), ("X-Goog-Expires", String(expiresIn)), ("X-Goog-SignedHeaders", signedNames),
        ]
        let canonicalHeaders = headers.sorted { $0.0 < $1.0 }.map { "\($0.0):\(SigV4Encoding.canonicalHeaderValue($0.1))\n" }.joined()
        let canonicalQuery = SigV4Encoding.canonicalQuery(query)
        let canonicalRequest = [method, path, canonicalQuery, canonicalHeaders, signedNames, SigV4Signer.unsignedPayload]
            .joined(separator: "\n")
        let stringToSign = "GOOG4-RSA-SHA256\n\(dateTime)\n\(scope)\n\(SigV4Signer.payloadHash(Array(canonicalRequest.utf8)))"
        let signature = SigV4Encoding.hexString(try account.sign(Array(stringToSign.utf8)))
        return "\(scheme)://\(host)\(path)?\(canonicalQuery)&X-Goog-Signature=\(signature)"
    }
}
