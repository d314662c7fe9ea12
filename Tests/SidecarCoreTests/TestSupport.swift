import Foundation
import SidecarCore
import SidecarServer

/// A second email vendor for config tests: its block has a secret and a URL, like a real one.
struct FakeMailProvider: EmailProvider, RegisteredProvider {
    struct Configuration: ProviderConfiguration {
        static let keys = ["api_key", "base_url"]
        var apiKey: SecretValue
        var baseURL: String

        init?(from reader: ConfigReader) {
            guard let key = reader.secret("api_key", required: true) else { return nil }
            apiKey = key
            baseURL = reader.string("base_url") ?? "https://fakemail.test"
        }

        enum CodingKeys: String, CodingKey { case apiKey = "api_key", baseURL = "base_url" }
    }

    static let providerName = "fakemail"
    var name: String { Self.providerName }

    init(configuration: Configuration, context: ProviderContext) {}

    func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult {
        EmailSendResult(id: "fake", provider: name)
    }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/config")

    static var registry: ProviderRegistry {
        var registry = ProviderRegistry.standard
        registry.email.append(ProviderFactory(FakeMailProvider.self))
        return registry
    }

    static func loader(environment: [String: String] = [:]) -> ConfigLoader {
        ConfigLoader(registry: registry, resolver: SecretReferenceResolver(environment: environment, baseDirectory: directory.path))
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The problems of a fixture that must fail, as printed.
    static func problems(_ name: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try loader(environment: environment).load(path: path(name))
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
