import Foundation
import NIOCore
import NIOSSL
import SidecarCore

/// Sends through an SMTP submission server, on SwiftNIO: STARTTLS (587) or implicit TLS (465)
/// with certificate and hostname verification, `tls: none` only for local relays, AUTH PLAIN or
/// LOGIN after TLS, MIME built here, Bcc in the envelope only. 4xx replies are retried with
/// backoff; 5xx are not.
public struct SMTPEmailProvider: EmailProvider, RegisteredProvider {
    public enum TLSMode: String, Sendable, Encodable, CaseIterable {
        case starttls, implicit, none
    }

    /// `email.smtp`.
    public struct Configuration: ProviderConfiguration {
        public static let keys = [
            "host", "port", "tls", "username", "password", "ca_file", "helo_name", "timeout_seconds", "max_attempts",
            "pool_size", "idle_timeout_seconds",
        ]
        public var host: String
        public var port: Int
        public var tls: TLSMode
        public var username: String?
        public var password: SecretValue?
        public var caFile: String?
        public var heloName: String
        public var timeoutSeconds: Int
        public var maxAttempts: Int
        public var poolSize: Int
        public var idleTimeoutSeconds: Int

        public init?(from reader: ConfigReader) {
            let host = reader.string("host", required: true)
            let tlsText = reader.string("tls") ?? "starttls"
            let tls = TLSMode(rawValue: tlsText)
            if tls == nil { reader.problem("tls", "expected starttls, implicit or none, got `\(tlsText)`") }
            self.tls = tls ?? .starttls
            port = reader.int("port", default: self.tls == .implicit ? 465 : self.tls == .starttls ? 587 : 25, range: 1...65535)
            username = reader.string("username")
            password = reader.secret("password", required: username != nil)
            if username != nil, self.tls == .none {
                reader.problem("username", "credentials are never sent without TLS; set tls: starttls or implicit")
            }
            caFile = reader.string("ca_file")
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                reader.problem("ca_file", "cannot read \(caFile)")
            }
            heloName = reader.string("helo_name") ?? "sidecar.localdomain"
            timeoutSeconds = reader.int("timeout_seconds", default: 30, range: 1...600)
            maxAttempts = reader.int("max_attempts", default: 3, range: 1...10)
            poolSize = reader.int("pool_size", default: 4, range: 1...64)
            idleTimeoutSeconds = reader.int("idle_timeout_seconds", default: 30, range: 1...3600)
            guard let host else { return nil }
            self.host = host
        }

        enum CodingKeys: String, CodingKey {
            case host, port, tls, username, password, caFile = "ca_file", heloName = "helo_name"
            case timeoutSeconds = "timeout_seconds", maxAttempts = "max_attempts", poolSize = "pool_size"
            case idleTimeoutSeconds = "idle_timeout_seconds"
        }
    }

    public static let providerName = "smtp"
    public var name: String { Self.providerName }

    private let configuration: Configuration
    private let pool: SMTPConnectionPool
    private let retry: RetryPolicy

    public init(configuration: Configuration, context: ProviderContext) throws {
        self.configuration = configuration
        var tls: NIOSSLContext?
        if configuration.tls != .none {
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .fullVerification
            if let caFile = configuration.caFile {
                settings.additionalTrustRoots = [.file(caFile)]
            }
            do {
                tls = try NIOSSLContext(configuration: settings)
            } catch {
                throw SidecarError(.providerError, "smtp: cannot set up TLS with ca_file \(configuration.caFile ?? "-")", provider: Self.providerName)
            }
        }
        let context = tls
        self.pool = SMTPConnectionPool(maxConnections: configuration.poolSize, idleTimeout: .seconds(configuration.idleTimeoutSeconds)) {
            try await SMTPConnection.open(configuration, tls: context)
        }
        self.retry = RetryPolicy(maxAttempts: configuration.maxAttempts)
    }

    public func send(_ message: EmailMessage, idempotencyKey: String?) async throws -> EmailSendResult {
        let domain = message.from.address.split(separator: "@").last.map(String.init) ?? "sidecar.localdomain"
        let messageID = "\(UUID().uuidString.lowercased())@\(domain)"
        let data = MIMEEncoding.dotStuffed(MIMEMessageBuilder().build(message, messageID: messageID))
        let recipients = message.allRecipients.map(\.address)
        let needsUTF8 = !(recipients + [message.from.address]).allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }

        var attempt = 0
        while true {
            attempt += 1
            var dataSent = false
            var connection: SMTPConnection?
            do {
                let open = try await pool.checkout()
                connection = open
                _ = try await open.send(from: message.from.address, recipients: recipients, data: data, smtpUTF8: needsUTF8, dataSent: &dataSent)
                await pool.checkin(open, reusable: true)
                return EmailSendResult(id: messageID, provider: name)
            } catch {
                let failure = SMTPFailure(error, dataSent: dataSent)
                if let connection {
                    // A refused transaction leaves a healthy connection once reset.
                    let reusable = failure.leftConnectionUsable ? ((try? await connection.reset()) != nil) : false
                    await pool.checkin(connection, reusable: reusable)
                }
                guard failure.mayRetry, attempt < retry.maxAttempts else { throw failure.sidecarError }
                try await Task.sleep(for: retry.backoff(after: attempt))
            }
        }
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
