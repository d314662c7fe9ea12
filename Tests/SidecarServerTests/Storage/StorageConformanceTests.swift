import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SidecarCore
import Testing

/// The storage conformance suite: written once, run through the daemon's real socket against
/// every provider (filesystem; S3 and R2-style on ministack with signature checking; GCS on
/// gcp-storage-emulator with a token endpoint that verifies the service account's JWT).
/// Every storage suite runs one test at a time: they share the peers (and the GCS token count),
/// and 64 MiB transfers in parallel would only measure each other.
@Suite("Storage", .serialized)
enum StorageSuites {}

extension StorageSuites {
    @Suite("Storage conformance")
    struct StorageConformanceTests {
        /// Runs `body` against a daemon configured for `target`, each test under its own key prefix.
        static func run(
            _ target: StorageTarget, family: String = "", vendor: [String] = [],
            _ body: @Sendable (SocketClient, String, Int, TestDirectory) async throws -> Void
        ) async throws {
            let port = try freePort()
            let prefix = "t-\(UUID().uuidString.prefix(8).lowercased())/"
            for name in target.variables { _ = try PeerEnvironment.value(name) }
            try await LiveDaemon.run(config: { directory in (try? target.config(directory, webhooksPort: port, family: family, vendor: vendor)) ?? "" }) { client, _, directory in
                try await body(client, prefix, port, directory)
            }
        }

        @Test(arguments: StorageTarget.all)
        func smallObjectRoundTrip(target: StorageTarget) async throws {
            guard target.available else { return }
            try await Self.run(target) { client, prefix, _, _ in
                let key = prefix + "hello.txt"
                let upload = try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: "hello, storage", contentType: "text/x-test")
                #expect(upload.status == 200, "\(upload.text)")
                #expect(upload.json?["key"] == .string(key))
                #expect(upload.json?["size"] == .number(14))
                #expect(upload.json?["content_type"] == .string("text/x-test"))
                #expect(upload.json?["provider"] == .string(target.kind.rawValue))
                let etag = try #require(upload.json?["etag"]?.stringValue)

                let download = try await client.download("/storage/download?key=\(queryEscaped(key))")
                #expect(download.status == 200)
                #expect(download.text == "hello, storage")
                #expect(download.headers.first(name: "Content-Length") == "14")
                #expect(download.headers.first(name: "Content-Type") == "text/x-test")
                #expect(download.headers.first(name: "ETag") == "\"\(etag)\"")
            }
        }

        @Test(arguments: StorageTarget.all)
        func largeObjectStreamsBothWays(target: StorageTarget) async throws {
            guard target.available else { return }
            try await Self.run(target) { client, prefix, _, _ in
                let body = GeneratedBody(size: 64 << 20, seed: 0x5EED)
                let expected = await body.sha256()
                let key = prefix + "big.bin"
                let started = ContinuousClock.now
                let upload = try await client.upload("/storage/upload?key=\(queryEscaped(key))", body: body, contentType: "application/octet-stream")
                let uploaded = ContinuousClock.now
                #expect(upload.status == 200, "\(upload.text)")
                #expect(upload.json?["size"] == .number(Double(64 << 20)))
                if target.kind == .s3 || target.kind == .r2 {
                    // S3 gives a multipart object an ETag of `<md5 of part md5s>-<parts>`.
                    #expect(upload.json?["etag"]?.stringValue?.hasSuffix("-8") == true, "multipart upload of 8 parts expected")
                }
                if target.kind == .gcs {
                    #expect(try target.emulatorSawResumableUpload(of: key), "a resumable upload session was opened")
                }
                let download = try await client.download("/storage/download?key=\(queryEscaped(key))")
                let downloaded = ContinuousClock.now
                #expect(download.status == 200)
                #expect(download.size == 64 << 20)
                #expect(download.headers.first(name: "Content-Length") == String(64 << 20))
                #expect(download.sha256 == expected)
                StorageThroughput.record(target: target.kind.rawValue, up: uploaded - started, down: downloaded - uploaded, bytes: 64 << 20)
            }
        }

        @Test(arguments: StorageTarget.all)
        func failedMultipartUploadLeavesNothingBehind(target: StorageTarget) async throws {
            guard target.available else { return }
            // 40 MiB sent without Content-Length against a 24 MiB limit: the upload has gone
            // multipart (threshold 16 MiB) when the limit stops it midway.
            try await Self.run(target, family: "  max_upload_bytes: \(24 << 20)\n") { client, prefix, _, directory in
                let key = prefix + "broken.bin"
                let body = GeneratedBody(size: 40 << 20, seed: 7)
                let upload = try await client.upload("/storage/upload?key=\(queryEscaped(key))", body: body, contentType: "application/octet-stream", knownLength: false)
                #expect(upload.status == 413, "\(upload.text)")
                #expect(upload.errorCode == "payload_too_large")
                #expect(upload.errorMessage?.contains("storage.max_upload_bytes") == true)
                let missing = try await client.download("/storage/download?key=\(queryEscaped(key))")
                #expect(missing.status == 404)
                if let open = try target.openMultipartUploads() {
                    #expect(open == 0, "the failed multipart upload was aborted")
                }
                if target.kind == .filesystem {
                    let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/objects/.sidecar/tmp")
                    #expect(leftovers.filter { !$0.hasPrefix("signing-") }.isEmpty)
                }
                let declared = try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: "x")
                #expect(declared.status == 200, "a small upload still works after the failure")
            }
        }

        @Test(arguments: StorageTarget.all)
        func listPagesWithAnOpaqueCursor(target: StorageTarget) async throws {
            guard target.available else { return }
            try await Self.run(target) { client, prefix, _, _ in
                let keys = (1...5).map { "\(prefix)item-\($0).txt" }
                for key in keys.reversed() {
                    #expect(try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: key).status == 200)
                }
                var seen: [String] = []
                var cursor: String?
                var pages: [Int] = []
                repeat {
                    let query = "/storage/list?prefix=\(queryEscaped(prefix))&limit=2" + (cursor.map { "&cursor=\(queryEscaped($0))" } ?? "")
                    let page = try await client.call(.GET, query)
                    #expect(page.status == 200, "\(page.text)")
                    guard case .array(let objects) = page.json?["objects"] else { Issue.record("no objects array"); return }
                    pages.append(objects.count)
                    for object in objects {
                        seen.append(object["key"]?.stringValue ?? "")
                        #expect(object["size"] == .number(Double(keys[0].utf8.count)))
                        #expect(object["last_modified"]?.stringValue != nil)
                    }
                    cursor = page.json?["next_cursor"]?.stringValue
                } while cursor != nil && pages.count < 10
                #expect(pages == [2, 2, 1])
                #expect(seen == keys)
                let bad = try await client.call(.GET, "/storage/list?limit=0")
                #expect(bad.status == 400)
                #expect(bad.errorMessage?.hasPrefix("limit") == true)
            }
        }
    }
}

/// The 64 MiB transfer rates, written to standard error for the run log.
enum StorageThroughput {
    static func record(target: String, up: Duration, down: Duration, bytes: Int) {
        func rate(_ duration: Duration) -> String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return String(format: "%.1f MB/s", Double(bytes) / 1_000_000 / max(seconds, 0.001))
        }
        FileHandle.standardError.write(Data("storage throughput \(target): 64 MiB upload \(rate(up)), download \(rate(down))\n".utf8))
    }
}
