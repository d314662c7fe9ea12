import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore
import Testing

@Suite("Retry-After")
struct RetryAfterTests {
    static func response(_ value: String) -> VendorResponse {
        VendorResponse(status: 429, headers: ["Retry-After": value], body: ByteBuffer())
    }

    @Test func delaySeconds() {
        #expect(Self.response("7").retryAfterSeconds == 7)
        #expect(Self.response(" 0 ").retryAfterSeconds == 0)
        #expect(Self.response("soon").retryAfterSeconds == nil)
    }

    @Test func httpDatesCountFromNow() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
        #expect(Self.response("Sun, 06 Nov 1994 08:49:37 GMT").retryAfterSeconds(now: now) == 0)
        #expect(Self.response("Sun, 06 Nov 1994 08:50:07 GMT").retryAfterSeconds(now: now) == 30)
        #expect(Self.response("Mon, 07 Nov 1994 08:49:37 GMT").retryAfterSeconds(now: now) == 86_400)
        #expect(Self.response("Sat, 05 Nov 1994 08:49:37 GMT").retryAfterSeconds(now: now) == 0)
        let leap = Date(timeIntervalSince1970: 1_709_164_800)  // 2024-02-29T00:00:00Z
        #expect(Self.response("Thu, 29 Feb 2024 00:00:10 GMT").retryAfterSeconds(now: leap) == 10)
        #expect(Self.response("Sun, 06 Nov 1994 08:49:37 PST").retryAfterSeconds(now: now) == nil)
        #expect(Self.response("Sunday, 06-Nov-94 08:49:37 GMT").retryAfterSeconds(now: now) == nil)
    }
}
