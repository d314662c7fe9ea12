import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SidecarCore
import Synchronization
import Testing

/// Distinctive secrets in every secret field; every endpoint and error path driven; then not one
/// of them may appear in stdout, stderr, a response body or header, /metrics, /config or
/// check-config output.
@Suite("Secret canaries", .enabled(if: Peers.resend != nil && Peers.sendgrid != nil && Peers.stripe != nil))
struct CanaryTests {
    @Test func noSecretLeavesTheDaemon() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let canaries = [
            "CANARY_TCP_TOKEN": "cnry-tcp-token-5f1d", "CANARY_RESEND": "re_cnry_resend_8c2e", "CANARY_SENDGRID": "SG.cnry.sendgrid.77a1",
            "CANARY_SMTP": "cnry-smtp-pass-4b90", "CANARY_APP_SECRET": "whsec_Y25yeWFwcHNlY3JldA==",
            "CANARY_STRIPE": "whsec_cnry_stripe_0d3c", "CANARY_SENDGRID_PUB": "cnry-sendgrid-pubkey-6e2f",
            "CANARY_STRIPE_KEY": "sk_test_cnry_stripe_key_3a7f",
        ]
        let fileCanary = "re_cnry_from_file_91ab"
        try directory.write("clerk_secret", fileCanary + "\n")
        let resend = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: canaries["CANARY_RESEND"]!)
        let sendgrid = try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.the.right.key")
        // Stripe takes the canary key, then refuses it once (its 401 message masks part of a key).
        let stripe = try await FakeVendorNamespace.create(
            at: Peers.stripe ?? "", apiKey: canaries["CANARY_STRIPE_KEY"]!,
            inject: [["status": .number(401), "count": .number(1), "path": .string("/v1/billing_portal/sessions")]])
        let port = try freePort()
        let config = """
            listen:
              socket: \(directory.socket)
              tcp: 127.0.0.1:\(port)
              token: ${env:CANARY_TCP_TOKEN}
              max_body_bytes: 4096
            store:
              sqlite: \(directory.path)/sidecar.db
            email:
              provider: [resend, sendgrid, smtp]
              from: "Acme <noreply@acme.test>"
              resend:
                api_key: ${env:CANARY_RESEND}
                base_url: \(resend.baseURL)
                max_attempts: 1
              sendgrid:
                api_key: ${env:CANARY_SENDGRID}
                base_url: \(sendgrid.baseURL)
              smtp:
                host: localhost
                port: 1
                username: app
                password: ${env:CANARY_SMTP}
                max_attempts: 1
            payments:
              provider: stripe
              stripe:
                secret_key: ${env:CANARY_STRIPE_KEY}
                base_url: \(stripe.baseURL)
            webhooks:
              deliver_to: http://127.0.0.1:1/hooks
              signing_secret: ${env:CANARY_APP_SECRET}
              sources:
                stripe:
                  secret: ${env:CANARY_STRIPE}
                sendgrid:
                  public_key: ${env:CANARY_SENDGRID_PUB}
                clerk:
                  secret: ${file:\(directory.path)/clerk_secret}
            """
        try directory.write("sidecar.yaml", config)
        let daemon = try await DaemonProcess(directory: directory, arguments: ["--log-level", "trace"], environment: canaries)
        let client = daemon.client
        var seen: [String] = []
        func record(_ response: LiveResponse) {
            seen.append(response.text)
            seen.append(response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
        }
        let send = #"{"to": "a@example.com", "subject": "s", "text": "t"}"#

        for path in ["/healthz", "/readyz", "/metrics", "/config", "/nope"] { record(try await client.call(.GET, path)) }
        record(try await client.post("/email/send", send))
        record(try await client.post("/email/send", send, headers: [("Idempotency-Key", "k1")]))
        record(try await client.post("/email/send", send.replacingOccurrences(of: "t\"}", with: "u\"}"), headers: [("Idempotency-Key", "k1")]))
        record(try await client.post("/email/batch", #"{"messages": [\#(send), {"to": "bad"}]}"#))
        record(try await client.post("/email/send", #"{"to": "#))
        record(try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "\#(String(repeating: "x", count: 5000))"}"#))
        record(try await client.call(.DELETE, "/email/send"))
        let customer = try await client.post("/payments/customers", #"{"email": "a@example.com"}"#)
        record(customer)
        let customerID = customer.json?["id"]?.stringValue ?? "cus_none"
        record(try await client.post("/payments/portal", #"{"customer_id": "\#(customerID)", "return_url": "https://app.test/a"}"#))
        record(try await client.post("/payments/checkout", #"{"customer_id": "cus_missing", "mode": "payment", "line_items": [{"price_id": "price_1", "quantity": 1}], "success_url": "https://a.test/s", "cancel_url": "https://a.test/c"}"#))
        // Every vendor fails: resend 503s, sendgrid refuses the key, smtp is unreachable.
        let failing = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "x", inject: [["status": .number(503), "count": .number(5)]])
        record(try await client.call(.POST, "/config/reload"))
        try directory.write("sidecar.yaml", config.replacingOccurrences(of: resend.baseURL, with: failing.baseURL))
        record(try await client.call(.POST, "/config/reload"))
        record(try await client.post("/email/send", send))
        // A failed reload whose problems concern secret values.
        try directory.write("sidecar.yaml", config.replacingOccurrences(of: "from: \"Acme <noreply@acme.test>\"", with: "from: ${env:CANARY_TCP_TOKEN}")
            .replacingOccurrences(of: "${env:CANARY_SMTP}", with: "${env:CANARY_NOT_SET}"))
        record(try await client.call(.POST, "/config/reload"))
        record(try await client.call(.GET, "/config"))
        record(try await client.call(.GET, "/metrics"))
        // The TCP listener with a wrong, a partial and the right token.
        for token in ["wrong", String(canaries["CANARY_TCP_TOKEN"]!.dropLast()), canaries["CANARY_TCP_TOKEN"]!] {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/config")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            seen.append(body)
            seen.append(response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
        }
        #expect(try await daemon.stop() == 0)
        let check = try SidecarBinary.run(["check-config", directory.configPath], environment: canaries)
        let checkGood = try SidecarBinary.run(["check-config", directory.configPath], environment: canaries.merging(["CANARY_NOT_SET": "x"]) { $1 })
        #expect(check.status == 1)

        let outputs = seen + [daemon.stdout, daemon.stderr, check.stdout, check.stderr, checkGood.stdout, checkGood.stderr]
        #expect(daemon.stderr.contains("configuration reload rejected"), "the failed reload was logged")
        #expect(seen.contains(where: { $0.contains("provider_error") || $0.contains("provider_unavailable") }), "the vendor error path ran")
        for (name, value) in canaries.merging(["FILE": fileCanary], uniquingKeysWith: { $1 }) {
            let leaks = outputs.filter { $0.contains(value) }
            #expect(leaks.isEmpty, "\(name) leaked: \(leaks.first?.prefix(300) ?? "")")
        }
    }
}
