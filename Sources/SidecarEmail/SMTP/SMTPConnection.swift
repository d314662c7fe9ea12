import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SidecarCore

/// One connection to an SMTP submission server: greeting, EHLO, STARTTLS or implicit TLS,
/// AUTH PLAIN/LOGIN, and mail transactions. Every command waits for its reply with a deadline;
/// a connection that timed out or failed is closed and never reused.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPReplyHandler>
    private let timeout: TimeAmount
    /// Extensions from the last EHLO (upper-cased keywords → parameters).
    let capabilities: [String: String]
    let isEncrypted: Bool

    private init(channel: any Channel, handler: NIOLoopBound<SMTPReplyHandler>, timeout: TimeAmount, capabilities: [String: String], isEncrypted: Bool) {
        self.channel = channel
        self.handler = handler
        self.timeout = timeout
        self.capabilities = capabilities
        self.isEncrypted = isEncrypted
    }

    var isActive: Bool { channel.isActive }

    /// Connects, reads the greeting, says EHLO, upgrades to TLS as configured and authenticates.
    static func open(_ settings: SMTPEmailProvider.Configuration, tls: NIOSSLContext?) async throws -> SMTPConnection {
        let timeout = TimeAmount.seconds(Int64(settings.timeoutSeconds))
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let implicit = settings.tls == .implicit
        let host = settings.host
        // An IP literal cannot go in SNI; NIOSSL then checks the certificate against the address.
        let serverHostname = host.contains(":") || host.split(separator: ".").allSatisfy({ Int($0) != nil }) ? nil : host
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
            .connect(host: host, port: settings.port).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        var connection = SMTPConnection(channel: channel, handler: handler, timeout: timeout, capabilities: [:], isEncrypted: implicit)
        do {
            try await connection.expect(220, after: nil)
            connection = try await connection.hello(settings.heloName, encrypted: implicit)
            if settings.tls == .starttls {
                guard connection.capabilities["STARTTLS"] != nil, let tls else {
                    throw SMTPProtocolError.refused("the server does not offer STARTTLS; refusing to continue without TLS", code: nil)
                }
                try await connection.expect(220, after: "STARTTLS")
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: tls, serverHostname: serverHostname), position: .first)
                }.get()
                // RFC 3207: forget everything learned before TLS and say EHLO again.
                connection = try await connection.hello(settings.heloName, encrypted: true)
            }
            if let username = settings.username, let password = settings.password {
                guard connection.isEncrypted else {
                    throw SMTPProtocolError.refused("credentials are never sent without TLS", code: nil)
                }
                try await connection.authenticate(username: username, password: password)
            }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    private func hello(_ name: String, encrypted: Bool) async throws -> SMTPConnection {
        let reply = try await command("EHLO \(name)")
        guard reply.code == 250 else { throw SMTPProtocolError.rejected(step: "EHLO", reply: reply) }
        var capabilities: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            capabilities[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return SMTPConnection(channel: channel, handler: handler, timeout: timeout, capabilities: capabilities, isEncrypted: encrypted)
    }

    private func authenticate(username: String, password: SecretValue) async throws {
        let mechanisms = Set((capabilities["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
        let reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            let token = password.withRevealedValue { Data(([0] + Array(username.utf8) + [0] + Array($0.utf8))).base64EncodedString() }
            reply = try await command("AUTH PLAIN \(token)")
        } else if mechanisms.contains("LOGIN") {
            try await expect(334, after: "AUTH LOGIN")
            try await expect(334, after: Data(username.utf8).base64EncodedString())
            reply = try await command(password.withRevealedValue { Data($0.utf8).base64EncodedString() })
        } else {
            throw SMTPProtocolError.refused("the server offers neither AUTH PLAIN nor AUTH LOGIN", code: nil)
        }
        guard reply.code == 235 else { throw SMTPProtocolError.rejected(step: "AUTH", reply: reply) }
    }

    /// One mail transaction; answers the server's final reply text (often its queue id).
    /// `dataSent` becomes true once the final dot was written, after which a failure may
    /// mean the message was accepted, so it must not be repeated.
    func send(from: String, recipients: [String], data: [UInt8], smtpUTF8: Bool, dataSent: inout Bool) async throws -> String {
        var mailFrom = "MAIL FROM:<\(from)>"
        if capabilities["SIZE"] != nil { mailFrom += " SIZE=\(data.count)" }
        if smtpUTF8 {
            guard capabilities["SMTPUTF8"] != nil else {
                throw SMTPProtocolError.refused("an address is not ASCII and the server does not offer SMTPUTF8", code: nil)
            }
            mailFrom += " SMTPUTF8"
        }
        try await expect(250, after: mailFrom, step: "MAIL FROM")
        for recipient in recipients {
            let reply = try await command("RCPT TO:<\(recipient)>")
            guard reply.code == 250 || reply.code == 251 else {
                throw SMTPProtocolError.recipientRejected(recipient, reply: reply)
            }
        }
        try await expect(354, after: "DATA")
        channel.write(ByteBuffer(bytes: data), promise: nil)
        dataSent = true
        let reply = try await command(nil)
        guard reply.code == 250 else { throw SMTPProtocolError.rejected(step: "DATA", reply: reply) }
        return reply.text
    }

    /// Ends the transaction state so the connection can carry another message.
    func reset() async throws {
        try await expect(250, after: "RSET")
    }

    func quit() async {
        _ = try? await command("QUIT")
        close()
    }

    func close() {
        channel.close(promise: nil)
    }

    // MARK: Commands

    private func expect(_ code: Int, after line: String?, step: String? = nil) async throws {
        let reply = try await command(line)
        guard reply.code == code else { throw SMTPProtocolError.rejected(step: step ?? line?.split(separator: " ").first.map(String.init) ?? "greeting", reply: reply) }
    }

    /// Writes `line` (if any) with CRLF and waits for the next reply within the deadline.
    private func command(_ line: String?) async throws -> SMTPReply {
        let handler = self.handler
        let channel = self.channel
        if let line { channel.write(ByteBuffer(string: line + "\r\n"), promise: nil) }
        channel.flush()
        let timeout = self.timeout
        let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<SMTPReply> in
            let reply = handler.value.nextReply(eventLoop: channel.eventLoop)
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                channel.pipeline.fireErrorCaught(SMTPTransportError.timedOut)
            }
            reply.whenComplete { _ in timer.cancel() }
            return reply
        }
        return try await future.get()
    }
}

/// A server reply that ends a send.
enum SMTPProtocolError: Error {
    case rejected(step: String, reply: SMTPReply)
    case recipientRejected(String, reply: SMTPReply)
    case refused(String, code: Int?)
}
