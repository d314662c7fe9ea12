import Foundation
import SidecarCore

/// Prints each message as one JSON line on standard output instead of sending it: the embedded
/// default, for development with no vendor account. Attachments are summarised by name, type
/// and size; bodies are printed so a developer can read the mail.
public struct ConsoleEmailProvider: EmailProvider, RegisteredProvider {
    /// `email.console` — the block may be absent.
    public struct Configuration: ProviderConfiguration {
        public static let keys = ["include_bodies"]
        /// Whether `html` and `text` are printed (default true).
        public var includeBodies: Bool

        public init?(from reader: ConfigReader) {
            includeBodies = reader.bool("include_bodies", default: true)
        }

        enum CodingKeys: String, CodingKey { case includeBodies = "include_bodies" }
    }

    public static let providerName = "console"
    public var name: String { Self.providerName }
    private let configuration: Configuration
    private let console: LineWriter

    public init(configuration: Configuration, context: ProviderContext) {
        self.configuration = configuration
        self.console = context.console
    }

    public func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult {
        let id = "console_" + UUID().uuidString.lowercased()
        console.write(ConsoleLine(id: id, message: message, includeBodies: configuration.includeBodies).json)
        return EmailSendResult(id: id, provider: name)
    }
}

/// The printed form of one message.
struct ConsoleLine: Encodable {
    struct Attachment: Encodable {
        var filename: String
        var contentType: String
        var size: Int
        enum CodingKeys: String, CodingKey { case filename, contentType = "content_type", size }
    }

    var event = "email.sent"
    var provider = "console"
    var id: String
    var from: String
    var to: [String]
    var cc: [String]
    var bcc: [String]
    var replyTo: [String]
    var subject: String
    var text: String?
    var html: String?
    var attachments: [Attachment]
    var headers: [String: String]
    var tags: [String: String]

    enum CodingKeys: String, CodingKey {
        case event, provider, id, from, to, cc, bcc, replyTo = "reply_to", subject, text, html, attachments, headers, tags
    }

    init(id: String, message: EmailMessage, includeBodies: Bool) {
        self.id = id
        from = message.from.description
        to = message.to.map(\.description)
        cc = message.cc.map(\.description)
        bcc = message.bcc.map(\.description)
        replyTo = message.replyTo.map(\.description)
        subject = message.subject
        text = includeBodies ? message.text : nil
        html = includeBodies ? message.html : nil
        attachments = message.attachments.map { Attachment(filename: $0.filename, contentType: $0.contentType, size: $0.content.count) }
        headers = Dictionary(message.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        tags = message.tags
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return #"{"event":"email.sent","error":"unencodable"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
