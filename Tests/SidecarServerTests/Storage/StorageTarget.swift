import Foundation
import Testing

/// One storage provider configuration the conformance suite runs against: the same checks,
/// written once, for the filesystem, S3 on ministack, R2-style S3 on ministack, and GCS on
/// gcp-storage-emulator with the fake token endpoint.
struct StorageTarget: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable { case filesystem, s3, r2, gcs }
    let kind: Kind
    var testDescription: String { kind.rawValue }

    static let all: [StorageTarget] = [.init(kind: .filesystem), .init(kind: .s3), .init(kind: .r2), .init(kind: .gcs)]

    /// The peer variables this target needs.
    var variables: [String] {
        switch kind {
        case .filesystem: []
        case .s3, .r2: ["SIDECAR_TEST_S3_ENDPOINT", "SIDECAR_TEST_S3_ACCESS_KEY_ID", "SIDECAR_TEST_S3_SECRET_ACCESS_KEY", "SIDECAR_TEST_PYTHON"]
        case .gcs: ["SIDECAR_TEST_GCS_ENDPOINT", "SIDECAR_TEST_GCS_CREDENTIALS", "SIDECAR_TEST_GCS_TOKEN_STATS", "SIDECAR_TEST_GCS_EMULATOR_LOG"]
        }
    }

    /// Whether this target can run here; a missing peer fails the test when peers are required.
    var available: Bool {
        PeerEnvironment.variables["SIDECAR_REQUIRE_PEERS"] != nil || variables.allSatisfy { PeerEnvironment.variables[$0] != nil }
    }

    var bucket: String { kind == .r2 ? "sidecar-r2" : kind == .s3 ? "sidecar-s3" : "sidecar-gcs" }
    var region: String { kind == .r2 ? "auto" : "us-east-1" }
    /// Whether the vendor (or its stand-in) takes multipart/resumable uploads.
    var hasMultipart: Bool { kind != .filesystem }
    /// Whether the stand-in checks signed URLs (gcp-storage-emulator checks none).
    var verifiesSignedURLs: Bool { kind != .gcs }

    /// The configuration: `storage:` for this target, with `family` lines in `storage:` and
    /// `vendor` lines (`key: value`) in the vendor's block.
    func config(
        _ directory: TestDirectory, webhooksPort: Int, family: String = "", vendor: [String] = [], secretOverride: String? = nil
    ) throws -> String {
        var storage = "storage:\n  provider: \(kind.rawValue)\n\(family)"
        switch kind {
        case .filesystem:
            storage += "  filesystem:\n    root: \(directory.path)/objects\n"
        case .s3:
            storage += """
                  s3:
                    bucket: \(bucket)
                    region: us-east-1
                    endpoint: \(try PeerEnvironment.value("SIDECAR_TEST_S3_ENDPOINT"))
                    path_style: true
                    access_key_id: \(try PeerEnvironment.value("SIDECAR_TEST_S3_ACCESS_KEY_ID"))
                    secret_access_key: \(secretOverride ?? "${env:SIDECAR_TEST_S3_SECRET_ACCESS_KEY}")

                """
        case .r2:
            storage += """
                  r2:
                    account_id: sidecartest
                    bucket: \(bucket)
                    endpoint: \(try PeerEnvironment.value("SIDECAR_TEST_S3_ENDPOINT"))
                    access_key_id: \(try PeerEnvironment.value("SIDECAR_TEST_S3_ACCESS_KEY_ID"))
                    secret_access_key: \(secretOverride ?? "${env:SIDECAR_TEST_S3_SECRET_ACCESS_KEY}")

                """
        case .gcs:
            storage += """
                  gcs:
                    bucket: \(bucket)
                    endpoint: \(try PeerEnvironment.value("SIDECAR_TEST_GCS_ENDPOINT"))
                    credentials_file: \(try PeerEnvironment.value("SIDECAR_TEST_GCS_CREDENTIALS"))

                """
        }
        storage += vendor.map { "    \($0)\n" }.joined()
        return "webhooks_listen: 127.0.0.1:\(webhooksPort)\n" + LiveDaemon.config(directory) + "\n" + storage
    }

    /// Multipart uploads still open in the bucket, asked of the vendor with boto3 (S3 and R2).
    func openMultipartUploads() throws -> Int? {
        guard kind == .s3 || kind == .r2 else { return nil }
        let output = try PeerEnvironment.runPython("s3_inspect.py", [
            try PeerEnvironment.value("SIDECAR_TEST_S3_ENDPOINT"), region,
            try PeerEnvironment.value("SIDECAR_TEST_S3_ACCESS_KEY_ID"), try PeerEnvironment.value("SIDECAR_TEST_S3_SECRET_ACCESS_KEY"),
            bucket, "uploads",
        ])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether gcp-storage-emulator's request log shows a resumable session opened for `key`.
    func emulatorSawResumableUpload(of key: String) throws -> Bool {
        let log = try String(contentsOfFile: try PeerEnvironment.value("SIDECAR_TEST_GCS_EMULATOR_LOG"), encoding: .utf8)
        return log.contains("uploadType=resumable&name=\(queryEscaped(key))")
    }
}
