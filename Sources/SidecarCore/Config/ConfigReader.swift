import Yams

/// What one load of a configuration file has found so far: problems, and which values came
/// from secret references. Shared by every ``ConfigReader`` of that load.
public final class ConfigDiagnostics {
    public private(set) var problems: [ConfigProblem] = []
    /// Key paths whose value came (at least partly) from a `${…}` reference.
    public private(set) var referencePaths: Set<String> = []
    /// Every `${file:…}` path that was read, for the reload watcher.
    public private(set) var referencedFiles: Set<String> = []
    /// Every resolved secret value, in key-path order, folded into the config version.
    private(set) var resolvedSecrets: [(path: String, value: SecretValue)] = []

    public init() {}

    public func add(_ problem: ConfigProblem) { problems.append(problem) }

    func recordReference(path: String, files: [String], value: SecretValue) {
        referencePaths.insert(path)
        referencedFiles.formUnion(files)
        resolvedSecrets.append((path, value))
    }

    func recordSecret(path: String, value: SecretValue) {
        resolvedSecrets.append((path, value))
    }
}

/// Reads one YAML mapping of the configuration into typed values, reporting every problem
/// with its key path and line instead of stopping at the first.
///
/// A reader for an absent block answers every lookup with "absent", so optional blocks need no
/// special casing. Strings are resolved for `${env:…}` / `${file:…}` references as they are read,
/// so blocks that are never read (unselected vendors) never resolve theirs.
public struct ConfigReader {
    /// The dotted key path of this mapping (`email.resend`); empty at the root.
    public let path: String
    private let mapping: Node.Mapping?
    /// The line of the mapping itself.
    public let line: Int?
    public let diagnostics: ConfigDiagnostics
    let resolver: SecretReferenceResolver

    init(path: String, node: Node?, line: Int?, diagnostics: ConfigDiagnostics, resolver: SecretReferenceResolver) {
        self.path = path
        self.mapping = node?.mapping
        self.line = line ?? node?.mark?.line
        self.diagnostics = diagnostics
        self.resolver = resolver
    }

    /// Whether the block exists in the file (and is a mapping).
    public var isPresent: Bool { mapping != nil }

    /// The keys present in this mapping, in file order.
    public var keys: [String] {
        mapping?.compactMap { $0.key.scalar?.string } ?? []
    }

    /// The dotted path of `key` inside this mapping.
    public func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value node of `key`; `nil` when absent or explicitly `null`.
    public func node(_ key: String) -> Node? {
        guard let value = mapping?[Node(key)] else { return nil }
        if case .scalar = value, value.null != nil { return nil }
        return value
    }

    /// Whether `key` is present with a non-null value.
    public func has(_ key: String) -> Bool { node(key) != nil }

    /// The line of `key`, or of this mapping when the key is absent.
    public func line(of key: String) -> Int? {
        if let entry = mapping?.first(where: { $0.key.scalar?.string == key }) {
            return entry.key.mark?.line ?? entry.value.mark?.line
        }
        return line
    }

    /// `value` quoted for a problem message, unless it came from a secret reference: then the
    /// message says so instead of echoing it.
    public func quoted(_ key: String, _ value: String) -> String {
        diagnostics.referencePaths.contains(keyPath(key)) ? "the value from its reference" : "`\(value.prefix(200))`"
    }

    /// Records a problem at `key` (or at this mapping when `key` is nil).
    public func problem(_ key: String?, _ message: String) {
        diagnostics.add(ConfigProblem(
            path: key.map(keyPath) ?? (path.isEmpty ? "<file>" : path),
            message: message,
            line: key.map { line(of: $0) } ?? line))
    }

    /// A nested mapping; absent when the key is missing, a problem when it is not a mapping.
    public func child(_ key: String) -> ConfigReader {
        let value = node(key)
        if let value, value.mapping == nil {
            problem(key, "expected a mapping of keys")
            return ConfigReader(path: keyPath(key), node: nil, line: line(of: key), diagnostics: diagnostics, resolver: resolver)
        }
        return ConfigReader(path: keyPath(key), node: value, line: line(of: key), diagnostics: diagnostics, resolver: resolver)
    }

    // MARK: Scalars

    private func rawScalar(_ key: String, expected: String) -> String? {
        guard let value = node(key) else { return nil }
        guard let scalar = value.scalar else {
            problem(key, "expected \(expected)")
            return nil
        }
        return scalar.string
    }

    /// A plain string. References are resolved; a value that came from one is redacted in
    /// every rendering of the configuration.
    public func string(_ key: String, required: Bool = false) -> String? {
        guard let raw = rawScalar(key, expected: "a string") else {
            if required { problem(key, "is required") }
            return nil
        }
        guard let resolved = resolve(key, raw) else { return nil }
        if resolved.isEmpty, required {
            problem(key, "must not be empty")
            return nil
        }
        return resolved
    }

    /// A secret. Whatever its source, the value only ever exists as a ``SecretValue``.
    public func secret(_ key: String, required: Bool = false) -> SecretValue? {
        guard let raw = rawScalar(key, expected: "a string") else {
            if required { problem(key, "is required") }
            return nil
        }
        guard let resolved = resolve(key, raw) else { return nil }
        if resolved.isEmpty {
            problem(key, "must not be empty")
            return nil
        }
        let secret = SecretValue(resolved)
        if !SecretReferenceResolver.containsReference(raw) {
            diagnostics.recordSecret(path: keyPath(key), value: secret)
        }
        return secret
    }

    private func resolve(_ key: String, _ raw: String) -> String? {
        do {
            let resolution = try resolver.resolve(raw)
            if resolution.containedReference {
                diagnostics.recordReference(path: keyPath(key), files: resolution.files, value: SecretValue(resolution.value))
            }
            return resolution.value
        } catch {
            problem(key, error.message)
            return nil
        }
    }

    /// An integer within `range`, or `defaultValue` when absent.
    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        guard let raw = rawScalar(key, expected: "an integer") else { return defaultValue }
        guard let value = Int(raw.replacingOccurrences(of: "_", with: "")) else {
            problem(key, "expected an integer, got `\(raw)`")
            return defaultValue
        }
        guard range.contains(value) else {
            problem(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return defaultValue
        }
        return value
    }

    /// A boolean (`true`/`false`), or `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool) -> Bool {
        guard let raw = rawScalar(key, expected: "true or false") else { return defaultValue }
        switch raw.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(key, "expected true or false, got `\(raw)`")
            return defaultValue
        }
    }

    /// A list of plain strings; a single string is taken as a list of one.
    public func stringList(_ key: String) -> [String]? {
        guard let value = node(key) else { return nil }
        if value.scalar != nil { return string(key).map { [$0] } }
        guard let sequence = value.sequence else {
            problem(key, "expected a string or a list of strings")
            return nil
        }
        var items: [String] = []
        for (index, item) in sequence.enumerated() {
            guard let scalar = item.scalar, item.null == nil else {
                diagnostics.add(ConfigProblem(path: "\(keyPath(key))[\(index)]", message: "expected a string", line: item.mark?.line))
                continue
            }
            items.append(scalar.string)
        }
        return items
    }

    /// A list of integers.
    public func intList(_ key: String) -> [Int] {
        guard let value = node(key) else { return [] }
        guard let sequence = value.sequence else {
            problem(key, "expected a list of integers")
            return []
        }
        var items: [Int] = []
        for (index, item) in sequence.enumerated() {
            guard let number = item.scalar.flatMap({ Int($0.string) }) else {
                diagnostics.add(ConfigProblem(path: "\(keyPath(key))[\(index)]", message: "expected an integer", line: item.mark?.line))
                continue
            }
            items.append(number)
        }
        return items
    }

    // MARK: Unknown keys

    /// Reports every key of this mapping not in `known`, suggesting the closest known key.
    public func rejectUnknownKeys(_ known: [String]) {
        guard let mapping else { return }
        for entry in mapping {
            guard let key = entry.key.scalar?.string else { continue }
            guard !known.contains(key) else { continue }
            let message: String
            if let suggestion = Self.closest(to: key, in: known) {
                message = "unknown key (did you mean `\(suggestion)`?)"
            } else {
                message = "unknown key (known keys: \(known.joined(separator: ", ")))"
            }
            diagnostics.add(ConfigProblem(path: keyPath(key), message: message, line: entry.key.mark?.line))
        }
    }

    /// The known word nearest to `word`, if it is near enough to be a likely typo.
    public static func closest(to word: String, in known: [String]) -> String? {
        let scored = known.map { (word: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        let allowed = max(2, best.word.count / 3)
        return best.distance <= allowed ? best.word : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
