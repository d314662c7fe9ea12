import Foundation

/// Resolves `${env:NAME}`, `${env:NAME:-default}` and `${file:/path}` references inside a
/// configuration string.
///
/// A string may hold several references and plain text around them. Errors name the
/// reference (the variable or the file), never a value.
public struct SecretReferenceResolver: Sendable {
    /// The process environment, or a fixed one for tests.
    public var environment: [String: String]
    /// Reads a secret file; the default reads it from disk.
    public var readFile: @Sendable (String) throws -> String
    /// The directory relative `${file:…}` paths are resolved against (the config file's).
    public var baseDirectory: String

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        baseDirectory: String = FileManager.default.currentDirectoryPath,
        readFile: @escaping @Sendable (String) throws -> String = { path in
            try String(contentsOfFile: path, encoding: .utf8)
        }
    ) {
        self.environment = environment
        self.baseDirectory = baseDirectory
        self.readFile = readFile
    }

    /// The outcome of resolving one string.
    public struct Resolution: Sendable {
        public var value: String
        /// Whether any part of the value came from a reference (it must then be redacted).
        public var containedReference: Bool
        /// The absolute paths of the `${file:…}` references, for the reload watcher.
        public var files: [String]
    }

    /// Whether `text` contains a reference at all (checked without resolving it).
    public static func containsReference(_ text: String) -> Bool {
        text.contains("${")
    }

    /// Resolves every reference in `text`; throws a message naming the failing reference.
    public func resolve(_ text: String) throws(ResolutionFailure) -> Resolution {
        guard Self.containsReference(text) else {
            return Resolution(value: text, containedReference: false, files: [])
        }
        var output = ""
        var files: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ResolutionFailure(message: "unterminated reference: `${` without a closing `}`")
            }
            let body = rest[start.upperBound..<end]
            rest = rest[rest.index(after: end)...]
            if body.hasPrefix("env:") {
                output += try resolveEnvironment(body.dropFirst(4))
            } else if body.hasPrefix("file:") {
                let path = absolutePath(String(body.dropFirst(5)))
                guard !path.isEmpty else { throw ResolutionFailure(message: "`${file:}` needs a path") }
                files.append(path)
                let contents: String
                do {
                    contents = try readFile(path)
                } catch {
                    throw ResolutionFailure(message: "cannot read secret file \(path)")
                }
                output += contents.hasSuffix("\r\n") ? String(contents.dropLast(2))
                    : contents.hasSuffix("\n") ? String(contents.dropLast()) : contents
            } else {
                throw ResolutionFailure(
                    message: "unknown reference `${\(body.prefix(while: { $0 != ":" }))…}`: use ${env:NAME}, ${env:NAME:-default} or ${file:/path}")
            }
        }
        output += rest
        return Resolution(value: output, containedReference: true, files: files)
    }

    private func resolveEnvironment(_ body: Substring) throws(ResolutionFailure) -> String {
        let name: Substring
        var fallback: Substring?
        if let separator = body.range(of: ":-") {
            name = body[..<separator.lowerBound]
            fallback = body[separator.upperBound...]
        } else {
            name = body
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ResolutionFailure(message: "`${env:\(name)}` is not a valid environment variable name")
        }
        if let value = environment[String(name)], !value.isEmpty { return value }
        if let fallback { return String(fallback) }
        throw ResolutionFailure(message: "environment variable \(name) is not set")
    }

    private func absolutePath(_ path: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        return (baseDirectory as NSString).appendingPathComponent(path)
    }

    /// Why a reference could not be resolved; the message never contains a secret value.
    public struct ResolutionFailure: Error, Sendable {
        public var message: String
    }
}
