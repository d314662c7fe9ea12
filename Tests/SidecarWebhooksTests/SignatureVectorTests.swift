import Foundation
import SidecarCore
import Testing
@testable import SidecarWebhooks

/// The vendors' published test vectors (vendor-facts.md), with the clock set to the vector's time.
@Suite("Webhook signature vectors")
struct SignatureVectorTests {
    static func headers(_ pairs: [String: String]) -> WebhookRequestHeaders { WebhookRequestHeaders(pairs.map { ($0.key, $0.value) }) }
    static func at(_ seconds: Int) -> Date { Date(timeIntervalSince1970: Double(seconds)) }
    static func reason(_ body: () throws(WebhookVerificationError) -> Void) -> WebhookVerificationError.Reason? {
        do { try body() } catch { return error.reason }
        return nil
    }

    // MARK: Stripe

    let stripe = StripeSignatureVerifier(secret: SecretValue("whsec_test_secret"))
    let stripeBody = Array(#"{"id":"evt_test"}"#.utf8)
    let stripeSignature = "22f7d74836ddad3284a2b80853dd2fe731655c1bfddcff3c3666a500cf3abd80"

    @Test func stripeVectorVerifies() throws {
        try stripe.verify(body: stripeBody, headers: Self.headers(["Stripe-Signature": "t=1492774577,v1=\(stripeSignature)"]), now: Self.at(1492774577 + 10))
    }

    @Test func stripeRefusesTamperingWrongSecretAndTime() {
        let header = Self.headers(["Stripe-Signature": "t=1492774577,v1=\(stripeSignature)"])
        let now = Self.at(1492774577)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try stripe.verify(body: Array(#"{"id":"evt_tesT"}"#.utf8), headers: header, now: now) } == .signatureMismatch)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try StripeSignatureVerifier(secret: SecretValue("whsec_other")).verify(body: stripeBody, headers: header, now: now) } == .signatureMismatch)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try stripe.verify(body: stripeBody, headers: header, now: Self.at(1492774577 + 301)) } == .staleTimestamp)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try stripe.verify(body: stripeBody, headers: header, now: Self.at(1492774577 - 301)) } == .futureTimestamp)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try stripe.verify(body: stripeBody, headers: Self.headers([:]), now: now) } == .missingHeader)
        // The signature of another timestamp does not verify under this one.
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try stripe.verify(body: stripeBody, headers: Self.headers(["Stripe-Signature": "t=1492774578,v1=\(stripeSignature)"]), now: now) } == .signatureMismatch)
    }

    @Test func stripeAcceptsAnyV1DuringRotationAndIgnoresV0() throws {
        let now = Self.at(1492774577)
        let rotated = Self.headers(["Stripe-Signature": "t=1492774577,v1=\(String(repeating: "0", count: 64)),v1=\(stripeSignature)"])
        try stripe.verify(body: stripeBody, headers: rotated, now: now)
        // A correct signature offered only as v0 (the test-mode scheme) is not a v1: refused.
        let downgrade = Self.headers(["Stripe-Signature": "t=1492774577,v0=\(stripeSignature)"])
        #expect(Self.reason { () throws(WebhookVerificationError) in try stripe.verify(body: stripeBody, headers: downgrade, now: now) } == .malformedHeader)
        let withV0 = Self.headers(["Stripe-Signature": "t=1492774577,v1=\(String(repeating: "a", count: 64)),v0=\(stripeSignature)"])
        #expect(Self.reason { () throws(WebhookVerificationError) in try stripe.verify(body: stripeBody, headers: withV0, now: now) } == .signatureMismatch)
    }

    // MARK: Svix

    let svix = SvixSignatureVerifier(secret: SecretValue("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    let svixBody = Array(#"{"test": 2432232314}"#.utf8)
    static let svixHeaders = [
        "svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "svix-timestamp": "1614265330",
        "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ]

    @Test func svixVectorVerifiesWithinFiveMinutes() throws {
        try svix.verify(body: svixBody, headers: Self.headers(Self.svixHeaders), now: Self.at(1614265330 + 299))
        try svix.verify(body: svixBody, headers: Self.headers(Self.svixHeaders), now: Self.at(1614265330 - 299))
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try svix.verify(body: svixBody, headers: Self.headers(Self.svixHeaders), now: Self.at(1614265330 + 301)) } == .staleTimestamp)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try svix.verify(body: svixBody, headers: Self.headers(Self.svixHeaders), now: Self.at(1614265330 - 301)) } == .futureTimestamp)
    }

    @Test func svixRefusesTamperingWrongSecretAndOtherId() {
        let now = Self.at(1614265330)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try svix.verify(body: Array(#"{"test": 2432232315}"#.utf8), headers: Self.headers(Self.svixHeaders), now: now) } == .signatureMismatch)
        let other = SvixSignatureVerifier(secret: SecretValue("whsec_" + Data(repeating: 7, count: 24).base64EncodedString()))
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try other.verify(body: svixBody, headers: Self.headers(Self.svixHeaders), now: now) } == .signatureMismatch)
        var renamed = Self.svixHeaders
        renamed["svix-id"] = "msg_other"
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try svix.verify(body: svixBody, headers: Self.headers(renamed), now: now) } == .signatureMismatch)
        renamed = Self.svixHeaders
        renamed["svix-timestamp"] = nil
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try svix.verify(body: svixBody, headers: Self.headers(renamed), now: now) } == .missingHeader)
    }

    @Test func svixAcceptsAnyOfSeveralSignatures() throws {
        var rotated = Self.svixHeaders
        rotated["svix-signature"] = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        try svix.verify(body: svixBody, headers: Self.headers(rotated), now: Self.at(1614265330))
    }

    // MARK: SendGrid

    let sendgrid = SendGridSignatureVerifier(publicKey: SecretValue(
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=="))
    let sendgridBody = Array(#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#.utf8)
    static let sendgridHeaders = [
        "X-Twilio-Email-Event-Webhook-Signature": "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=",
        "X-Twilio-Email-Event-Webhook-Timestamp": "1588788367",
    ]

    @Test func sendgridVectorVerifies() throws {
        try sendgrid.verify(body: sendgridBody, headers: Self.headers(Self.sendgridHeaders), now: Self.at(1588788367 + 5))
    }

    @Test func sendgridRefusesTamperingTimeAndBadKey() {
        let now = Self.at(1588788367)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try sendgrid.verify(body: sendgridBody + [0x20], headers: Self.headers(Self.sendgridHeaders), now: now) } == .signatureMismatch)
        var shifted = Self.sendgridHeaders
        shifted["X-Twilio-Email-Event-Webhook-Timestamp"] = "1588788368"
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try sendgrid.verify(body: sendgridBody, headers: Self.headers(shifted), now: now) } == .signatureMismatch)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try sendgrid.verify(body: sendgridBody, headers: Self.headers(Self.sendgridHeaders), now: Self.at(1588788367 + 301)) } == .staleTimestamp)
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try sendgrid.verify(body: sendgridBody, headers: Self.headers(Self.sendgridHeaders), now: Self.at(1588788367 - 301)) } == .futureTimestamp)
        let broken = SendGridSignatureVerifier(publicKey: SecretValue("bm90IGEga2V5"))
        #expect(Self.reason { () throws(WebhookVerificationError) in
            try broken.verify(body: sendgridBody, headers: Self.headers(Self.sendgridHeaders), now: now) } == .unusableKey)
        #expect(!SendGridSignatureVerifier.isUsableKey(SecretValue("bm90IGEga2V5")))
    }

    // MARK: Standard Webhooks

    @Test func signerOutputVerifiesWithTheStandardVerifier() throws {
        let secret = SecretValue("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signer = try #require(StandardWebhooksSigner(secret: secret))
        // The Svix vector again: Standard Webhooks is the same construction.
        #expect(signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", seconds: 1614265330, body: svixBody)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let headers = signer.headers(id: "whe_1", timestamp: Self.at(1700000000), body: svixBody)
        try StandardWebhooksVerifier(secret: secret).verify(
            body: svixBody, headers: WebhookRequestHeaders(headers), now: Self.at(1700000000))
        #expect(StandardWebhooksSigner(secret: SecretValue("whsec_!!!")) == nil)
    }

    @Test func constantTimeComparison() {
        #expect(SignatureChecks.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!SignatureChecks.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!SignatureChecks.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
    }
}
