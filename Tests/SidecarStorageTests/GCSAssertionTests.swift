import Crypto
import Foundation
import SidecarCore
import Testing
import _CryptoExtras

@testable import SidecarStorage

/// The service account's JWT-bearer assertion: its shape, and a signature the public key verifies.
@Suite("GCS service-account assertion")
struct GCSAssertionTests {
    static func account(key: _RSA.Signing.PrivateKey, tokenURI: String = "https://oauth2.googleapis.com/token") throws -> GCSServiceAccount {
        let file: [String: String] = [
            "type": "service_account", "client_email": "svc@project.iam.gserviceaccount.com", "private_key_id": "kid-1",
            "private_key": key.pemRepresentation, "token_uri": tokenURI,
        ]
        return try GCSServiceAccount(json: try JSONEncoder().encode(file))
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    @Test func assertionIsAnRS256JWTThePublicKeyVerifies() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let account = try Self.account(key: key, tokenURI: "http://127.0.0.1:9/token")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let jwt = try account.assertion(scope: GCSTokenSource.scope, now: now)
        let parts = jwt.split(separator: ".")
        #expect(parts.count == 3)
        let header = try JSONDecoder().decode([String: String].self, from: try #require(Self.base64URLDecode(parts[0])))
        #expect(header == ["alg": "RS256", "typ": "JWT", "kid": "kid-1"])
        let claims = try JSONDecoder().decode(JSONValue.self, from: try #require(Self.base64URLDecode(parts[1])))
        #expect(claims["iss"] == .string("svc@project.iam.gserviceaccount.com"))
        #expect(claims["aud"] == .string("http://127.0.0.1:9/token"))
        #expect(claims["scope"] == .string("https://www.googleapis.com/auth/devstorage.read_write"))
        #expect(claims["iat"] == .number(1_800_000_000))
        #expect(claims["exp"] == .number(1_800_003_600))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Self.base64URLDecode(parts[2])))
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        #expect(key.publicKey.isValidSignature(signature, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5))
    }

    @Test func keyFileProblemsNameTheFieldNotTheValue() {
        #expect(throws: SidecarError.self) { try GCSServiceAccount(json: Data("not json".utf8)) }
        #expect(throws: SidecarError(.invalidRequest, "storage.gcs.credentials_file: private_key is missing or not an RSA key in PEM form")) {
            try GCSServiceAccount(json: Data(#"{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN nothing"}"#.utf8))
        }
    }
}
