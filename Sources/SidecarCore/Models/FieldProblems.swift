import Foundation

/// Collects the field problems of a request body (email and payments alike); `check()` throws
/// them as one `400 invalid_request`, every problem also listed in `problems` when there are several.
struct FieldProblems {
    /// Put before every field name (`messages[2].` inside a batch).
    var fieldPrefix = ""
    private var messages: [String] = []

    init(fieldPrefix: String = "") { self.fieldPrefix = fieldPrefix }

    mutating func add(_ field: String, _ message: String) { messages.append("\(fieldPrefix)\(field): \(message)") }

    func check() throws(SidecarError) {
        guard !messages.isEmpty else { return }
        var error = SidecarError.invalidRequest(messages.joined(separator: "; "))
        if messages.count > 1 { error.problems = messages }
        throw error
    }

    /// A vendor object id (`cus_…`, `sub_…`, `price_…`): letters, digits, `_` and `-`, so it can never
    /// reach another path of the vendor's API.
    mutating func identifier(_ value: String?, field: String, required: Bool) -> String? {
        guard let value else {
            if required { add(field, "is required") }
            return nil
        }
        guard !value.isEmpty, value.utf8.count <= 255, value.utf8.allSatisfy(Self.isIdentifierByte) else {
            add(field, "expected an id of letters, digits, `_` or `-`")
            return nil
        }
        return value
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    mutating func email(_ value: String?, field: String, required: Bool) -> String? {
        guard let value else {
            if required { add(field, "is required") }
            return nil
        }
        guard EmailAddress.isPlausible(value), value.count <= 512 else {
            add(field, "expected an email address")
            return nil
        }
        return value
    }

    /// A required absolute `http(s)` URL.
    mutating func url(_ value: String?, field: String) {
        guard let value else { return add(field, "is required") }
        let lower = value.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), value.count > 8, value.utf8.count <= 5000,
            !value.contains(where: { $0.isWhitespace })
        else { return add(field, "expected an absolute http:// or https:// URL") }
    }

    /// Stripe's metadata rules, which the sandbox keeps too: at most 50 keys, keys up to 40
    /// characters without square brackets, values up to 500 characters.
    mutating func metadata(_ values: [String: String]?) {
        guard let values else { return }
        if values.count > 50 { add("metadata", "at most 50 keys, got \(values.count)") }
        for key in values.keys.sorted() {
            if key.isEmpty || key.count > 40 || key.contains("[") || key.contains("]") {
                add("metadata.\(key)", "keys are 1 to 40 characters without `[` or `]`")
            } else if let value = values[key], value.count > 500 {
                add("metadata.\(key)", "at most 500 characters")
            }
        }
    }
}
