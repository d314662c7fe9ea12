import Crypto
import Foundation

/// A validated configuration with what the daemon shows and watches of it.
public struct LoadedConfig: Sendable {
    public let config: SidecarConfig
    /// A short hash of the effective configuration, secrets included: two pods with the same
    /// version run the same config. The secrets cannot be recovered from it.
    public let version: String
    public let loadedAt: Date
    public let sourcePath: String?
    /// The `${file:…}` secret files referenced by the selected blocks (for the reload watcher).
    public let secretFiles: [String]
    /// The effective configuration as JSON with every secret shown as `<redacted>`.
    public let redacted: JSONValue

    init(config: SidecarConfig, yaml: String, sourcePath: String?, diagnostics: ConfigDiagnostics) {
        self.config = config
        self.loadedAt = Date()
        self.sourcePath = sourcePath
        self.secretFiles = diagnostics.referencedFiles.sorted()
        self.version = Self.version(yaml: yaml, secrets: diagnostics.resolvedSecrets)
        self.redacted = Self.render(config, referencePaths: diagnostics.referencePaths)
    }

    static func version(yaml: String, secrets: [(path: String, value: SecretValue)]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(yaml.utf8))
        for (path, value) in secrets.sorted(by: { $0.path < $1.path }) {
            hasher.update(data: [0] + Array(path.utf8) + [0])
            hasher.update(data: value.revealedBytes)
        }
        return hasher.finalize().prefix(6).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
    }

    /// One line naming the selected providers: `email=console storage=filesystem …`.
    public var summary: String {
        let families = ProviderFamily.allCases.map { family in
            "\(family.rawValue)=" + (config.families[family]?.providerNames.joined(separator: ",") ?? "-")
        }
        return "config \(version): " + families.joined(separator: " ")
    }

    // MARK: Rendering

    /// Whether a key's name says it holds a secret (`*key*`, `*secret*`, `*password*`, `*token*`, `dsn`).
    public static func isSecretName(_ key: String) -> Bool {
        let lower = key.lowercased()
        return lower == "dsn" || ["key", "secret", "password", "token"].contains { lower.contains($0) }
    }

    static func render(_ config: SidecarConfig, referencePaths: Set<String>) -> JSONValue {
        var root: [String: JSONValue] = [
            "listen": encode(config.listen),
            "webhooks_listen": config.webhooksListen.map { .string($0.description) } ?? .null,
            "metrics_listen": config.metricsListen.map { .string($0.description) } ?? .null,
            "store": encode(config.store),
        ]
        for family in ProviderFamily.allCases {
            guard let selection = config.families[family] else { continue }
            var block: [String: JSONValue] = [:]
            let names = selection.providerNames
            block["provider"] = names.count == 1 ? .string(names[0]) : .array(names.map { .string($0) })
            for (key, value) in selection.settings { block[key] = .string(value) }
            for chosen in selection.selections { block[chosen.name] = encode(chosen.configuration) }
            root[family.rawValue] = .object(block)
        }
        if let webhooks = config.webhooks { root["webhooks"] = encode(webhooks) }
        return redact(.object(root), path: "", referencePaths: referencePaths)
    }

    private static func encode(_ value: some Encodable) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .null
        }
        return json
    }

    private static func redact(_ value: JSONValue, path: String, referencePaths: Set<String>) -> JSONValue {
        if referencePaths.contains(path) { return .string(SecretValue.redacted) }
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                if isSecretName(key), member != .null {
                    result[key] = .string(SecretValue.redacted)
                } else {
                    result[key] = redact(member, path: memberPath, referencePaths: referencePaths)
                }
            }
            return .object(result)
        case .array(let items):
            return .array(items.enumerated().map { redact($1, path: "\(path)[\($0)]", referencePaths: referencePaths) })
        default:
            return value
        }
    }
}
