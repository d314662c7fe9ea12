import Foundation
import SidecarCore
import SidecarStorage
import Testing

/// Presigned URLs compared byte for byte with the ones botocore (the AWS SDK's signer) makes for
/// the same inputs at the same instant.
@Suite("SigV4 against botocore")
struct SigV4ReferenceTests {
    struct Case: Encodable {
        var accessKey: String
        var secret: String
        var region: String
        var endpoint: String
        var bucket: String?
        var key: String
        var method: String
        var expires: Int
        var time: String
        var contentType: String?
        enum CodingKeys: String, CodingKey {
            case accessKey = "access_key", secret, region, endpoint, bucket, key, method, expires, time, contentType = "content_type"
        }
    }

    static let cases: [Case] = [
        Case(accessKey: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1",
             endpoint: "https://s3.amazonaws.com", bucket: nil, key: "test.txt", method: "GET", expires: 86400, time: "20130524T000000Z"),
        Case(accessKey: "AKIDEXAMPLE", secret: "secret/with+chars=", region: "eu-west-3", endpoint: "https://s3.eu-west-3.amazonaws.com",
             bucket: nil, key: "photos/2024/a b+c ü 鍵.jpg", method: "GET", expires: 1, time: "20240229T235959Z"),
        Case(accessKey: "AKIDEXAMPLE", secret: "s", region: "us-east-1", endpoint: "http://127.0.0.1:4566", bucket: "uploads",
             key: "dir/odd (chars)=&?#%~!*'.txt", method: "PUT", expires: 604800, time: "20260101T120000Z", contentType: "text/plain"),
        Case(accessKey: "R2KEY", secret: "r2-secret", region: "auto", endpoint: "https://acct123.r2.cloudflarestorage.com", bucket: "media",
             key: "x//y/./z/../w", method: "PUT", expires: 900, time: "20251231T000000Z", contentType: "image/png; charset=binary"),
    ]

    /// Our URL for a case: virtual-hosted when `bucket` is nil (the bucket is then in the host).
    static func ours(_ item: Case) throws -> String {
        let address = try #require(S3Endpoint(endpoint: item.endpoint, bucket: item.bucket ?? "examplebucket", pathStyle: item.bucket != nil))
        let signer = SigV4Signer(credentials: .init(accessKeyID: item.accessKey, secretAccessKey: SecretValue(item.secret)), region: item.region)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let date = try #require(formatter.date(from: item.time))
        let path = address.path(for: item.key)
        let request = SigV4Request(
            method: item.method, host: address.hostHeader, path: path, headers: item.contentType.map { [("content-type", $0)] } ?? [])
        return address.url(path: path, encodedQuery: signer.presignedQuery(for: request, expires: item.expires, date: date))
    }

    @Test(.enabled(if: PeerEnvironment.enabled("SIDECAR_TEST_PYTHON")))
    func presignedURLsMatchBotocoreByteForByte() throws {
        // botocore gets the virtual-hosted cases with the bucket already in the host.
        let reference = Self.cases.map { item -> Case in
            var item = item
            if item.bucket == nil {
                item.endpoint = item.endpoint.replacingOccurrences(of: "://", with: "://examplebucket.")
            }
            return item
        }
        let output = try PeerEnvironment.runPython("sigv4_reference.py", [], input: try JSONEncoder().encode(reference))
        let expected = output.split(separator: "\n").map(String.init)
        #expect(expected.count == Self.cases.count)
        for (item, botocore) in zip(Self.cases, expected) {
            #expect(try Self.ours(item) == botocore, "\(item.key)")
        }
        #expect(expected.first?.hasSuffix("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404") == true,
                "botocore itself reproduces AWS's published presigned vector")
    }
}
