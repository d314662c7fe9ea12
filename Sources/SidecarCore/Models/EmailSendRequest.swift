import Foundation

/// The body of `POST /email/send` as the caller sends it, before validation.
public struct EmailSendRequest: Sendable, Decodable {
    public struct Attachment: Sendable, Decodable {
        public var filename: String
        public var contentBase64: String
        public var contentType: String?
        enum CodingKeys: String, CodingKey {
            case filename, contentBase64 = "content_base64", contentType = "content_type"
        }
    }

    public var from: String?
    public var to: StringOrList?
    public var cc: StringOrList?
    public var bcc: StringOrList?
    public var replyTo: StringOrList?
    public var subject: String?
    public var html: String?
    public var text: String?
    public var attachments: [Attachment]?
    public var headers: [String: String]?
    public var tags: [String: String]?

    enum CodingKeys: String, CodingKey {
        case from, to, cc, bcc, replyTo = "reply_to", subject, html, text, attachments, headers, tags
    }
}

/// The body of `POST /email/batch`.
public struct EmailBatchRequest: Sendable, Decodable {
    public var messages: [JSONValue]
}

/// Limits every message is checked against before any vendor is called.
public struct EmailLimits: Sendable {
    /// To + cc + bcc.
    public var maxRecipients = 50
    /// The decoded size of all attachments together.
    public var maxAttachmentBytes = 40 * 1024 * 1024
    public var maxSubjectLength = 998
    public var maxBatchSize = 100

    public init() {}
}

extension EmailSendRequest {
    /// Headers the unified fields own; callers set them through those fields.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "content-type",
        "content-transfer-encoding", "mime-version",
    ]

    /// Validates every field and builds the message; all problems are reported together, each
    /// naming its field (prefixed with `fieldPrefix`, e.g. `messages[2].`).
    public func validated(defaultFrom: String?, limits: EmailLimits = EmailLimits(), fieldPrefix: String = "") throws(SidecarError) -> EmailMessage {
        var problems = FieldProblems(fieldPrefix: fieldPrefix)
        func problem(_ field: String, _ message: String) { problems.add(field, message) }

        func addresses(_ field: String, _ list: StringOrList?) -> [EmailAddress] {
            var result: [EmailAddress] = []
            for (index, text) in (list?.values ?? []).enumerated() {
                let name = list?.wasList == true ? "\(field)[\(index)]" : field
                if let address = EmailAddress(parsing: text) {
                    result.append(address)
                } else {
                    problem(name, "`\(text.prefix(200))` is not a valid email address")
                }
            }
            return result
        }

        var sender: EmailAddress?
        if let fromText = from ?? defaultFrom {
            sender = EmailAddress(parsing: fromText)
            if sender == nil { problem("from", "`\(fromText.prefix(200))` is not a valid email address") }
        } else {
            problem("from", "is required (no default sender is configured in email.from)")
        }
        let to = addresses("to", self.to)
        let cc = addresses("cc", self.cc)
        let bcc = addresses("bcc", self.bcc)
        let replyTo = addresses("reply_to", self.replyTo)
        if (self.to?.values ?? []).isEmpty { problem("to", "at least one recipient is required") }
        if to.count + cc.count + bcc.count > limits.maxRecipients {
            problem("to", "at most \(limits.maxRecipients) recipients (to, cc and bcc together) per message")
        }

        let subject = self.subject ?? ""
        if subject[...].trimmingWhitespace().isEmpty { problem("subject", "is required") }
        if subject.count > limits.maxSubjectLength { problem("subject", "at most \(limits.maxSubjectLength) characters") }
        if subject.containsLineBreak { problem("subject", "must not contain line breaks") }
        if (html ?? "").isEmpty, (text ?? "").isEmpty { problem("html", "at least one of html or text is required") }

        var decoded: [EmailAttachment] = []
        var attachmentBytes = 0
        for (index, attachment) in (attachments ?? []).enumerated() {
            let field = "attachments[\(index)]"
            if attachment.filename.isEmpty || attachment.filename.contains(where: { $0 == "/" || $0 == "\\" || $0.isNewline }) {
                problem("\(field).filename", "must be a plain file name")
            }
            guard let bytes = Data(base64Encoded: attachment.contentBase64, options: .ignoreUnknownCharacters), !attachment.contentBase64.isEmpty else {
                problem("\(field).content_base64", "is not valid base64")
                continue
            }
            attachmentBytes += bytes.count
            decoded.append(EmailAttachment(
                filename: attachment.filename, content: Array(bytes),
                contentType: attachment.contentType ?? "application/octet-stream"))
        }
        if attachmentBytes > limits.maxAttachmentBytes {
            problem("attachments", "at most \(limits.maxAttachmentBytes) bytes in all, got \(attachmentBytes)")
        }

        var headerList: [(name: String, value: String)] = []
        for (name, value) in (headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            if name.isEmpty || !name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" }) {
                problem("headers.\(name)", "is not a valid header name")
            } else if Self.reservedHeaders.contains(name.lowercased()) {
                problem("headers.\(name)", "is set by the message fields, not by headers")
            } else if value.containsLineBreak {
                problem("headers.\(name)", "must not contain line breaks")
            } else {
                headerList.append((name, value))
            }
        }
        for (name, value) in tags ?? [:] where name.isEmpty || name.count > 256 || value.count > 256 {
            problem("tags.\(name)", "names and values must be 1 to 256 characters")
        }

        try problems.check()
        guard let sender else { throw .invalidRequest("\(fieldPrefix)from: is required") }
        return EmailMessage(
            from: sender, to: to, cc: cc, bcc: bcc, replyTo: replyTo, subject: subject,
            html: html.flatMap { $0.isEmpty ? nil : $0 }, text: text.flatMap { $0.isEmpty ? nil : $0 },
            attachments: decoded, headers: headerList, tags: tags ?? [:])
    }
}

extension String {
    /// Whether the text holds a CR or LF anywhere (checked on scalars: `"\r\n"` is one Character).
    var containsLineBreak: Bool {
        unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }
}
