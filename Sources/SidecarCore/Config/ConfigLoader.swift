import Crypto
import Foundation
import Yams

/// Loads `sidecar.yaml`: parses it, resolves secret references, decodes every block into typed
/// values and validates it, collecting every problem before failing.
public struct ConfigLoader: Sendable {
    public var registry: ProviderRegistry
    public var resolver: SecretReferenceResolver

    public init(registry: ProviderRegistry, resolver: SecretReferenceResolver = SecretReferenceResolver()) {
        self.registry = registry
        self.resolver = resolver
    }

    static let topLevelKeys = [
        "listen", "webhooks_listen", "metrics_listen", "store", "email", "storage", "payments", "auth",
        "monitoring", "webhooks",
    ]

    /// Loads the file at `path`.
    public func load(path: String) throws(ConfigError) -> LoadedConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: "<file>", message: "cannot read \(path)")])
        }
        return try load(yaml: text, sourcePath: path)
    }

    /// Loads configuration text; `sourcePath` is only recorded.
    public func load(yaml: String, sourcePath: String? = nil) throws(ConfigError) -> LoadedConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(problems: [Self.problem(from: error)])
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: "<file>", message: "not valid YAML")])
        }
        let diagnostics = ConfigDiagnostics()
        if let root, root.mapping == nil, root.null == nil {
            throw ConfigError(problems: [ConfigProblem(path: "<file>", message: "expected a mapping of keys at the top level", line: root.mark?.line)])
        }
        let reader = ConfigReader(path: "", node: root, line: 1, diagnostics: diagnostics, resolver: resolver)
        reader.rejectUnknownKeys(Self.topLevelKeys)

        let config = SidecarConfig(
            listen: decodeListen(reader.child("listen")),
            webhooksListen: address(reader, "webhooks_listen"),
            metricsListen: address(reader, "metrics_listen"),
            store: decodeStore(reader.child("store")),
            families: decodeFamilies(reader),
            webhooks: decodeWebhooks(reader.child("webhooks")))

        guard diagnostics.problems.isEmpty else {
            throw ConfigError(problems: diagnostics.problems.sorted { ($0.line ?? 0, $0.path) < ($1.line ?? 0, $1.path) })
        }
        return LoadedConfig(config: config, yaml: yaml, sourcePath: sourcePath, diagnostics: diagnostics)
    }

    static func problem(from error: YamlError) -> ConfigProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigProblem(path: "<file>", message: "not valid YAML: \(what)", line: mark.line)
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigProblem(path: "<file>", message: "not valid YAML: \(what)", line: mark.line)
        default:
            return ConfigProblem(path: "<file>", message: "not valid YAML")
        }
    }

    // MARK: Blocks

    private func address(_ reader: ConfigReader, _ key: String) -> ListenAddress? {
        guard let text = reader.string(key) else { return nil }
        guard let address = ListenAddress(parsing: text) else {
            reader.problem(key, "expected host:port, got \(reader.quoted(key, text))")
            return nil
        }
        return address
    }

    private func decodeListen(_ reader: ConfigReader) -> ListenConfig {
        reader.rejectUnknownKeys(ListenConfig.keys)
        var mode: UInt16 = 0o660
        if let text = reader.string("socket_mode") {
            if text.count >= 3, text.count <= 4, let parsed = UInt16(text, radix: 8), parsed <= 0o777 {
                mode = parsed
            } else {
                reader.problem("socket_mode", "expected an octal file mode such as \"0660\", got \(reader.quoted("socket_mode", text))")
            }
        }
        let socket = reader.string("socket") ?? "./run/sidecar.sock"
        if socket.utf8.count > 107 {
            reader.problem("socket", "a Unix socket path must be at most 107 bytes long")
        }
        let listen = ListenConfig(
            socket: socket,
            socketMode: mode,
            allowedUIDs: reader.intList("allowed_uids"),
            tcp: address(reader, "tcp"),
            token: reader.secret("token"),
            maxBodyBytes: reader.int("max_body_bytes", default: 10 * 1024 * 1024, range: 1024...(1 << 30)))
        if listen.tcp != nil, listen.token == nil, !reader.has("token") {
            reader.problem("token", "is required when listen.tcp is set (the TCP listener demands a bearer token)")
        }
        return listen
    }

    private func decodeStore(_ reader: ConfigReader) -> StoreConfig {
        reader.rejectUnknownKeys(["sqlite", "postgres"])
        if reader.has("sqlite"), reader.has("postgres") {
            reader.problem(nil, "set either sqlite or postgres, not both")
        }
        if reader.has("postgres") {
            let url = reader.secret("postgres", required: true)
            reader.problem("postgres", "the PostgreSQL store is not available in this build; use store.sqlite")
            return .postgres(url: url ?? SecretValue(""))
        }
        return .sqlite(path: reader.string("sqlite") ?? "./run/sidecar.db")
    }

    private func decodeFamilies(_ root: ConfigReader) -> [ProviderFamily: FamilyConfig] {
        var families: [ProviderFamily: FamilyConfig] = [:]
        for family in ProviderFamily.allCases {
            let reader = root.child(family.rawValue)
            guard reader.isPresent else { continue }
            if let config = decodeFamily(family, reader) { families[family] = config }
        }
        return families
    }

    private func decodeFamily(_ family: ProviderFamily, _ reader: ConfigReader) -> FamilyConfig? {
        let vendors = registry.vendors(of: family)
        let settingKeys = family == .email ? ["from"] : family == .storage ? ["max_upload_bytes"] : []
        reader.rejectUnknownKeys(["provider"] + settingKeys + vendors.map(\.name))

        var settings: [String: String] = [:]
        if family == .email, let from = reader.string("from") {
            if EmailAddress(parsing: from) == nil {
                reader.problem("from", "\(reader.quoted("from", from)) is not a valid sender (expected `Name <address>` or `address`)")
            }
            settings["from"] = from
        }
        if family == .storage, reader.has("max_upload_bytes") {
            settings["max_upload_bytes"] = String(reader.int("max_upload_bytes", default: SidecarConfig.defaultMaxUploadBytes, range: 1...(5 << 40)))
        }

        guard let names = reader.stringList("provider"), !names.isEmpty else {
            reader.problem("provider", "is required (one of: \(vendors.map(\.name).joined(separator: ", ")))")
            return nil
        }
        if names.count > 1, family != .email {
            reader.problem("provider", "only email accepts a failover list; name one provider")
        }
        var selections: [FamilyConfig.Selection] = []
        for name in names {
            guard let vendor = vendors.first(where: { $0.name == name }) else {
                let valid = vendors.map(\.name).joined(separator: ", ")
                reader.problem("provider", "unknown provider `\(name)` (valid: \(valid.isEmpty ? "none in this build" : valid))")
                continue
            }
            if selections.contains(where: { $0.name == name }) {
                reader.problem("provider", "`\(name)` is listed twice")
                continue
            }
            let block = reader.child(name)
            block.rejectUnknownKeys(vendor.configurationKeys)
            let before = reader.diagnostics.problems.count
            if let configuration = vendor.decode(block), reader.diagnostics.problems.count == before {
                selections.append(FamilyConfig.Selection(name: name, configuration: configuration))
            }
        }
        // Blocks of vendors that are not selected are checked for unknown keys only: their values,
        // and so their secret references, are never read.
        for vendor in vendors where !names.contains(vendor.name) {
            reader.child(vendor.name).rejectUnknownKeys(vendor.configurationKeys)
        }
        return FamilyConfig(family: family, selections: selections, settings: settings)
    }

    static let webhookSchemes: [String: String] = ["stripe": "stripe", "resend": "svix", "clerk": "svix", "sendgrid": "sendgrid"]

    private func decodeWebhooks(_ reader: ConfigReader) -> WebhooksConfig? {
        guard reader.isPresent else { return nil }
        reader.rejectUnknownKeys(["deliver_to", "signing_secret", "max_attempts", "sources"])
        let deliverTo = reader.string("deliver_to")
        if let deliverTo, !(deliverTo.hasPrefix("http://") || deliverTo.hasPrefix("https://") || deliverTo.hasPrefix("unix://")) {
            reader.problem("deliver_to", "expected an http://, https:// or unix:// URL")
        }
        let signingSecret = reader.secret("signing_secret", required: deliverTo != nil)
        var sources: [String: WebhooksConfig.Source] = [:]
        let sourcesReader = reader.child("sources")
        for name in sourcesReader.keys {
            let block = sourcesReader.child(name)
            block.rejectUnknownKeys(["scheme", "secret", "public_key", "tolerance_seconds"])
            let scheme = block.string("scheme") ?? Self.webhookSchemes[name] ?? "standard"
            guard ["stripe", "svix", "sendgrid", "standard"].contains(scheme) else {
                block.problem("scheme", "unknown scheme `\(scheme)` (valid: stripe, svix, sendgrid, standard)")
                continue
            }
            let needsPublicKey = scheme == "sendgrid"
            sources[name] = WebhooksConfig.Source(
                name: name, scheme: scheme,
                secret: needsPublicKey ? nil : block.secret("secret", required: true),
                publicKey: needsPublicKey ? block.secret("public_key", required: true) : nil,
                toleranceSeconds: block.int("tolerance_seconds", default: 300, range: 1...86400))
        }
        return WebhooksConfig(
            deliverTo: deliverTo, signingSecret: signingSecret,
            maxAttempts: reader.int("max_attempts", default: 8, range: 1...100), sources: sources)
    }
}
