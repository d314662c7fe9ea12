import Foundation
import SidecarCore
import Testing

/// One email provider with the peer it is checked against.
struct EmailTarget: Sendable, CustomTestStringConvertible {
    /// A configured provider: its YAML block, and how to read what reached its peer.
    struct Prepared: Sendable {
        var block: String
        var delivered: @Sendable (CapturedLines) async throws -> [DeliveredEmail]
    }

    /// The provider name the daemon answers with.
    var name: String
    var label: String? = nil
    var available: Bool
    var prepare: @Sendable () async throws -> Prepared

    var testDescription: String { label ?? name }

    static let console = EmailTarget(name: "console", available: true) {
        Prepared(block: "provider: console") { captured in
            try captured.all.map { try JSONDecoder().decode(DeliveredEmail.self, from: Data($0.utf8)) }
        }
    }

    static let resend = EmailTarget(name: "resend", available: Peers.resend != nil) {
        let fake = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "re_conformance_\(UUID().uuidString.prefix(8))")
        return Prepared(block: "provider: resend\n  resend:\n    api_key: \(fake.apiKey)\n    base_url: \(fake.baseURL)") { _ in
            try await fake.messages()
        }
    }

    static let sendgrid = EmailTarget(name: "sendgrid", available: Peers.sendgrid != nil) {
        let fake = try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.conformance.\(UUID().uuidString.prefix(8))")
        return Prepared(block: "provider: sendgrid\n  sendgrid:\n    api_key: \(fake.apiKey)\n    base_url: \(fake.baseURL)") { _ in
            try await fake.messages()
        }
    }

    static func smtp(implicitTLS: Bool) -> EmailTarget {
        EmailTarget(name: "smtp", label: implicitTLS ? "smtp (implicit TLS)" : "smtp (STARTTLS)", available: Peers.smtp != nil) {
            let peer = Peers.smtp!
            let fake = try await FakeVendorNamespace.create(at: peer.control, apiKey: "pw-\(UUID().uuidString.prefix(8))")
            let block = """
                provider: smtp
                  smtp:
                    host: localhost
                    port: \(implicitTLS ? peer.implicitPort : peer.startTLSPort)
                    tls: \(implicitTLS ? "implicit" : "starttls")
                    username: \(fake.name)
                    password: \(fake.apiKey)
                    ca_file: \(peer.caFile)
                """
            return Prepared(block: block) { _ in try await fake.messages() }
        }
    }

    static let all: [EmailTarget] = [.console, .resend, .sendgrid, .smtp(implicitTLS: false), .smtp(implicitTLS: true)]
}

/// The email conformance suite: written once, run against every provider and its peer.
@Suite("Email conformance")
struct EmailConformanceTests {
    /// Runs `body` against a daemon whose email family is `target`'s provider.
    static func withTarget(
        _ target: EmailTarget, _ body: @Sendable (SocketClient, @Sendable () async throws -> [DeliveredEmail]) async throws -> Void
    ) async throws {
        let prepared = try await target.prepare()
        try await LiveDaemon.run(config: { directory in
            """
            listen:
              socket: \(directory.socket)
            store:
              sqlite: \(directory.path)/sidecar.db
            email:
              from: "Acme <noreply@acme.test>"
              \(prepared.block)
            """
        }) { client, captured, _ in
            try await body(client) { try await prepared.delivered(captured) }
        }
    }

    static let binary = Data((0...255).map { UInt8($0) } + [0, 13, 10, 46, 13, 10])
    static let richMessage = """
        {"to": ["Ada Lovelace <ada@example.com>", "bob@example.com"], "cc": ["carol@example.com"],
         "bcc": ["dave@example.com"], "reply_to": "help@acme.test",
         "subject": "Grüße — your receipt ✓",
         "text": "Hello Ada,\\n.a line starting with a dot\\n\\nBye ✓",
         "html": "<p>Hello <b>Ada</b> ✓</p>",
         "attachments": [
           {"filename": "receipt.pdf", "content_base64": "\(binary.base64EncodedString())", "content_type": "application/pdf"},
           {"filename": "Übersicht März.txt", "content_base64": "\(Data("Grüße\n".utf8).base64EncodedString())", "content_type": "text/plain"}],
         "headers": {"X-Campaign": "spring-1"}, "tags": {"kind": "receipt"}}
        """

    static func sha256(_ data: Data) -> String {
        SHA256Hex.of(Array(data))
    }

    @Test(arguments: EmailTarget.all)
    func richMessageArrivesIntact(target: EmailTarget) async throws {
        guard target.available else { return }
        try await Self.withTarget(target) { client, delivered in
            let response = try await client.post("/email/send", Self.richMessage)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?["provider"] == .string(target.name))
            #expect(response.json?["status"] == .string("sent"))
            #expect(response.json?["id"]?.stringValue?.isEmpty == false)

            let messages = try await delivered()
            try #require(messages.count == 1, "\(messages)")
            let message = messages[0]
            #expect(message.from == "Acme <noreply@acme.test>")
            #expect(message.to == ["Ada Lovelace <ada@example.com>", "bob@example.com"])
            #expect(message.cc == ["carol@example.com"])
            #expect(message.bcc == ["dave@example.com"])
            #expect(message.replyTo == ["help@acme.test"])
            #expect(message.subject == "Grüße — your receipt ✓")
            #expect(message.text?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines)
                == "Hello Ada,\n.a line starting with a dot\n\nBye ✓")
            #expect(message.html?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines) == "<p>Hello <b>Ada</b> ✓</p>")
            #expect(message.headers["X-Campaign"] == "spring-1")
            #expect(message.tags["kind"] == "receipt")
            try #require(message.attachments.count == 2)
            let (pdf, notes) = (message.attachments[0], message.attachments[1])
            #expect(pdf.filename == "receipt.pdf")
            #expect(pdf.contentType == "application/pdf")
            #expect(notes.filename == "Übersicht März.txt")
            #expect(notes.contentType == "text/plain")
            if let sha = pdf.sha256 { #expect(sha == Self.sha256(Self.binary)) }
            if let sha = notes.sha256 { #expect(sha == Self.sha256(Data("Grüße\n".utf8))) }
            if let size = pdf.size { #expect(size == Self.binary.count) }
        }
    }

    @Test(arguments: EmailTarget.all)
    func batchSendsTheGoodAndReportsTheBad(target: EmailTarget) async throws {
        guard target.available else { return }
        try await Self.withTarget(target) { client, delivered in
            let response = try await client.post("/email/batch", """
                {"messages": [
                  {"to": "one@example.com", "subject": "One", "text": "1"},
                  {"to": "broken", "subject": "Two", "text": "2"},
                  {"to": "three@example.com", "subject": "Three", "text": "3"}]}
                """)
            #expect(response.status == 200, "\(response.text)")
            guard case .array(let results) = response.json?["results"] else {
                Issue.record("no results: \(response.text)")
                return
            }
            #expect(results.map { $0["index"] } == [.number(0), .number(1), .number(2)])
            #expect(results[0]["status"] == .string("sent"))
            #expect(results[0]["provider"] == .string(target.name))
            #expect(results[1]["error"]?["code"] == .string("invalid_request"))
            #expect(results[2]["status"] == .string("sent"))
            let messages = try await delivered()
            #expect(Set(messages.map(\.subject)) == ["One", "Three"])
            #expect(Set(messages.flatMap(\.to)) == ["one@example.com", "three@example.com"])
        }
    }

    @Test(arguments: EmailTarget.all)
    func idempotentRepeatSendsOnce(target: EmailTarget) async throws {
        guard target.available else { return }
        try await Self.withTarget(target) { client, delivered in
            let body = #"{"to": "once@example.com", "subject": "Once", "text": "only once"}"#
            let first = try await client.post("/email/send", body, headers: [("Idempotency-Key", "conformance-1")])
            let second = try await client.post("/email/send", body, headers: [("Idempotency-Key", "conformance-1")])
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.json?["id"] == second.json?["id"])
            #expect(try await delivered().count == 1)
        }
    }

    @Test(arguments: EmailTarget.all)
    func invalidInputReachesNoVendor(target: EmailTarget) async throws {
        guard target.available else { return }
        try await Self.withTarget(target) { client, delivered in
            let response = try await client.post("/email/send", #"{"to": "x@example.com", "subject": "s"}"#)
            #expect(response.status == 400)
            #expect(response.errorMessage == "html: at least one of html or text is required")
            let injection = try await client.post("/email/send", #"{"to": "x@example.com", "subject": "s\r\nBcc: evil@example.com", "text": "t"}"#)
            #expect(injection.status == 400)
            #expect(try await delivered().isEmpty)
        }
    }
}

import Crypto

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}
