import Foundation
import SidecarCore
import SidecarWebhooks
import Testing

/// The Swift verifiers against headers made by the vendors' own Python libraries (`stripe`,
/// `svix`, `standardwebhooks`, `cryptography` for SendGrid's ECDSA): valid, tampered body, wrong
/// secret, stale and future timestamps, and several signatures while a secret is rotated.
@Suite("Webhook signatures from the vendors' libraries", .enabled(if: PythonPeers.enabled, "needs SIDECAR_TEST_PYTHON (scripts/test.sh)"))
struct VendorLibrarySignatureTests {
    static let timestamp = 1_750_000_000
    static let now = Date(timeIntervalSince1970: Double(timestamp))
    static let body = #"{"id":"evt_lib_1","type":"invoice.paid","data":{"object":{"amount_paid":999,"note":"ünïcode \u2713"}}}"#

    static func reason(_ verifier: any WebhookSignatureVerifier, body: String = body, headers: [String: String], now: Date = now) -> String {
        do {
            try verifier.verify(body: Array(body.utf8), headers: WebhookRequestHeaders(headers.map { ($0.key, $0.value) }), now: now)
            return "ok"
        } catch {
            return error.reason.rawValue
        }
    }

    /// Checks one scheme: `sign(secretIndex)` gives the headers signed with secret 0 or 1.
    static func check(_ verifier: (Int) -> any WebhookSignatureVerifier, headers: [[String: String]], tolerance: Double = 300) {
        let valid = headers[0]
        #expect(reason(verifier(0), headers: valid) == "ok")
        #expect(reason(verifier(0), body: body.replacingOccurrences(of: "999", with: "998"), headers: valid) == "signature_mismatch")
        #expect(reason(verifier(1), headers: valid) == "signature_mismatch")
        #expect(reason(verifier(0), headers: valid, now: now.addingTimeInterval(tolerance + 1)) == "stale_timestamp")
        #expect(reason(verifier(0), headers: valid, now: now.addingTimeInterval(-tolerance - 1)) == "future_timestamp")
        #expect(reason(verifier(0), headers: valid, now: now.addingTimeInterval(tolerance - 1)) == "ok")
    }

    @Test func stripe() async throws {
        let secrets = ["whsec_lib_old_secret", "whsec_lib_new_secret"]
        let signed = try await PythonPeers.sign(secrets.map { ["scheme": "stripe", "secret": $0, "body": Self.body, "timestamp": Self.timestamp] })
        let headers = signed.map { $0["headers"] as? [String: String] ?? [:] }
        Self.check({ StripeSignatureVerifier(secret: SecretValue(secrets[$0])) }, headers: headers)
        // Rotation: Stripe sends one v1 per active secret; either secret verifies.
        let v1s = headers.compactMap { $0["Stripe-Signature"]?.split(separator: ",").first { $0.hasPrefix("v1=") } }
        let rotated = ["Stripe-Signature": "t=\(Self.timestamp),\(v1s.joined(separator: ","))"]
        for secret in secrets {
            #expect(Self.reason(StripeSignatureVerifier(secret: SecretValue(secret)), headers: rotated) == "ok")
        }
        #expect(Self.reason(StripeSignatureVerifier(secret: SecretValue("whsec_third")), headers: rotated) == "signature_mismatch")
    }

    @Test(arguments: ["svix", "standard"])
    func svixAndStandardWebhooks(scheme: String) async throws {
        let secrets = [WebhookApp.newSecret(), WebhookApp.newSecret()]
        let signed = try await PythonPeers.sign(secrets.map {
            ["scheme": scheme, "secret": $0, "id": "msg_lib_1", "body": Self.body, "timestamp": Self.timestamp]
        })
        let headers = signed.map { $0["headers"] as? [String: String] ?? [:] }
        let make: (Int) -> any WebhookSignatureVerifier = { index in
            scheme == "svix" ? SvixSignatureVerifier(secret: SecretValue(secrets[index]))
                : StandardWebhooksVerifier(secret: SecretValue(secrets[index]))
        }
        Self.check(make, headers: headers)
        // Rotation: a space-separated list of v1 signatures; either secret verifies.
        let name = scheme == "svix" ? "svix-signature" : "webhook-signature"
        var rotated = headers[0]
        rotated[name] = "\(headers[0][name] ?? "") \(headers[1][name] ?? "")"
        #expect(Self.reason(make(0), headers: rotated) == "ok")
        #expect(Self.reason(make(1), headers: rotated) == "ok")
        // Another message id under the same signature is refused.
        var renamed = headers[0]
        renamed[scheme == "svix" ? "svix-id" : "webhook-id"] = "msg_lib_2"
        #expect(Self.reason(make(0), headers: renamed) == "signature_mismatch")
    }

    @Test func sendgrid() async throws {
        let signed = try await PythonPeers.sign([
            ["scheme": "sendgrid", "body": Self.body, "timestamp": Self.timestamp],
            ["scheme": "sendgrid", "body": Self.body, "timestamp": Self.timestamp],
        ])
        let keys = signed.map { $0["public_key"] as? String ?? "" }
        let headers = signed.map { $0["headers"] as? [String: String] ?? [:] }
        Self.check({ SendGridSignatureVerifier(publicKey: SecretValue(keys[$0])) }, headers: headers)
        // The signed timestamp is part of the message: moving it breaks the signature.
        var moved = headers[0]
        moved[SendGridSignatureVerifier.timestampHeader] = String(Self.timestamp + 1)
        #expect(Self.reason(SendGridSignatureVerifier(publicKey: SecretValue(keys[0])), headers: moved) == "signature_mismatch")
    }
}
