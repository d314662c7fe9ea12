import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore
import Synchronization
import Testing
import _CryptoExtras

@testable import SidecarStorage

/// Vendor errors become unified errors, and idempotent calls are retried only when that helps.
@Suite("Storage vendor errors and retries")
struct VendorErrorMappingTests {
    static let s3 = S3Client(
        provider: "s3", endpoint: S3Endpoint(endpoint: "http://127.0.0.1:1", bucket: "b", pathStyle: true)!,
        signer: SigV4Signer(credentials: .init(accessKeyID: "AK", secretAccessKey: SecretValue("secret-value")), region: "us-east-1"),
        transport: HTTPTransport(client: HTTPClient.shared), now: { Date() })

    static func xml(_ code: String) -> ByteBuffer {
        ByteBuffer(string: "<?xml version=\"1.0\"?><Error><Code>\(code)</Code><Message>m</Message><RequestId>r</RequestId></Error>")
    }

    @Test func s3ErrorsMapToTheUnifiedCodes() {
        let missing = Self.s3.error(status: 404, body: Self.xml("NoSuchKey"), headers: [:])
        #expect(missing.code == .notFound)
        let slow = Self.s3.error(status: 503, body: Self.xml("SlowDown"), headers: ["Retry-After": "2"])
        #expect(slow.code == .rateLimited)
        #expect(slow.retryable)
        #expect(slow.retryAfterSeconds == 2)
        let broken = Self.s3.error(status: 500, body: Self.xml("InternalError"), headers: [:])
        #expect(broken.code == .providerError)
        #expect(broken.retryable)
        let denied = Self.s3.error(status: 403, body: Self.xml("SignatureDoesNotMatch"), headers: [:])
        #expect(denied.code == .providerError)
        #expect(denied.providerStatus == 403)
        #expect(!denied.retryable)
        #expect(!denied.message.contains("secret-value"))
    }

    @Test func gcsErrorsMapToTheUnifiedCodes() throws {
        let account = try GCSAssertionTests.account(key: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let client = GCSClient(
            endpoint: "http://127.0.0.1:1", bucket: "b",
            tokens: GCSTokenSource(account: account, transport: HTTPTransport(client: HTTPClient.shared), now: { Date() }),
            transport: HTTPTransport(client: HTTPClient.shared))
        #expect(client.error(status: 404, body: ByteBuffer(string: #"{"error":{"code":404,"message":"No such object"}}"#)).code == .notFound)
        #expect(client.error(status: 429, body: ByteBuffer()).code == .rateLimited)
        #expect(client.error(status: 503, body: ByteBuffer()).retryable)
        #expect(!client.error(status: 400, body: ByteBuffer()).retryable)
    }

    @Test func retriesRetryableFailuresOnly() async throws {
        let calls = Atomic<Int>(0)
        let value = try await StorageRetry.idempotent(baseDelay: .milliseconds(1)) {
            if calls.add(1, ordering: .relaxed).newValue < 3 {
                throw SidecarError(.providerError, "5xx", retryable: true)
            }
            return "ok"
        }
        #expect(value == "ok")
        #expect(calls.load(ordering: .relaxed) == 3)

        let once = Atomic<Int>(0)
        await #expect(throws: SidecarError.notFound("gone")) {
            try await StorageRetry.idempotent(baseDelay: .milliseconds(1)) { () async throws -> Int in
                once.add(1, ordering: .relaxed)
                throw SidecarError.notFound("gone")
            }
        }
        #expect(once.load(ordering: .relaxed) == 1)

        let exhausted = Atomic<Int>(0)
        await #expect(throws: SidecarError.self) {
            try await StorageRetry.idempotent(attempts: 3, baseDelay: .milliseconds(1)) { () async throws -> Int in
                exhausted.add(1, ordering: .relaxed)
                throw SidecarError(.rateLimited, "SlowDown", retryable: true, retryAfterSeconds: 0)
            }
        }
        #expect(exhausted.load(ordering: .relaxed) == 3)
    }
}
