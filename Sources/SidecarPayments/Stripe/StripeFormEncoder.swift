import SidecarCore

/// One value of Stripe's v1 request parameters: a scalar, a nested object, or a list.
///
/// Build them with literals: `["mode": "subscription", "line_items": [["price": "price_1", "quantity": 2]]]`.
public indirect enum StripeParameter: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    /// A nested object, its keys in order: `metadata[order_id]=42`.
    case object(StripeParameters)
    /// A list: `expand[]=a&expand[]=b` for scalars, `items[0][price]=…` for objects.
    case list([StripeParameter])
}

/// Stripe parameters in order, each key once (setting a key again replaces its value in place).
public struct StripeParameters: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var value: StripeParameter
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    public subscript(name: String) -> StripeParameter? {
        get { entries.first { $0.name == name }?.value }
        set {
            let index = entries.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(name: name, value: value))
            case (nil, nil): break
            }
        }
    }
}

extension StripeParameters: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, StripeParameter)...) {
        for (name, value) in elements { self[name] = value }
    }
}

extension StripeParameter: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(arrayLiteral elements: StripeParameter...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, StripeParameter)...) {
        var parameters = StripeParameters()
        for (name, value) in elements { parameters[name] = value }
        self = .object(parameters)
    }

    /// A string map (`metadata`) as a nested object, keys sorted so the body is stable.
    public static func map(_ values: [String: String]) -> StripeParameter {
        var parameters = StripeParameters()
        for key in values.keys.sorted() { parameters[key] = .string(values[key] ?? "") }
        return .object(parameters)
    }
}

/// Encodes parameters in Stripe's v1 bracket form (`application/x-www-form-urlencoded`):
/// `a[b][c]=v` for nested objects, `items[0][price]=…` for lists of objects, `expand[]=x` for lists
/// of scalars, booleans as `true`/`false`, keys and values percent-encoded as UTF-8 (brackets
/// included, ``PercentEncoding``). Empty objects and lists send nothing.
public enum StripeFormEncoder {
    /// The request body for `parameters`, built in one buffer.
    public static func encode(_ parameters: StripeParameters) -> String {
        var body: [UInt8] = []
        body.reserveCapacity(256)
        for (name, value) in pairs(parameters) {
            if !body.isEmpty { body.append(UInt8(ascii: "&")) }
            PercentEncoding.append(name, to: &body)
            body.append(UInt8(ascii: "="))
            PercentEncoding.append(value, to: &body)
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// The flattened `(key, value)` pairs before percent-encoding, in order.
    public static func pairs(_ parameters: StripeParameters) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for entry in parameters.entries { flatten(entry.value, key: entry.name, into: &pairs) }
        return pairs
    }

    private static func flatten(_ value: StripeParameter, key: String, into pairs: inout [(String, String)]) {
        switch value {
        case .string(let text): pairs.append((key, text))
        case .integer(let number): pairs.append((key, String(number)))
        case .boolean(let flag): pairs.append((key, flag ? "true" : "false"))
        case .object(let parameters):
            for entry in parameters.entries { flatten(entry.value, key: "\(key)[\(entry.name)]", into: &pairs) }
        case .list(let elements):
            let scalars = elements.allSatisfy {
                switch $0 {
                case .object, .list: false
                default: true
                }
            }
            for (index, element) in elements.enumerated() {
                flatten(element, key: scalars ? "\(key)[]" : "\(key)[\(index)]", into: &pairs)
            }
        }
    }
}
