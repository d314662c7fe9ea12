import Benchmark
import Crypto
import Foundation
import SidecarCore
import SidecarWebhooks

// Inbound webhook signature checks, one per scheme the intake knows, and the Standard Webhooks
// signature of a delivery to the application. Each iteration is one request of a 1 KiB body;
// the headers are parsed once outside the loop, as the intake does before it verifies.

/// A Stripe `checkout.session.completed` event, padded with metadata to exactly 1 KiB.
let payload: [UInt8] = {
    let head = #"{"id":"evt_1QxYzAbCdEfGhIjK","object":"event","api_version":"2024-06-20","created":1795000000,"#
        + #""type":"checkout.session.completed","livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"#
        + #""data":{"object":{"id":"cs_test_a1B2c3D4e5F6g7H8","object":"checkout.session","amount_subtotal":7800,"amount_total":7800,"#
        + #""currency":"eur","customer":"cus_R2d2C3p0","customer_details":{"email":"zoe@customer.example","name":"Zoë Müller"},"#
        + #""mode":"payment","payment_intent":"pi_3QxYzAbCdEfGhIjK","payment_status":"paid","status":"complete","metadata":{"order":"4711","note":""#
    let tail = #""}}}}"#
    let padding = String(repeating: "x", count: 1024 - head.utf8.count - tail.utf8.count)
    return Array((head + padding + tail).utf8)
}()
let sentAt = 1_795_000_000
/// Ten seconds after the vendor signed: well inside every tolerance.
let receivedAt = Date(timeIntervalSince1970: TimeInterval(sentAt + 10))
let whsecSecret = SecretValue("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

func hmacSHA256(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
    var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
    for part in parts { mac.update(data: part) }
    return Array(mac.finalize())
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // Stripe: HMAC of "t." + body with the secret's own bytes; test mode also sends a v0.
    let stripeSecret = "whsec_5f2a0f5e2b7c4d1e9a8b6c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
    let stripeMAC = hex(hmacSHA256(key: Array(stripeSecret.utf8), Array("\(sentAt).".utf8), payload))
    let stripeHeaders = WebhookRequestHeaders([("Stripe-Signature", "t=\(sentAt),v1=\(stripeMAC),v0=\(String(repeating: "0", count: 64))")])
    let stripe = StripeSignatureVerifier(secret: SecretValue(stripeSecret))
    Benchmark("Webhooks: Stripe verify (1 KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            try stripe.verify(body: payload, headers: stripeHeaders, now: receivedAt)
        }
    }

    // Svix (Resend) and Standard Webhooks: the same HMAC; signed here with the daemon's own signer.
    guard let signer = StandardWebhooksSigner(secret: whsecSecret) else { fatalError("the whsec_ fixture does not parse") }
    let signature = signer.signature(id: "msg_2pLqR8sT", seconds: sentAt, body: payload)
    let svixHeaders = WebhookRequestHeaders([
        ("svix-id", "msg_2pLqR8sT"), ("svix-timestamp", "\(sentAt)"), ("svix-signature", signature),
    ])
    let svix = SvixSignatureVerifier(secret: whsecSecret)
    Benchmark("Webhooks: Svix verify (1 KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            try svix.verify(body: payload, headers: svixHeaders, now: receivedAt)
        }
    }

    let standardHeaders = WebhookRequestHeaders([
        ("webhook-id", "msg_2pLqR8sT"), ("webhook-timestamp", "\(sentAt)"), ("webhook-signature", signature),
    ])
    let standard = StandardWebhooksVerifier(secret: whsecSecret)
    Benchmark("Webhooks: Standard Webhooks verify (1 KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            try standard.verify(body: payload, headers: standardHeaders, now: receivedAt)
        }
    }

    // SendGrid: ECDSA P-256 over timestamp + body; the key is configured as base64 DER.
    let sendGridKey = P256.Signing.PrivateKey()
    let sendGridSigned = try? sendGridKey.signature(for: Array("\(sentAt)".utf8) + payload)
    guard let sendGridSigned else { fatalError("ECDSA signing of the fixture failed") }
    let sendGridHeaders = WebhookRequestHeaders([
        (SendGridSignatureVerifier.signatureHeader, sendGridSigned.derRepresentation.base64EncodedString()),
        (SendGridSignatureVerifier.timestampHeader, "\(sentAt)"),
    ])
    let sendGrid = SendGridSignatureVerifier(publicKey: SecretValue(sendGridKey.publicKey.derRepresentation.base64EncodedString()))
    Benchmark("Webhooks: SendGrid ECDSA verify (1 KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            try sendGrid.verify(body: payload, headers: sendGridHeaders, now: receivedAt)
        }
    }

    // A delivery to the application: the three Standard Webhooks headers of one event.
    Benchmark("Webhooks: Standard Webhooks sign delivery (1 KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(signer.headers(id: "msg_2pLqR8sT", timestamp: receivedAt, body: payload))
        }
    }
}
