import Foundation

/// Decodes JSON request bodies into unified request models, turning every decoding failure into
/// a `400 invalid_request` whose message names the field (`to[1]: expected a string`).
public enum RequestDecoding {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(SidecarError) -> T {
        let data = Data(bytes)
        guard !data.isEmpty else { throw .invalidRequest("body: a JSON object is required") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw .invalidRequest(message(for: error))
        } catch let error as SidecarError {
            throw error
        } catch {
            throw .invalidRequest("body: malformed JSON")
        }
    }

    /// The dotted path of a coding path: `messages[2].to[0]`.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }

    static func message(for error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(describe(type)), got null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is required"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "body: malformed JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "body: malformed JSON"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String: String].Type: "an object of strings"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

/// A JSON field that takes either one string or a list of strings (`"to": "a@b.test"`).
public struct StringOrList: Sendable, Hashable, Decodable {
    public var values: [String]
    /// Whether the caller sent a list (field names in errors then carry an index).
    public var wasList: Bool

    public init(_ values: [String]) {
        self.values = values
        self.wasList = true
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
            wasList = false
        } else if let list = try? container.decode([String].self) {
            values = list
            wasList = true
        } else {
            throw DecodingError.typeMismatch(String.self, DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "expected a string or a list of strings"))
        }
    }
}
