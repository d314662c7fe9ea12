import Foundation
import SidecarCore
import SidecarServer
import Testing

/// The `payments:` block: its problems reported with key path and line, and the provider
/// switched by reload like every other family.
@Suite("Payments configuration")
struct PaymentsConfigTests {
    static func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader(registry: .standard, resolver: SecretReferenceResolver(environment: environment))
                .load(yaml: "listen:\n  socket: /tmp/x.sock\n" + yaml)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func stripeBlockProblemsNameTheKeyAndNeverTheValue() {
        let missing = Self.problems("payments:\n  provider: stripe\n  stripe:\n    api_version: \"2024-06-20\"\n")
        #expect(missing.contains { $0.hasPrefix("payments.stripe.secret_key:") }, "\(missing)")

        let publishable = Self.problems(
            "payments:\n  provider: stripe\n  stripe:\n    secret_key: ${env:KEY}\n    api_version: june\n",
            environment: ["KEY": "pk_test_publishable_9f9f"])
        #expect(publishable.contains { $0.hasPrefix("payments.stripe.secret_key:") && $0.contains("sk_") }, "\(publishable)")
        #expect(publishable.contains { $0.hasPrefix("payments.stripe.api_version:") }, "\(publishable)")
        #expect(!publishable.joined().contains("pk_test_publishable_9f9f"))

        let unknown = Self.problems("payments:\n  provider: paypal\n")
        #expect(unknown.contains { $0.contains("payments.provider") && $0.contains("sandbox") && $0.contains("stripe") }, "\(unknown)")

        let typo = Self.problems("payments:\n  provider: sandbox\n  sandbox:\n    publc_url: https://x.test\n")
        #expect(typo.contains { $0.contains("publc_url") && $0.contains("public_url") }, "\(typo)")

        let badURL = Self.problems("payments:\n  provider: sandbox\n  sandbox:\n    public_url: ftp://x.test\n")
        #expect(badURL.contains { $0.hasPrefix("payments.sandbox.public_url:") }, "\(badURL)")

        // An unselected Stripe block is not required to be complete, and its references stay unresolved.
        #expect(Self.problems("payments:\n  provider: sandbox\n  stripe:\n    secret_key: ${env:NOT_SET}\n").isEmpty)
    }

    @Test(.enabled(if: Peers.stripe != nil || Peers.required))
    func switchingBetweenSandboxAndStripeByReload() async throws {
        let stripe = try await PaymentsTarget(kind: .stripe).prepare()
        let port = try freePort()
        let sandboxConfig: @Sendable (TestDirectory) -> String = { directory in
            LiveDaemon.config(directory, listen: "webhooks_listen: 127.0.0.1:\(port)", extra: "payments:\n  provider: sandbox")
        }
        try await LiveDaemon.run(config: sandboxConfig) { client, _, directory in
            let body = #"{"email": "switch@example.com"}"#
            #expect(try await client.post("/payments/customers", body).json?["provider"] == .string("sandbox"))

            try directory.write("sidecar.yaml", LiveDaemon.config(
                directory, listen: "webhooks_listen: 127.0.0.1:\(port)", extra: "payments:\n  \(stripe.block)"))
            let reload = try await client.call(.POST, "/config/reload")
            #expect(reload.status == 200, "\(reload.text)")
            let viaStripe = try await client.post("/payments/customers", body)
            #expect(viaStripe.json?["provider"] == .string("stripe"), "\(viaStripe.text)")
            #expect(try await client.call(.GET, "/readyz").json?["providers"]?["payments"] == .string("stripe"))
            // The sandbox's pages go away with it.
            #expect(try await SandboxBrowser.get("http://127.0.0.1:\(port)/sandbox/payments/checkout/cs_sbx_x").status == 404)

            try directory.write("sidecar.yaml", sandboxConfig(directory))
            #expect(try await client.call(.POST, "/config/reload").status == 200)
            #expect(try await client.post("/payments/customers", body).json?["provider"] == .string("sandbox"))
        }
    }
}
