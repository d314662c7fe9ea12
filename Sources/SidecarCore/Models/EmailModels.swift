/// An email address with an optional display name: `Acme <noreply@acme.test>` or `a@b.test`.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `addr` or `Name <addr>`; `nil` when the address is not a plausible mailbox.
    public init?(parsing text: String) {
        // String (not Substring) for the checks below: String's own hasSuffix and lastIndex are faster.
        let trimmed = String(text[...].trimmingWhitespace())
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let display = String(trimmed[..<open].trimmingWhitespace())
            let unquoted = display.hasPrefix("\""), closing = display.hasSuffix("\"")
            name = (unquoted && closing && display.count >= 2) ? String(display.dropFirst().dropLast()) : display
            if name?.isEmpty == true { name = nil }
        }
        guard Self.isPlausible(address), name.map({ !$0.contains(where: \.isNewline) }) ?? true else { return nil }
        self.name = name
        self.address = address
    }

    /// `local@domain.tld` with no spaces, control characters, or a second `@`; checked on the
    /// UTF-8 bytes in one pass (every byte this refuses is ASCII, so multi-byte characters pass).
    static func isPlausible(_ address: String) -> Bool {
        let bytes = address.utf8
        guard bytes.count <= 254 else { return false }
        var at: String.UTF8View.Index?
        var previous: UInt8 = 0
        var domainHasDot = false
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), UInt8(ascii: ";"):
                return false
            case UInt8(ascii: "@"):
                guard at == nil else { return false }
                at = index
            case UInt8(ascii: "."):
                if at != nil {
                    // A dot right after the `@` or after another dot in the domain.
                    if previous == UInt8(ascii: "@") || previous == UInt8(ascii: ".") { return false }
                    domainHasDot = true
                }
            default: break
            }
            previous = byte
        }
        guard let at, at != bytes.startIndex, domainHasDot, previous != UInt8(ascii: ".") else { return false }
        let local = address[..<at]
        return local.utf8.count <= 64 || local.count <= 64
    }

    /// The RFC 5322 form: `"Name" <addr>` or `addr`.
    public var description: String {
        guard let name else { return address }
        let needsQuotes = name.contains { ",;:<>@\"()[]\\.".contains($0) }
        return needsQuotes ? "\"\(name.replacingOccurrences(of: "\"", with: "\\\""))\" <\(address)>" : "\(name) <\(address)>"
    }
}

/// An attachment with its bytes decoded from the request's base64.
public struct EmailAttachment: Sendable, Hashable {
    public var filename: String
    public var content: [UInt8]
    public var contentType: String

    public init(filename: String, content: [UInt8], contentType: String) {
        self.filename = filename
        self.content = content
        self.contentType = contentType
    }
}

/// A validated message, ready for any email provider.
public struct EmailMessage: Sendable, Hashable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    public var bcc: [EmailAddress]
    public var replyTo: [EmailAddress]
    public var subject: String
    public var html: String?
    public var text: String?
    public var attachments: [EmailAttachment]
    /// Extra headers, in the caller's order.
    public var headers: [(name: String, value: String)]
    public var tags: [String: String]

    public init(
        from: EmailAddress, to: [EmailAddress], cc: [EmailAddress] = [], bcc: [EmailAddress] = [],
        replyTo: [EmailAddress] = [], subject: String, html: String? = nil, text: String? = nil,
        attachments: [EmailAttachment] = [], headers: [(name: String, value: String)] = [], tags: [String: String] = [:]
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.html = html
        self.text = text
        self.attachments = attachments
        self.headers = headers
        self.tags = tags
    }

    public static func == (lhs: EmailMessage, rhs: EmailMessage) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.cc == rhs.cc && lhs.bcc == rhs.bcc && lhs.replyTo == rhs.replyTo
            && lhs.subject == rhs.subject && lhs.html == rhs.html && lhs.text == rhs.text && lhs.attachments == rhs.attachments
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
            && lhs.tags == rhs.tags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(to)
        hasher.combine(subject)
    }

    /// Every recipient, envelope included.
    public var allRecipients: [EmailAddress] { to + cc + bcc }
}

/// What a provider answers for one sent message.
public struct EmailSendResult: Sendable, Hashable, Codable {
    /// The vendor's message id where it gives one.
    public var id: String
    public var provider: String
    public var status: String

    public init(id: String, provider: String, status: String = "sent") {
        self.id = id
        self.provider = provider
        self.status = status
    }
}

import Foundation
