import Foundation
import SidecarCore
import Testing

@Suite("Secrets never leave their type")
struct RedactionTests {
    @Test func secretValueRendersRedactedEveryWay() throws {
        let secret = SecretValue("sk_live_canary_5521")
        #expect(secret.description == "<redacted>")
        #expect(secret.debugDescription == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(String(describing: secret) == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("canary"))
        struct Holder: Encodable { var key: SecretValue }
        let json = String(decoding: try JSONEncoder().encode(Holder(key: secret)), as: UTF8.self)
        #expect(json == #"{"key":"<redacted>"}"#)
        #expect(secret.withRevealedValue { $0 } == "sk_live_canary_5521")
        #expect(secret.constantTimeEquals("sk_live_canary_5521"))
        #expect(!secret.constantTimeEquals("sk_live_canary_5522"))
    }

    @Test func renderedConfigRedactsReferencesAndSecretNames() throws {
        let environment = ["SIDECAR_TOKEN": "tok-canary-3f9a", "STRIPE_WEBHOOK_SECRET": "whsec_canary_91"]
        let loaded = try Fixtures.loader(environment: environment).load(path: Fixtures.path("valid-full.yaml"))
        let text = String(decoding: try JSONEncoder().encode(loaded.redacted), as: UTF8.self)
        for canary in ["tok-canary-3f9a", "whsec_canary_91", "whsec_from_file", "plain-text-secret", "MFkwEwYHKoZIzj0"] {
            #expect(!text.contains(canary), "\(canary) leaked into the rendered config")
        }
        #expect(loaded.redacted["listen"]?["token"] == .string("<redacted>"))
        #expect(loaded.redacted["webhooks"]?["sources"]?["internal"]?["secret"] == .string("<redacted>"))
        #expect(loaded.redacted["listen"]?["socket"] == .string("./run/sidecar.sock"))
    }

    @Test func aValueFromAReferenceIsRedactedWhateverTheKeyName() throws {
        let loaded = try Fixtures.loader(environment: ["FROM": "Canary <canary-from@acme.test>"])
            .load(yaml: "email:\n  provider: console\n  from: ${env:FROM}\n")
        #expect(loaded.config.emailFrom == "Canary <canary-from@acme.test>")
        #expect(loaded.redacted["email"]?["from"] == .string("<redacted>"))
    }

    @Test func problemsNeverContainSecretValues() {
        // A bad value that came from a secret reference must not be echoed back.
        let problems = Fixtures.problems("missing-secrets.yaml", environment: ["SIDECAR_TEST_UNSET_TOKEN": ""])
        #expect(!problems.isEmpty)
        let environment = ["FROM": "canary-not-an-address"]
        do {
            _ = try Fixtures.loader(environment: environment).load(yaml: "email:\n  provider: console\n  from: ${env:FROM}\n")
            Issue.record("expected a problem")
        } catch {
            #expect(!error.description.contains("canary"), "\(error.description)")
        }
    }
}
