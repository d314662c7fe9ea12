import Foundation
import SidecarCore
import Testing

/// The SMTP provider against aiosmtpd: TLS, AUTH, what the wire carried, retries and refusals.
@Suite("SMTP provider", .enabled(if: Peers.smtp != nil))
struct SMTPProviderTests {
    static let body = #"{"to": "a@example.com", "bcc": ["hidden@example.com"], "subject": "Hi", "text": "Hello"}"#

    static func run(
        inject: [[String: JSONValue]] = [], settings: @escaping @Sendable (Peers.SMTP, FakeVendorNamespace) -> String,
        _ body: @Sendable (SocketClient, FakeVendorNamespace) async throws -> Void
    ) async throws {
        let peer = try #require(Peers.smtp)
        let namespace = try await FakeVendorNamespace.create(at: peer.control, apiKey: "pw-\(UUID().uuidString.prefix(8))", inject: inject)
        try await LiveDaemon.run(config: { directory in
            LiveDaemon.config(directory).replacingOccurrences(of: "provider: console", with: "provider: smtp\n  smtp:\n" + settings(peer, namespace))
        }) { client, _, _ in try await body(client, namespace) }
    }

    static func standard(_ peer: Peers.SMTP, _ namespace: FakeVendorNamespace) -> String {
        """
            host: localhost
            port: \(peer.startTLSPort)
            username: \(namespace.name)
            password: \(namespace.apiKey)
            ca_file: \(peer.caFile)
        """
    }

    @Test func wireCarriesTLSAuthAndAnEnvelopeOnlyBcc() async throws {
        try await Self.run(settings: Self.standard) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            for _ in 0..<3 { #expect(try await client.post("/email/send", Self.body).status == 200) }
            let requests = try await namespace.requests()
            try #require(requests.count == 3)
            for request in requests {
                #expect(request["tls"] == .bool(true))
                #expect(request["auth_mechanisms"]?.stringValue == nil)
                #expect(request["rcpt_tos"] == .array([.string("a@example.com"), .string("hidden@example.com")]))
                #expect(request["mail_from"] == .string("noreply@acme.test"))
                let raw = try #require(request["raw"]?.stringValue)
                #expect(!raw.lowercased().contains("bcc"))
                #expect(raw.split(separator: "\n").allSatisfy { $0.utf8.count <= 998 })
            }
            guard case .array(let mechanisms) = requests[0]["auth_mechanisms"] else { return }
            #expect(mechanisms.first == .string("PLAIN"))
            // One connection carried all three messages.
            #expect(Set(requests.map { $0["session"] }).count == 1)
            let messages = try await namespace.messages()
            #expect(messages.allSatisfy { $0.bcc == ["hidden@example.com"] })
        }
    }

    @Test func transientReplyIsRetried() async throws {
        try await Self.run(inject: [["reply": .string("451 4.3.0 Try again later")]], settings: Self.standard) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 200)
            #expect(try await namespace.requests().count == 2)
            #expect(try await namespace.messages().count == 1)
        }
    }

    @Test func permanentReplyIsNotRetried() async throws {
        try await Self.run(inject: [["reply": .string("554 5.7.1 Message refused by policy")]], settings: Self.standard) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorCode == "provider_error")
            #expect(response.json?["error"]?["provider_status"] == .number(554))
            #expect(response.errorMessage == "smtp refused DATA: 554 5.7.1 Message refused by policy")
            #expect(try await namespace.requests().count == 1)
            // The connection stays usable for the next message.
            #expect(try await client.post("/email/send", Self.body).status == 200)
        }
    }

    @Test func wrongPasswordIsAProviderErrorWithoutTheSecret() async throws {
        try await Self.run(settings: { peer, namespace in
            Self.standard(peer, namespace).replacingOccurrences(of: namespace.apiKey, with: "canary-wrong-password-31")
        }) { client, _ in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorMessage?.hasPrefix("smtp refused the configured credentials: 535") == true)
            #expect(!response.text.contains("canary-wrong-password-31"))
        }
    }

    @Test func implicitTLS() async throws {
        try await Self.run(settings: { peer, namespace in
            Self.standard(peer, namespace).replacingOccurrences(of: "port: \(peer.startTLSPort)", with: "port: \(peer.implicitPort)\n    tls: implicit")
        }) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            #expect(try await client.post("/email/send", Self.body).status == 200)
            #expect(try await namespace.messages().count == 1)
        }
    }

    @Test func untrustedCertificateIsRefused() async throws {
        try await Self.run(settings: { peer, namespace in
            Self.standard(peer, namespace).replacingOccurrences(of: "    ca_file: \(peer.caFile)", with: "")
        }) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorMessage?.contains("TLS handshake failed") == true, "\(response.text)")
            #expect(try await namespace.requests().isEmpty)
        }
    }

    @Test func certificateForAnotherHostIsRefused() async throws {
        // The peer's certificate names `localhost`; reaching it as 127.0.0.1 must fail verification.
        try await Self.run(settings: { peer, namespace in
            Self.standard(peer, namespace).replacingOccurrences(of: "host: localhost", with: "host: 127.0.0.1")
        }) { (client: SocketClient, namespace: FakeVendorNamespace) async throws in
            let response = try await client.post("/email/send", Self.body)
            #expect(response.status == 502)
            #expect(response.errorMessage?.contains("TLS handshake failed") == true, "\(response.text)")
            #expect(try await namespace.requests().isEmpty)
        }
    }

    @Test func credentialsWithoutTLSAreAConfigError() throws {
        let problems: [String]
        do {
            _ = try ConfigLoader(registry: .standard, resolver: SecretReferenceResolver(environment: [:])).load(yaml: """
                email:
                  provider: smtp
                  smtp:
                    host: relay.internal
                    tls: none
                    username: app
                    password: secret
                """)
            problems = []
        } catch {
            problems = error.problems.map(\.description)
        }
        #expect(problems == ["email.smtp.username: credentials are never sent without TLS; set tls: starttls or implicit (line 6)"])
    }
}

import SidecarServer
