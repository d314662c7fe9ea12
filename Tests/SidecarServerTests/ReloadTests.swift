import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SidecarCore
import SidecarServer
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Switching vendors and rotating keys by reload, under load, with every trigger.
@Suite("Reload", .enabled(if: Peers.resend != nil && Peers.sendgrid != nil))
struct ReloadTests {
    static func emailConfig(_ directory: TestDirectory, provider: String, resend: FakeVendorNamespace, sendgrid: FakeVendorNamespace, resendKey: String? = nil) -> String {
        """
        listen:
          socket: \(directory.socket)
        store:
          sqlite: \(directory.path)/sidecar.db
        email:
          provider: \(provider)
          from: "Acme <noreply@acme.test>"
          resend:
            api_key: \(resendKey ?? resend.apiKey)
            base_url: \(resend.baseURL)
          sendgrid:
            api_key: \(sendgrid.apiKey)
            base_url: \(sendgrid.baseURL)
        """
    }

    /// Polls `/readyz` until it reports `version`.
    static func waitForVersion(_ client: SocketClient, _ version: String) async throws -> Bool {
        for _ in 0..<200 {
            if try await client.call(.GET, "/readyz").json?["config_version"]?.stringValue == version { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    /// Polls `GET /config` until `condition` holds (or 10 s pass); answers the last body.
    static func waitForConfig(_ client: SocketClient, _ condition: (JSONValue?) -> Bool) async throws -> JSONValue? {
        var json: JSONValue?
        for _ in 0..<200 {
            json = try await client.call(.GET, "/config").json
            if condition(json) { return json }
            try await Task.sleep(for: .milliseconds(50))
        }
        return json
    }

    struct Outcome: Sendable {
        var status: Int
        var provider: String?
        var version: String?
    }

    @Test func fiftyFlipsUnderFiftyCallersFailNoRequest() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let resend = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "re_flip_\(UUID().uuidString.prefix(6))")
        let sendgrid = try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.flip.\(UUID().uuidString.prefix(6))")
        let variants = ["resend", "sendgrid"].map { Self.emailConfig(directory, provider: $0, resend: resend, sendgrid: sendgrid) }
        let loader = ConfigLoader(registry: .standard, resolver: SecretReferenceResolver(environment: [:]))
        let versions = [try loader.load(yaml: variants[0]).version: "resend", try loader.load(yaml: variants[1]).version: "sendgrid"]
        #expect(versions.count == 2)

        // The config is mounted like a ConfigMap: sidecar.yaml -> ..data/sidecar.yaml.
        var mount = try MountedDirectory(path: "\(directory.path)/config")
        try mount.publish(["sidecar.yaml": variants[0]])
        let configPath = "\(mount.path)/sidecar.yaml"
        let daemon = try await DaemonProcess(directory: directory, configPath: configPath, arguments: ["--watch-interval", "0.1", "--log-level", "error"])
        let client = daemon.client

        final class Shared: Sendable {
            let running = Mutex(true)
            let outcomes = Mutex<[Outcome]>([])
        }
        let shared = Shared()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<50 {
                group.addTask {
                    while shared.running.withLock({ $0 }) {
                        let response = try await client.post("/email/send", #"{"to": "caller\#(caller)@example.com", "subject": "flip", "text": "t"}"#)
                        let outcome = Outcome(
                            status: response.status, provider: response.json?["provider"]?.stringValue,
                            version: response.headers["X-Sidecar-Config-Version"].first)
                        shared.outcomes.withLock { $0.append(outcome) }
                    }
                }
            }
            for flip in 1...50 {
                let target = flip % 2
                let yaml = variants[target]
                let expected = try loader.load(yaml: yaml).version
                switch flip % 4 {
                case 0:
                    try mount.publish(["sidecar.yaml": yaml])  // the kubelet's ..data symlink swap
                case 1:
                    try Self.rewriteInPlace(configPath, yaml)  // a plain rewrite, picked up by the watcher
                case 2:
                    try Self.rewriteInPlace(configPath, yaml)
                    daemon.signal(SIGHUP)
                default:
                    try Self.rewriteInPlace(configPath, yaml)
                    let reload = try await client.call(.POST, "/config/reload")
                    #expect(reload.status == 200)
                    #expect(reload.json?["version"]?.stringValue == expected)
                }
                let applied = try await Self.waitForVersion(client, expected)
                #expect(applied, "flip \(flip) was not applied")
                try await Task.sleep(for: .milliseconds(30))
            }
            shared.running.withLock { $0 = false }
            try await group.waitForAll()
        }
        #expect(try await daemon.stop() == 0)

        let all = shared.outcomes.withLock { $0 }
        #expect(all.count > 500, "callers kept sending throughout (\(all.count) requests)")
        #expect(all.filter { $0.status != 200 }.count == 0)
        let mismatched = all.filter { outcome in outcome.version.flatMap { versions[$0] } != outcome.provider }
        #expect(mismatched.isEmpty, "\(mismatched.prefix(3))")
        #expect(Set(all.compactMap(\.provider)) == ["resend", "sendgrid"])
    }

    static func rewriteInPlace(_ path: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func brokenConfigAndMissingSecretKeepTheOldSetServing() async throws {
        let resend = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: "re_keep_\(UUID().uuidString.prefix(6))")
        let sendgrid = try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.keep")
        let keyFile = Mutex<String>("")
        try await LiveDaemon.run(config: { directory in
            let path = "\(directory.path)/resend_key"
            try? resend.apiKey.write(toFile: path, atomically: true, encoding: .utf8)
            keyFile.withLock { $0 = path }
            return Self.emailConfig(directory, provider: "resend", resend: resend, sendgrid: sendgrid, resendKey: "${file:\(path)}")
        }) { client, _, directory in
            let good = Self.emailConfig(directory, provider: "resend", resend: resend, sendgrid: sendgrid, resendKey: "${file:\(keyFile.withLock { $0 })}")
            let original = try #require(try await client.call(.GET, "/readyz").json?["config_version"]?.stringValue)

            // A broken file: the watcher's reload fails, the old set keeps serving.
            try directory.write("sidecar.yaml", good.replacingOccurrences(of: "  from:", with: "  frm:"))
            var config = try await Self.waitForConfig(client) { $0?["last_reload"]?["ok"] == .bool(false) }
            #expect(config?["last_reload"]?["ok"] == .bool(false))
            #expect(config?["last_reload"]?["error"]?.stringValue?.contains("email.frm: unknown key (did you mean `from`?)") == true)
            #expect(config?["version"]?.stringValue == original)
            let during = try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#)
            #expect(during.status == 200)
            #expect(during.headers["X-Sidecar-Config-Version"].first == original)

            // A good file whose secret file is gone: rejected too, naming the file.
            try FileManager.default.removeItem(atPath: keyFile.withLock { $0 })
            try directory.write("sidecar.yaml", good.replacingOccurrences(of: "noreply@", with: "hello@"))
            config = try await Self.waitForConfig(client) {
                $0?["last_reload"]?["error"]?.stringValue?.contains("cannot read secret file") == true
            }
            #expect(config?["last_reload"]?["ok"] == .bool(false))
            #expect(config?["last_reload"]?["error"]?.stringValue?.contains("email.resend.api_key: cannot read secret file") == true)
            #expect(try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#).status == 200)

            // The secret file is back: the change is picked up.
            try resend.apiKey.write(toFile: keyFile.withLock { $0 }, atomically: true, encoding: .utf8)
            config = try await Self.waitForConfig(client) { $0?["last_reload"]?["ok"] == .bool(true) }
            #expect(config?["last_reload"]?["ok"] == .bool(true))
            #expect(config?["version"]?.stringValue != original)
            #expect(config?["email"]?["from"] == .string("Acme <hello@acme.test>"))
        }
    }

    @Test func rotatedSecretIsUsedOnTheNextCall() async throws {
        let firstKey = "re_rotate_one_\(UUID().uuidString.prefix(6))"
        let secondKey = "re_rotate_two_\(UUID().uuidString.prefix(6))"
        var resend = try await FakeVendorNamespace.create(at: Peers.resend ?? "", apiKey: firstKey)
        let sendgrid = try await FakeVendorNamespace.create(at: Peers.sendgrid ?? "", apiKey: "SG.rotate")
        let directory = try TestDirectory()
        defer { directory.remove() }
        var secrets = try MountedDirectory(path: "\(directory.path)/secrets")
        try secrets.publish(["api_key": firstKey + "\n"])
        try directory.write("sidecar.yaml", Self.emailConfig(
            directory, provider: "resend", resend: resend, sendgrid: sendgrid, resendKey: "${file:\(secrets.path)/api_key}"))
        let daemon = try await DaemonProcess(directory: directory, arguments: ["--watch-interval", "0.1"])
        let client = daemon.client
        let before = try #require(try await client.call(.GET, "/readyz").json?["config_version"]?.stringValue)
        #expect(try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#).status == 200)

        // The Secret is updated: the kubelet swaps ..data; the config file itself never changes.
        resend = try await resend.replaceKey(with: secondKey)
        try secrets.publish(["api_key": secondKey + "\n"])
        var after = before
        for _ in 0..<100 where after == before {
            try await Task.sleep(for: .milliseconds(50))
            after = try await client.call(.GET, "/readyz").json?["config_version"]?.stringValue ?? before
        }
        #expect(after != before, "the rotated secret changed the config version")
        let response = try await client.post("/email/send", #"{"to": "a@example.com", "subject": "s", "text": "t"}"#)
        #expect(response.status == 200, "\(response.text)")
        let requests = try await resend.requests()
        #expect(requests.first?["headers"]?["authorization"] == .string("Bearer \(secondKey)"))
        #expect(try await daemon.stop() == 0)
        #expect(!daemon.stderr.contains(firstKey) && !daemon.stderr.contains(secondKey))
    }
}
