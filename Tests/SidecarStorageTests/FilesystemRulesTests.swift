import Crypto
import Foundation
import SidecarCore
import Testing

@testable import SidecarStorage

/// Key rules, cursors and the filesystem provider's URL signatures.
@Suite("Storage keys and filesystem signatures")
struct FilesystemRulesTests {
    @Test func keysThatWouldLeaveTheRootAreRefused() throws {
        let layout = FilesystemLayout(root: "/srv/objects")
        #expect(try layout.objectPath("a/b c+d ü.txt") == "/srv/objects/a/b c+d ü.txt")
        for key in ["..", "../x", "a/../../x", "a/./b", "/abs", "a//b", "a/", ".sidecar/signing.key", ".sidecar"] {
            #expect(throws: SidecarError.self, "\(key)") { try layout.objectPath(key) }
        }
        #expect(try layout.metadataPath("a/b") == "/srv/objects/.sidecar/meta/a/b.json")
        for prefix in ["", "a", "a/", "a/b", "ab/c."] {
            #expect(throws: Never.self, "\(prefix)") { try layout.validatePrefix(prefix) }
        }
        for prefix in ["..", "../", "a/../", "./x", "/", "a//"] {
            #expect(throws: SidecarError.self, "\(prefix)") { try layout.validatePrefix(prefix) }
        }
    }

    @Test func keyValidation() throws {
        #expect(throws: SidecarError.invalidRequest("key: is required")) { try StorageKey.validate("") }
        #expect(throws: SidecarError.invalidRequest("key: is required")) { try StorageKey.validate(nil) }
        #expect(throws: SidecarError.self) { try StorageKey.validate("a\u{0}b") }
        #expect(throws: SidecarError.self) { try StorageKey.validate(String(repeating: "é", count: 513)) }
        #expect(try StorageKey.validate(String(repeating: "é", count: 512)).utf8.count == 1024)
    }

    @Test func cursorsRoundTripAndRejectGarbage() {
        let token = "1/abc+def=="
        #expect(OpaqueCursor.decode(OpaqueCursor.encode(token)) == token)
        #expect(!OpaqueCursor.encode(token).contains("+"))
        #expect(OpaqueCursor.decode("%%%") == nil)
    }

    @Test func signedURLsVerifyOnlyUnchangedAndUnexpired() throws {
        let signer = FilesystemURLSigner(key: SymmetricKey(size: .bits256))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expires: Int64 = 1_800_000_060
        let good = signer.signature(key: "a b.txt", method: .put, expires: expires, contentType: "text/plain")
        let parameters = FilesystemURLSigner.Parameters(key: "a b.txt", method: .put, expires: expires, contentType: "text/plain", signature: good)
        try signer.verify(parameters, now: now)

        var otherKey = parameters
        otherKey.key = "a c.txt"
        var otherMethod = parameters
        otherMethod.method = .get
        var otherType = parameters
        otherType.contentType = "application/json"
        var longer = parameters
        longer.expires += 3600
        for changed in [otherKey, otherMethod, otherType, longer] {
            #expect(throws: SidecarError(.unauthorized, "signature: does not match this URL")) { try signer.verify(changed, now: now) }
        }
        #expect(throws: SidecarError(.unauthorized, "expires: this signed URL has expired")) {
            try signer.verify(parameters, now: now.addingTimeInterval(61))
        }
        let path = signer.pathAndQuery(key: "a b.txt", method: .get, expires: expires, contentType: nil)
        #expect(path.hasPrefix("/storage/signed?key=a%20b.txt&method=GET&expires=1800000060&signature="))
    }
}
