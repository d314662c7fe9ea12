import Foundation
import SidecarCore
import Testing

@Suite("Config loading and validation")
struct ConfigLoaderTests {
    static let environment = [
        "SIDECAR_TOKEN": "tok-canary-3f9a", "RESEND_API_KEY": "re_canary_77aa", "STRIPE_WEBHOOK_SECRET": "whsec_canary_91",
    ]

    @Test func validFileDecodesEveryKey() throws {
        let loaded = try Fixtures.loader(environment: Self.environment).load(path: Fixtures.path("valid-full.yaml"))
        let config = loaded.config
        #expect(config.listen.socket == "./run/sidecar.sock")
        #expect(config.listen.socketMode == 0o600)
        #expect(config.listen.allowedUIDs == [1000, 1001])
        #expect(config.listen.tcp == ListenAddress(host: "127.0.0.1", port: 7070))
        #expect(config.listen.token?.constantTimeEquals("tok-canary-3f9a") == true)
        #expect(config.listen.maxBodyBytes == 2048)
        #expect(config.webhooksListen?.description == "127.0.0.1:8090")
        #expect(config.metricsListen?.port == 9090)
        #expect(config.store == .sqlite(path: "./run/test.db"))
        #expect(config.families[.email]?.providerNames == ["console"])
        #expect(config.emailFrom == "Acme <noreply@acme.test>")
        let webhooks = try #require(config.webhooks)
        #expect(webhooks.maxAttempts == 5)
        #expect(webhooks.signingSecret?.withRevealedValue { $0 } == "whsec_from_file")
        #expect(webhooks.sources["stripe"]?.scheme == "stripe")
        #expect(webhooks.sources["sendgrid"]?.scheme == "sendgrid")
        #expect(webhooks.sources["sendgrid"]?.publicKey?.withRevealedValue { $0 } == "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")
        #expect(webhooks.sources["internal"]?.scheme == "standard")
        #expect(loaded.secretFiles == [Fixtures.path("secrets/app_webhook")])
        #expect(loaded.summary.hasSuffix("email=console storage=- payments=- auth=- monitoring=-"))
    }

    @Test func unselectedVendorBlockIsNotResolved() throws {
        // fakemail's api_key references an unset variable, but fakemail is not selected.
        #expect(Fixtures.problems("unselected-block.yaml") == [
            "email.fakemail.base_urll: unknown key (did you mean `base_url`?) (line 5)"
        ])
    }

    @Test func selectedVendorBlockIsRequired() throws {
        let yaml = "email:\n  provider: fakemail\n"
        #expect(throws: ConfigError.self) { try Fixtures.loader().load(yaml: yaml) }
        do {
            _ = try Fixtures.loader().load(yaml: yaml)
        } catch {
            #expect(error.problems.map(\.description) == ["email.fakemail.api_key: is required (line 1)"])
        }
    }

    @Test func unknownKeysSuggestTheClosestKnownKey() {
        #expect(Fixtures.problems("unknown-keys.yaml") == [
            "listen.sockett: unknown key (did you mean `socket`?) (line 2)",
            "emial: unknown key (did you mean `email`?) (line 3)",
            "email.provider: is required (one of: console, resend, sendgrid, smtp, fakemail) (line 5)",
            "email.provder: unknown key (did you mean `provider`?) (line 6)",
        ])
    }

    @Test func unknownProviderListsTheValidOnes() {
        #expect(Fixtures.problems("unknown-provider.yaml") == [
            "email.provider: unknown provider `mailgun` (valid: console, resend, sendgrid, smtp, fakemail) (line 2)"
        ])
    }

    @Test func everyProblemIsCollectedWithItsLine() {
        #expect(Fixtures.problems("bad-types.yaml") == [
            "listen.socket_mode: expected an octal file mode such as \"0660\", got `rwx` (line 2)",
            "listen.max_body_bytes: expected an integer, got `lots` (line 3)",
            "listen.allowed_uids[1]: expected an integer (line 4)",
            "listen.tcp: expected host:port, got `localhost` (line 5)",
            "webhooks_listen: expected host:port, got `8090` (line 6)",
            "email.from: `not an address` is not a valid sender (expected `Name <address>` or `address`) (line 9)",
            "email.console.include_bodies: expected true or false, got `maybe` (line 11)",
        ])
    }

    @Test func missingSecretsNameTheReferenceNotAValue() {
        #expect(Fixtures.problems("missing-secrets.yaml") == [
            "listen.token: environment variable SIDECAR_TEST_UNSET_TOKEN is not set (line 3)",
            "webhooks.signing_secret: cannot read secret file /nonexistent/sidecar/secret (line 6)",
            "webhooks.sources.stripe.secret: is required (line 8)",
        ])
    }

    @Test func tcpListenerNeedsAToken() {
        #expect(Fixtures.problems("tcp-without-token.yaml") == [
            "listen.token: is required when listen.tcp is set (the TCP listener demands a bearer token) (line 1)"
        ])
    }

    @Test func invalidYAMLNamesTheLine() {
        let problems = Fixtures.problems("invalid-yaml.yaml")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("<file>: not valid YAML") == true)
        #expect(problems.first?.hasSuffix("(line 3)") == true)
    }

    @Test func topLevelMustBeAMapping() {
        #expect(Fixtures.problems("not-a-mapping.yaml") == ["<file>: expected a mapping of keys at the top level (line 1)"])
    }

    @Test func onlyEmailTakesAFailoverList() {
        #expect(Fixtures.problems("failover-outside-email.yaml") == [
            "email.provider: `console` is listed twice (line 2)",
            "storage.provider: only email accepts a failover list; name one provider (line 4)",
            "storage.provider: unknown provider `nosuch` (valid: s3, r2, gcs, filesystem) (line 4)",
        ])
    }

    @Test func emptyFileIsTheDefaults() throws {
        let loaded = try Fixtures.loader().load(yaml: "")
        #expect(loaded.config.listen.socket == "./run/sidecar.sock")
        #expect(loaded.config.listen.socketMode == 0o660)
        #expect(loaded.config.listen.maxBodyBytes == 10 * 1024 * 1024)
        #expect(loaded.config.store == .sqlite(path: "./run/sidecar.db"))
        #expect(loaded.config.families.isEmpty)
    }

    @Test func shippedConfigLoadsWithNoEnvironment() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sidecar.yaml").path
        let loaded = try ConfigLoader(registry: Fixtures.registry, resolver: SecretReferenceResolver(environment: [:])).load(path: path)
        #expect(loaded.config.families[.email]?.providerNames == ["console"])
        #expect(loaded.config.families[.storage]?.providerNames == ["filesystem"])
        #expect(loaded.config.families[.payments]?.providerNames == ["sandbox"])
        #expect(loaded.config.webhooksListen?.description == "127.0.0.1:8090")
        #expect(loaded.config.storageMaxUploadBytes == 5 << 30)
        #expect(loaded.config.listen.socket == "./run/sidecar.sock")
    }

    @Test func versionChangesWithSecretsButDoesNotRevealThem() throws {
        let yaml = "listen:\n  tcp: 127.0.0.1:7070\n  token: ${env:T}\n"
        let first = try Fixtures.loader(environment: ["T": "one"]).load(yaml: yaml)
        let again = try Fixtures.loader(environment: ["T": "one"]).load(yaml: yaml)
        let rotated = try Fixtures.loader(environment: ["T": "two"]).load(yaml: yaml)
        #expect(first.version == again.version)
        #expect(first.version != rotated.version)
        #expect(first.version.count == 12)
    }
}
