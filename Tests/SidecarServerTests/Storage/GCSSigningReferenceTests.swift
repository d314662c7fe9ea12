import Foundation
import Testing

@testable import SidecarStorage

/// GCS V4 signed URLs compared byte for byte with google-cloud-storage's for the same service
/// account, instant and inputs (the emulator checks no signature, so this is the check).
@Suite("GCS V4 signing against google-cloud-storage")
struct GCSSigningReferenceTests {
    struct Case: Encodable {
        var endpoint: String
        var bucket: String
        var key: String
        var method: String
        var expires: Int
        var time: String
        var contentType: String?
        enum CodingKeys: String, CodingKey { case endpoint, bucket, key, method, expires, time, contentType = "content_type" }
    }

    static let cases: [Case] = [
        Case(endpoint: "https://storage.googleapis.com", bucket: "uploads", key: "reports/q1.pdf", method: "GET", expires: 900, time: "20260101T000000Z"),
        Case(endpoint: "https://storage.googleapis.com", bucket: "uploads", key: "a b+c/ünï 鍵 (1)=&?#%.txt", method: "PUT", expires: 604800,
             time: "20240229T235959Z", contentType: "text/plain; charset=utf-8"),
        Case(endpoint: "http://127.0.0.1:9023", bucket: "sidecar-gcs", key: "x//y/./z", method: "GET", expires: 1, time: "20261129T081500Z"),
    ]

    @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_PYTHON", "SIDECAR_TEST_GCS_CREDENTIALS")))
    func signedURLsMatchGoogleCloudStorage() throws {
        let keyFile = try PeerEnvironment.value("SIDECAR_TEST_GCS_CREDENTIALS")
        let account = try GCSServiceAccount(json: try Data(contentsOf: URL(fileURLWithPath: keyFile)))
        let output = try PeerEnvironment.runPython("gcs_signed_url_reference.py", [keyFile], input: try JSONEncoder().encode(Self.cases))
        let expected = output.split(separator: "\n").map(String.init)
        #expect(expected.count == Self.cases.count)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        for (item, google) in zip(Self.cases, expected) {
            let signer = GCSURLSigner(account: account, endpoint: item.endpoint, bucket: item.bucket)
            let ours = try signer.url(
                key: item.key, method: item.method, expiresIn: item.expires, contentType: item.contentType,
                date: try #require(formatter.date(from: item.time)))
            #expect(ours == google, "\(item.key)")
        }
    }
}
