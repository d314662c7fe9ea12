import AsyncHTTPClient
import Foundation
import NIOCore
import SidecarCore
import Testing

/// The test peers that scripts/test.sh starts, found through `SIDECAR_TEST_*` variables.
///
/// A test that needs a peer is enabled when its variable is set. scripts/test.sh also sets
/// `SIDECAR_REQUIRE_PEERS=1`, and then ``PeerAvailabilityTests`` fails for any missing peer, so
/// CI can never skip those tests silently.
enum Peers {
    static let environment = ProcessInfo.processInfo.environment
    static let all = [
        "SIDECAR_TEST_RESEND_URL", "SIDECAR_TEST_SENDGRID_URL", "SIDECAR_TEST_SMTP_CONTROL_URL", "SIDECAR_TEST_SMTP_STARTTLS_PORT",
        "SIDECAR_TEST_SMTP_IMPLICIT_PORT", "SIDECAR_TEST_SMTP_CA_FILE",
        "SIDECAR_TEST_PYTHON", "SIDECAR_TEST_PEER_SCRIPTS", "SIDECAR_TEST_S3_ENDPOINT", "SIDECAR_TEST_S3_ACCESS_KEY_ID",
        "SIDECAR_TEST_S3_SECRET_ACCESS_KEY", "SIDECAR_TEST_GCS_ENDPOINT", "SIDECAR_TEST_GCS_CREDENTIALS",
        "SIDECAR_TEST_GCS_TOKEN_STATS", "SIDECAR_TEST_GCS_EMULATOR_LOG", "SIDECAR_TEST_STRIPE_URL",
    ]

    static var resend: String? { environment["SIDECAR_TEST_RESEND_URL"] }
    static var sendgrid: String? { environment["SIDECAR_TEST_SENDGRID_URL"] }
    /// The Stripe front (scripts/peers/fake_stripe.py) over localstripe.
    static var stripe: String? { environment["SIDECAR_TEST_STRIPE_URL"] }

    /// The aiosmtpd peer: its control URL, ports and the CA file of its certificate (for `localhost`).
    struct SMTP: Sendable {
        var control: String
        var startTLSPort: String
        var implicitPort: String
        var caFile: String
    }

    static var smtp: SMTP? {
        guard let control = environment["SIDECAR_TEST_SMTP_CONTROL_URL"], let startTLS = environment["SIDECAR_TEST_SMTP_STARTTLS_PORT"],
              let implicit = environment["SIDECAR_TEST_SMTP_IMPLICIT_PORT"], let ca = environment["SIDECAR_TEST_SMTP_CA_FILE"]
        else { return nil }
        return SMTP(control: control, startTLSPort: startTLS, implicitPort: implicit, caFile: ca)
    }
    static var required: Bool { environment["SIDECAR_REQUIRE_PEERS"] == "1" }
}

@Suite("Test peers")
struct PeerAvailabilityTests {
    @Test(.enabled(if: Peers.required, "only when scripts/test.sh runs the suite"))
    func everyPeerIsRunning() {
        for name in Peers.all {
            #expect(Peers.environment[name] != nil, "\(name) is not set: scripts/test.sh did not start that peer")
        }
    }
}

/// One namespace of a vendor fake (scripts/peers/fakebase.py): its own API key, injected
/// failures, and the calls it received.
struct FakeVendorNamespace: Sendable {
    let root: String
    let name: String
    let apiKey: String

    /// Registers a fresh namespace; `inject` lists failures the fake answers first, in order.
    static func create(at root: String, apiKey: String, inject: [[String: JSONValue]] = []) async throws -> FakeVendorNamespace {
        let name = "t" + UUID().uuidString.prefix(12).lowercased()
        let config: JSONValue = .object(["api_key": .string(apiKey), "inject": .array(inject.map { .object($0) })])
        var request = HTTPClientRequest(url: "\(root)/_ns/\(name)")
        request.method = .POST
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(config)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        return FakeVendorNamespace(root: root, name: name, apiKey: apiKey)
    }

    /// Makes the fake demand another key from now on (the namespace starts afresh).
    func replaceKey(with apiKey: String) async throws -> FakeVendorNamespace {
        let config: JSONValue = .object(["api_key": .string(apiKey)])
        var request = HTTPClientRequest(url: "\(root)/_ns/\(name)")
        request.method = .POST
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(config)))
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return FakeVendorNamespace(root: root, name: name, apiKey: apiKey)
    }

    /// The base URL the daemon is pointed at.
    var baseURL: String { "\(root)/ns/\(name)" }

    func fetch(_ what: String) async throws -> JSONValue {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(root)/_ns/\(name)/\(what)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
    }

    /// Raw calls: method, path, headers, body.
    func requests() async throws -> [JSONValue] {
        guard case .array(let items) = try await fetch("requests") else { return [] }
        return items
    }

    /// Accepted messages in the shape every email peer reports.
    func messages() async throws -> [DeliveredEmail] {
        let data = try JSONEncoder().encode(try await fetch("messages"))
        return try JSONDecoder().decode([DeliveredEmail].self, from: data)
    }
}

import NIOFoundationCompat

/// A message as a peer received it, in one shape for every email vendor.
struct DeliveredEmail: Decodable, Sendable, Equatable {
    struct Attachment: Decodable, Sendable, Equatable {
        var filename: String
        var contentType: String?
        var sha256: String?
        var size: Int?
        enum CodingKeys: String, CodingKey { case filename, contentType = "content_type", sha256, size }
    }

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
        case from, to, cc, bcc, replyTo = "reply_to", subject, text, html, attachments, headers, tags
    }
}
