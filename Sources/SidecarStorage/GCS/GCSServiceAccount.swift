import Crypto
import Foundation
import SidecarCore
import _CryptoExtras

/// A Google service account from its JSON key file: who it is, where it gets tokens, and the
/// RSA key it signs with (JWT assertions and V4 signed URLs). The key never leaves this type.
public struct GCSServiceAccount: Sendable {
    public let clientEmail: String
    public let privateKeyID: String?
    public let tokenURI: String
    private let privateKey: _RSA.Signing.PrivateKey

    private struct File: Decodable {
        var type: String?
        var clientEmail: String?
        var privateKey: String?
        var privateKeyID: String?
        var tokenURI: String?
        enum CodingKeys: String, CodingKey {
            case type, clientEmail = "client_email", privateKey = "private_key", privateKeyID = "private_key_id", tokenURI = "token_uri"
        }
    }

    /// Parses a key file's contents; errors name the missing field, never a value.
    public init(json: Data) throws(SidecarError) {
        guard let file = try? JSONDecoder().decode(File.self, from: json) else {
            throw SidecarError(.invalidRequest, "storage.gcs.credentials_file: not a service-account JSON key")
        }
        guard file.type == nil || file.type == "service_account" else {
            throw SidecarError(.invalidRequest, "storage.gcs.credentials_file: type must be service_account")
        }
        guard let email = file.clientEmail, !email.isEmpty else {
            throw SidecarError(.invalidRequest, "storage.gcs.credentials_file: client_email is missing")
        }
        guard let pem = file.privateKey, let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
            throw SidecarError(.invalidRequest, "storage.gcs.credentials_file: private_key is missing or not an RSA key in PEM form")
        }
        clientEmail = email
        privateKeyID = file.privateKeyID
        tokenURI = file.tokenURI ?? "https://oauth2.googleapis.com/token"
        privateKey = key
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (RS256, GOOG4-RSA-SHA256).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        let signature = try privateKey.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        return Array(signature.rawRepresentation)
    }

    /// The JWT-bearer assertion for the OAuth token exchange, valid one hour from `now`.
    public func assertion(scope: String, now: Date) throws -> String {
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let privateKeyID { header["kid"] = privateKeyID }
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(iss: clientEmail, scope: scope, aud: tokenURI, iat: issued, exp: issued + 3600)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let signingInput = Self.base64URL(try encoder.encode(header)) + "." + Self.base64URL(try encoder.encode(claims))
        return signingInput + "." + Self.base64URL(Data(try sign(Array(signingInput.utf8))))
    }

    private struct Claims: Encodable {
        var iss: String
        var scope: String
        var aud: String
        var iat: Int
        var exp: Int
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
