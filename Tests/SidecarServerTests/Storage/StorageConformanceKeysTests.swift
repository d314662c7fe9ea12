import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SidecarCore
import Testing

/// The storage conformance suite, continued: signed URLs, delete, missing keys and unusual keys.
extension StorageSuites {
    @Suite("Storage conformance: URLs and keys")
    struct StorageConformanceKeysTests {
        @Test(arguments: StorageTarget.all)
        func signedPutAndGetWorkWithAPlainHTTPClient(target: StorageTarget) async throws {
            guard target.available else { return }
            try await StorageConformanceTests.run(target) { client, prefix, _, _ in
                let key = prefix + "signed file+1.txt"
                let put = try await client.post("/storage/signed-url", #"{"key": "\#(key)", "method": "PUT", "expires_in": 300, "content_type": "text/plain"}"#)
                #expect(put.status == 200, "\(put.text)")
                #expect(put.json?["method"] == .string("PUT"))
                let putURL = try #require(put.json?["url"]?.stringValue)
                let expiresAt = try #require(put.json?["expires_at"]?.stringValue)
                let expiry = try #require(ISO8601DateFormatter().date(from: expiresAt))
                #expect(abs(expiry.timeIntervalSinceNow - 300) < 30)

                let stored = try await StorageHTTP.put(url: putURL, text: "through a signed URL", contentType: "text/plain")
                #expect((200..<300).contains(stored.status), "\(stored.status) \(stored.text)")

                let get = try await client.post("/storage/signed-url", #"{"key": "\#(key)", "expires_in": 300}"#)
                #expect(get.status == 200)
                #expect(get.json?["method"] == .string("GET"))
                let fetched = try await StorageHTTP.fetch(url: try #require(get.json?["url"]?.stringValue))
                #expect(fetched.status == 200)
                #expect(fetched.text == "through a signed URL")

                if target.verifiesSignedURLs {
                    let tampered = try await StorageHTTP.fetch(url: try #require(get.json?["url"]?.stringValue).replacingOccurrences(of: "signed%20file", with: "signed%20fila"))
                    #expect([401, 403, 404].contains(tampered.status), "a URL for another key is refused")
                    let wrongType = try await StorageHTTP.put(url: putURL, text: "other", contentType: "application/json")
                    #expect([401, 403].contains(wrongType.status), "the signed Content-Type is enforced")

                    let short = try await client.post("/storage/signed-url", #"{"key": "\#(key)", "expires_in": 1}"#)
                    let shortURL = try #require(short.json?["url"]?.stringValue)
                    try await Task.sleep(for: .milliseconds(2200))
                    let expired = try await StorageHTTP.fetch(url: shortURL)
                    #expect([401, 403].contains(expired.status), "an expired URL is refused (got \(expired.status))")
                }

                let invalid = try await client.post("/storage/signed-url", #"{"key": "\#(key)", "expires_in": 604801}"#)
                #expect(invalid.status == 400)
                #expect(invalid.errorMessage?.hasPrefix("expires_in") == true)
                let badMethod = try await client.post("/storage/signed-url", #"{"key": "\#(key)", "method": "DELETE"}"#)
                #expect(badMethod.status == 400)
                #expect(badMethod.errorMessage?.hasPrefix("method") == true)
            }
        }

        @Test(arguments: StorageTarget.all)
        func deleteIsIdempotentAndMissingKeysAre404(target: StorageTarget) async throws {
            guard target.available else { return }
            try await StorageConformanceTests.run(target) { client, prefix, _, _ in
                let key = prefix + "to-delete.txt"
                #expect(try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: "bye").status == 200)
                let deleted = try await client.post("/storage/delete", #"{"key": "\#(key)"}"#)
                #expect(deleted.status == 200)
                #expect(deleted.json == .object(["key": .string(key), "deleted": .bool(true)]))
                let again = try await client.post("/storage/delete", #"{"key": "\#(key)"}"#)
                #expect(again.status == 200, "deleting a missing key is not an error")

                for missing in [key, prefix + "never-existed"] {
                    let download = try await client.call(.GET, "/storage/download?key=\(queryEscaped(missing))")
                    #expect(download.status == 404)
                    #expect(download.errorCode == "not_found")
                }
                let noKey = try await client.call(.GET, "/storage/download")
                #expect(noKey.status == 400)
                #expect(noKey.errorMessage == "key: is required")
                let noBodyKey = try await client.post("/storage/delete", #"{}"#)
                #expect(noBodyKey.status == 400)
                #expect(noBodyKey.errorMessage == "key: is required")
            }
        }

        @Test(arguments: StorageTarget.all)
        func keysWithSpacesUnicodeAndPlusRoundTrip(target: StorageTarget) async throws {
            guard target.available else { return }
            try await StorageConformanceTests.run(target) { client, prefix, _, _ in
                let keys = [prefix + "with space/a b.txt", prefix + "ünïcødé/ключ 鍵.txt", prefix + "plus+sign+key", prefix + "odd (chars)=&?#%.txt"]
                for (index, key) in keys.enumerated() {
                    let upload = try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: "body \(index)")
                    #expect(upload.status == 200, "\(key): \(upload.text)")
                    #expect(upload.json?["key"] == .string(key))
                    let download = try await client.download("/storage/download?key=\(queryEscaped(key))")
                    #expect(download.status == 200, "\(key)")
                    #expect(download.text == "body \(index)")
                }
                let listed = try await client.call(.GET, "/storage/list?prefix=\(queryEscaped(prefix))")
                guard case .array(let objects) = listed.json?["objects"] else { Issue.record("no objects"); return }
                #expect(Set(objects.compactMap { $0["key"]?.stringValue }) == Set(keys))

                let signed = try await client.post("/storage/signed-url", #"{"key": "\#(keys[2])"}"#)
                let fetched = try await StorageHTTP.fetch(url: try #require(signed.json?["url"]?.stringValue))
                #expect(fetched.status == 200)
                #expect(fetched.text == "body 2")
            }
        }
    }
}
