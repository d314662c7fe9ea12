import Foundation

/// Where deliveries go, parsed from `webhooks.deliver_to`: an `http(s)://` URL, or
/// `unix:///path/app.sock:/webhooks` (the application's socket and the path on it), which
/// AsyncHTTPClient reaches with its `http+unix` scheme.
public struct WebhookDeliveryTarget: Sendable, Hashable {
    /// The URL handed to the HTTP client.
    public let url: String

    public init?(_ text: String) {
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            guard URL(string: text)?.host != nil else { return nil }
            url = text
            return
        }
        guard text.hasPrefix("unix://") else { return nil }
        let rest = text.dropFirst("unix://".count)
        let socket: Substring, path: Substring
        if let separator = rest.range(of: ":/", options: .backwards) {
            socket = rest[..<separator.lowerBound]
            path = rest[rest.index(before: separator.upperBound)...]
        } else {
            socket = rest
            path = "/"
        }
        guard socket.hasPrefix("/"), socket.count > 1 else { return nil }
        let encoded = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? String(socket)
        url = "http+unix://\(encoded)\(path)"
    }
}
