/// One thing wrong with a configuration file, reported as `key.path: what is wrong (line N)`.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The dotted key path (`email.resend.api_key`), or `<file>` for whole-file problems.
    public var path: String
    public var message: String
    /// The 1-based YAML line, where the problem has one.
    public var line: Int?

    public init(path: String, message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String {
        "\(path): \(message)" + (line.map { " (line \($0))" } ?? "")
    }
}

/// A configuration that cannot be used, with every problem found in one pass.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
