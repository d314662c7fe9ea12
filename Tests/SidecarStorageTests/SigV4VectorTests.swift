import Foundation
import SidecarCore
import Testing

@testable import SidecarStorage

/// SigV4 against AWS's published vectors (vendor-facts.md §5).
@Suite("SigV4 published vectors")
struct SigV4VectorTests {
    static let credentials = SigV4Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SecretValue("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
    /// 2013-05-24T00:00:00Z.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)

    @Test func headerSignedGetWithRange() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let request = SigV4Request(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: [("Range", "bytes=0-9")])
        let headers = signer.signedHeaders(for: request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.date)
        let authorization = headers.first { $0.0 == "Authorization" }?.1
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
    }

    @Test func presignedGet() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let request = SigV4Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let query = signer.presignedQuery(for: request, expires: 86400, date: Self.date)
        #expect(query == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    /// `get-vanilla-query-order-key` of the SigV4 test suite (`GET /?Param1=value2&Param1=Value1`: values sort too).
    @Test func testSuiteQueryOrderKey() {
        let signer = SigV4Signer(
            credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: SecretValue("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
            region: "us-east-1", service: "service")
        let request = SigV4Request(
            method: "GET", host: "example.amazonaws.com", path: "/", query: [("Param1", "value2"), ("Param1", "Value1")],
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")])
        let (canonical, signed) = signer.canonicalRequest(request, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(signed == "host;x-amz-date")
        #expect(SigV4Signer.payloadHash(Array(canonical.utf8)) == "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89")
        let toSign = signer.stringToSign(canonicalRequest: canonical, dateTime: "20150830T123600Z", day: "20150830")
        #expect(signer.signature(stringToSign: toSign, day: "20150830") == "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1")
    }

    @Test func uriEncodingFollowsS3Rules() {
        #expect(SigV4Encoding.encode("a b+c/d~e_f.g-h", keepSlash: true) == "a%20b%2Bc/d~e_f.g-h")
        #expect(SigV4Encoding.encode("a/b") == "a%2Fb")
        #expect(SigV4Encoding.encode("ü") == "%C3%BC")
        #expect(SigV4Encoding.canonicalQuery([("b", "2"), ("a", "x y"), ("a", "1")]) == "a=1&a=x%20y&b=2")
        #expect(SigV4Encoding.canonicalHeaderValue("  a   b  c ") == "a b c")
        #expect(SigV4Encoding.canonicalHeaderValue("application/pdf") == "application/pdf")
        #expect(SigV4Encoding.canonicalHeaderValue("a b ") == "a b")
        #expect(SigV4Encoding.canonicalHeaderValue("\ta\tb") == "a\tb")
        #expect(SigV4Encoding.canonicalHeaderValue("\u{00A0}Zoë\u{00A0}") == "Zoë")
        #expect(SigV4Encoding.canonicalHeaderValue("") == "")
    }

    /// The timestamps are computed without `Calendar`; `Calendar` in UTC is the oracle here.
    @Test func timestampsMatchTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        func expected(_ date: Date) -> (String, String) {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let day = String(format: "%04d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            let time = String(format: "%02d%02d%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
            return ("\(day)T\(time)Z", day)
        }
        // Epoch, leap days (2000, 2024), the turn of a century that is not a leap year (2100),
        // the last second of a year, a fraction of a second, and one instant before 1970.
        let fixed: [TimeInterval] = [0, 951_782_400, 951_868_799, 1_709_164_800, 1_735_689_599, 4_107_542_400, 1_795_000_000.75, -86_401]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in TimeInterval(Int.random(in: 0...7_258_118_400, using: &generator)) }
        for seconds in fixed + random {
            let date = Date(timeIntervalSince1970: seconds)
            let (dateTime, day) = SigV4Encoding.timestamps(date)
            let (wantedDateTime, wantedDay) = expected(date)
            #expect(dateTime == wantedDateTime, "\(seconds)")
            #expect(day == wantedDay, "\(seconds)")
        }
        #expect(SigV4Encoding.timestamps(Date(timeIntervalSince1970: 1_369_353_600)) == ("20130524T000000Z", "20130524"))
    }

    @Test func endpointAddressing() throws {
        let virtual = try #require(S3Endpoint(endpoint: "https://s3.us-east-1.amazonaws.com", bucket: "uploads", pathStyle: false))
        #expect(virtual.hostHeader == "uploads.s3.us-east-1.amazonaws.com")
        #expect(virtual.path(for: "a b/c") == "/a%20b/c")
        let path = try #require(S3Endpoint(endpoint: "http://127.0.0.1:4566", bucket: "uploads", pathStyle: true))
        #expect(path.hostHeader == "127.0.0.1:4566")
        #expect(path.path(for: "x+y") == "/uploads/x%2By")
        #expect(path.path(for: nil) == "/uploads")
        #expect(S3Endpoint(endpoint: "ftp://x", bucket: "b", pathStyle: true) == nil)
    }
}
