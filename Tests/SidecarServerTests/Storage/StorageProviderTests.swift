import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SidecarCore
import Testing

/// Storage behaviour specific to one provider or to the family's configuration.
extension StorageSuites {
    @Suite("Storage providers")
    struct StorageProviderTests {
        @Test func absentFamilyAnswers503OnEveryRoute() async throws {
            try await LiveDaemon.run { client, _, _ in
                let calls: [(HTTPMethod, String, String?)] = [
                    (.POST, "/storage/upload?key=a", "x"), (.GET, "/storage/download?key=a", nil),
                    (.POST, "/storage/signed-url", #"{"key":"a"}"#), (.POST, "/storage/delete", #"{"key":"a"}"#), (.GET, "/storage/list", nil),
                ]
                for (method, path, body) in calls {
                    let response = try await client.call(method, path, body: body)
                    #expect(response.status == 503, "\(path)")
                    #expect(response.errorCode == "provider_unavailable")
                    #expect(response.errorMessage?.contains("storage is not configured") == true)
                }
            }
        }

        @Test func filesystemRefusesKeysThatLeaveTheRoot() async throws {
            let target = StorageTarget(kind: .filesystem)
            try await StorageConformanceTests.run(target) { client, _, _, directory in
                for key in ["../outside.txt", "a/../../outside.txt", "/absolute", "a//b", ".sidecar/signing.key", "dir/"] {
                    let response = try await client.upload("/storage/upload?key=\(queryEscaped(key))", text: "x")
                    #expect(response.status == 400, "\(key)")
                    #expect(response.errorMessage?.hasPrefix("key:") == true, "\(key)")
                }
                #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/outside.txt"))
            // The test directory holds sidecar.yaml next to the storage root: a listing must not reach it.
            for prefix in ["../", "../sidecar", "a/../../", "./", "/"] {
                let listing = try await client.call(.GET, "/storage/list?prefix=\(queryEscaped(prefix))")
                #expect(listing.status == 400, "\(prefix)")
                #expect(listing.errorMessage?.hasPrefix("prefix:") == true, "\(prefix)")
                #expect(!listing.text.contains("sidecar.yaml"))
            }
                let long = try await client.upload("/storage/upload?key=\(String(repeating: "k", count: 1025))", text: "x")
                #expect(long.status == 400)
                #expect(long.errorMessage?.contains("1024 bytes") == true)
            }
        }

        @Test func declaredLengthOverTheUploadLimitIsRefusedAtOnce() async throws {
            try await StorageConformanceTests.run(StorageTarget(kind: .filesystem), family: "  max_upload_bytes: 1024\n") { client, prefix, _, _ in
                let response = try await client.upload("/storage/upload?key=\(prefix)big", body: GeneratedBody(size: 4096, seed: 1), contentType: "application/octet-stream")
                #expect(response.status == 413)
                #expect(response.errorMessage?.contains("4096 bytes is over the upload limit of 1024 bytes") == true)
            }
        }

        @Test func filesystemSignedURLsNeedTheWebhookListener() async throws {
            try await LiveDaemon.run(config: { LiveDaemon.config($0) + "\nstorage:\n  provider: filesystem\n  filesystem:\n    root: \($0.path)/objects\n" }) { client, _, _ in
                let response = try await client.post("/storage/signed-url", #"{"key": "a.txt"}"#)
                #expect(response.status == 501)
                #expect(response.errorMessage?.contains("webhooks_listen") == true)
            }
        }

        @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_S3_ENDPOINT")), arguments: [StorageTarget(kind: .s3), StorageTarget(kind: .r2)])
        func aWrongSecretIsRefusedByTheSignatureCheck(target: StorageTarget) async throws {
            let port = try freePort()
            for name in target.variables { _ = try PeerEnvironment.value(name) }
            try await LiveDaemon.run(config: { (try? target.config($0, webhooksPort: port, secretOverride: "not-the-secret-0123456789")) ?? "" }) { client, _, _ in
                let upload = try await client.upload("/storage/upload?key=wrong-secret.txt", text: "x")
                #expect(upload.status == 502, "\(upload.text)")
                #expect(upload.errorCode == "provider_error")
                #expect(upload.json?["error"]?["provider_status"] == .number(403))
                #expect(upload.json?["error"]?["provider"] == .string(target.kind.rawValue))
                #expect(!upload.text.contains("not-the-secret"))
                let config = try await client.call(.GET, "/config")
                #expect(!config.text.contains("not-the-secret"))
                #expect(!config.text.contains(try PeerEnvironment.value("SIDECAR_TEST_S3_SECRET_ACCESS_KEY")))
            }
        }

        @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_GCS_TOKEN_STATS")))
        func gcsTokenIsExchangedOnceAndCached() async throws {
            let stats = try PeerEnvironment.value("SIDECAR_TEST_GCS_TOKEN_STATS")
            @Sendable func issued() async throws -> Int {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: stats), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 4096)
                let json = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
                guard case .number(let count) = json["issued"] else { return -1 }
                return Int(count)
            }
            try await StorageConformanceTests.run(StorageTarget(kind: .gcs)) { client, prefix, _, _ in
                let before = try await issued()
                for index in 0..<4 {
                    #expect(try await client.upload("/storage/upload?key=\(prefix)\(index)", text: "x").status == 200)
                }
                #expect(try await client.call(.GET, "/storage/list?prefix=\(prefix)").status == 200)
                #expect(try await issued() - before == 1, "one JWT-bearer exchange, then the cached token")
            }
        }
    }
}

extension StorageSuites {
    /// Upload splitting follows each vendor block's tuning keys.
    @Suite("Storage upload tuning")
    struct StorageTuningTests {
        @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_S3_ENDPOINT")), arguments: [StorageTarget(kind: .s3), StorageTarget(kind: .r2)])
        func partSizeLargerThanTheThresholdIsHonoured(target: StorageTarget) async throws {
            // Threshold 5 MiB, parts of 12 MiB: 20 MiB go as parts of 12 and 8 MiB.
            let tuning = ["multipart_threshold_bytes: 5242880", "part_size_bytes: 12582912", "part_concurrency: 1"]
            try await StorageConformanceTests.run(target, vendor: tuning) { client, prefix, _, _ in
                let body = GeneratedBody(size: 20 << 20, seed: 42)
                let upload = try await client.upload("/storage/upload?key=\(prefix)tuned.bin", body: body, contentType: "application/octet-stream", knownLength: false)
                #expect(upload.status == 200, "\(upload.text)")
                #expect(upload.json?["size"] == .number(Double(20 << 20)))
                #expect(upload.json?["etag"]?.stringValue?.hasSuffix("-2") == true)
                let download = try await client.download("/storage/download?key=\(prefix)tuned.bin")
                #expect(download.sha256 == (await body.sha256()))
            }
        }

        @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_GCS_ENDPOINT")))
        func smallResumableChunksReassemble() async throws {
            let target = StorageTarget(kind: .gcs)
            let tuning = ["multipart_threshold_bytes: 262144", "part_size_bytes: 262144"]
            try await StorageConformanceTests.run(target, vendor: tuning) { client, prefix, _, _ in
                let key = prefix + "chunked.bin"
                let body = GeneratedBody(size: (1 << 20) + 100, seed: 9)
                let upload = try await client.upload("/storage/upload?key=\(queryEscaped(key))", body: body, contentType: "application/octet-stream")
                #expect(upload.status == 200, "\(upload.text)")
                #expect(upload.json?["size"] == .number(Double((1 << 20) + 100)))
                #expect(try target.emulatorSawResumableUpload(of: key))
                let download = try await client.download("/storage/download?key=\(queryEscaped(key))")
                #expect(download.sha256 == (await body.sha256()))
            }
        }
    }
}

extension StorageSuites {
    /// `Idempotency-Key` on uploads: the body streams, so the key, type and length identify a repeat.
    @Suite("Storage upload idempotency")
    struct StorageIdempotencyTests {
        @Test func repeatedUploadIsReplayedAndAnotherObjectConflicts() async throws {
            try await StorageConformanceTests.run(StorageTarget(kind: .filesystem)) { client, prefix, _, directory in
                let headers = [("Idempotency-Key", "upload-1"), ("Content-Type", "text/plain")]
                let first = try await client.call(.POST, "/storage/upload?key=\(prefix)a.txt", body: "first", headers: headers)
                #expect(first.status == 200)
                let again = try await client.call(.POST, "/storage/upload?key=\(prefix)a.txt", body: "other", headers: headers)
                #expect(again.status == 200)
                #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
                #expect(again.json?["etag"] == first.json?["etag"])
                let stored = try String(contentsOfFile: "\(directory.path)/objects/\(prefix)a.txt", encoding: .utf8)
                #expect(stored == "first", "the repeat did not reach the provider")
                let conflict = try await client.call(.POST, "/storage/upload?key=\(prefix)b.txt", body: "first", headers: headers)
                #expect(conflict.status == 409)
                #expect(conflict.errorCode == "idempotency_conflict")
            }
        }
    }
}

extension StorageSuites {
    /// Uploads and downloads stream: the process's peak memory grows far less than the object.
    @Suite("Storage streaming memory")
    struct StorageMemoryTests {
        /// Resets the kernel's peak-RSS mark of this process to its current RSS.
        static func resetPeak() throws {
            try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        }

        /// A `/proc/self/status` field in bytes (`VmRSS`, `VmHWM`).
        static func status(_ field: String) throws -> Int {
            let text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(field + ":") })
            let kilobytes = try #require(line.split(separator: " ").compactMap { Int($0) }.first)
            return kilobytes * 1024
        }

        @Test(arguments: [StorageTarget(kind: .filesystem), StorageTarget(kind: .s3)])
        func peakMemoryStaysFarBelowTheObjectSize(target: StorageTarget) async throws {
            guard target.available else { return }
            try await StorageConformanceTests.run(target) { client, prefix, _, _ in
                let body = GeneratedBody(size: 256 << 20, seed: 256)
                let expected = await body.sha256()
                try Self.resetPeak()
                let before = try Self.status("VmRSS")
                let upload = try await client.upload("/storage/upload?key=\(prefix)large.bin", body: body, contentType: "application/octet-stream")
                #expect(upload.status == 200, "\(upload.text)")
                let uploadGrowth = try Self.status("VmHWM") - before
                try Self.resetPeak()
                let beforeDownload = try Self.status("VmRSS")
                let download = try await client.download("/storage/download?key=\(prefix)large.bin")
                #expect(download.sha256 == expected)
                let downloadGrowth = try Self.status("VmHWM") - beforeDownload
                FileHandle.standardError.write(Data("storage memory \(target.kind.rawValue): peak +\(uploadGrowth >> 20) MiB uploading, +\(downloadGrowth >> 20) MiB downloading 256 MiB\n".utf8))
                let growth = max(uploadGrowth, downloadGrowth)
                // S3 holds the 16 MiB read-ahead and at most 4 parts of 8 MiB; the allocator keeps
                // some freed parts, so the bound is half the object: collecting it would break it.
                #expect(growth < 128 << 20, "peak memory grew by \(growth >> 20) MiB while moving 256 MiB each way")
            }
        }
    }
}

extension StorageSuites {
    /// Switching the storage vendor is a config change and a reload.
    @Suite("Storage provider switch")
    struct StorageSwitchTests {
        @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_S3_ENDPOINT")))
        func reloadSwitchesFromFilesystemToS3() async throws {
            let s3 = StorageTarget(kind: .s3)
            for name in s3.variables { _ = try PeerEnvironment.value(name) }
            let port = try freePort()
            try await LiveDaemon.run(config: { (try? StorageTarget(kind: .filesystem).config($0, webhooksPort: port)) ?? "" }) { client, _, directory in
                let key = "switch-\(UUID().uuidString.prefix(8)).txt"
                let before = try await client.upload("/storage/upload?key=\(key)", text: "on disk")
                #expect(before.json?["provider"] == .string("filesystem"))

                try directory.write("sidecar.yaml", try s3.config(directory, webhooksPort: port))
                let reload = try await client.call(.POST, "/config/reload")
                #expect(reload.status == 200, "\(reload.text)")
                let ready = try await client.call(.GET, "/readyz")
                #expect(ready.json?["providers"]?["storage"] == .string("s3"))

                let after = try await client.upload("/storage/upload?key=\(key)", text: "in the bucket")
                #expect(after.json?["provider"] == .string("s3"))
                let download = try await client.download("/storage/download?key=\(key)")
                #expect(download.text == "in the bucket")
                #expect(try await client.post("/storage/delete", #"{"key": "\#(key)"}"#).status == 200)
            }
        }
    }
}
