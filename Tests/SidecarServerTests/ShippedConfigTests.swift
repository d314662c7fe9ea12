import Foundation
import SidecarCore
import Testing

/// The README's other command: the binary on the shipped `sidecar.yaml`, unchanged, in a fresh
/// directory — every offline default works with no vendor account and no network.
@Suite("Shipped configuration")
struct ShippedConfigTests {
    static var shippedFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sidecar.yaml").path
    }

    @Test func everyOfflineDefaultWorksThroughTheBinary() async throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        try FileManager.default.copyItem(atPath: Self.shippedFile, toPath: directory.configPath)
        let daemon = try await DaemonProcess(
            directory: directory, workingDirectory: directory.path, socketPath: "\(directory.path)/run/sidecar.sock")
        let client = daemon.client

        let ready = try await client.call(.GET, "/readyz")
        #expect(ready.status == 200, "\(ready.text) \(daemon.stderr)")
        #expect(ready.json?["providers"]?["email"] == .string("console"))
        #expect(ready.json?["providers"]?["storage"] == .string("filesystem"))
        #expect(ready.json?["providers"]?["payments"] == .string("sandbox"))

        let sent = try await client.post("/email/send", #"{"to": "ada@example.com", "subject": "Welcome", "text": "Hello Ada"}"#)
        #expect(sent.status == 200 && sent.json?["provider"] == .string("console"), "\(sent.text)")

        let upload = try await client.call(.POST, "/storage/upload?key=docs/a.txt", body: "hello", headers: [("Content-Type", "text/plain")])
        #expect(upload.status == 200, "\(upload.text)")
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/run/storage/docs/a.txt"))
        let signed = try await client.post("/storage/signed-url", #"{"key": "docs/a.txt", "expires_in": 60}"#)
        let signedURL = try #require(signed.json?["url"]?.stringValue, "\(signed.text)")
        #expect(signedURL.hasPrefix("http://127.0.0.1:8090/storage/signed?"))
        #expect(try await SandboxBrowser.get(signedURL).text == "hello")

        let checkout = try await client.post("/payments/checkout", """
            {"customer_email": "ada@example.com", "mode": "subscription", "line_items": [{"price_id": "price_pro", "quantity": 1}],
             "success_url": "https://app.test/welcome?session={CHECKOUT_SESSION_ID}", "cancel_url": "https://app.test/pricing"}
            """)
        let url = try #require(checkout.json?["url"]?.stringValue, "\(checkout.text)")
        #expect(url.hasPrefix("http://127.0.0.1:8090/sandbox/payments/checkout/cs_sbx_"))
        #expect(try await SandboxBrowser.get(url).status == 200)
        #expect(try await SandboxBrowser.post(url + "/pay").status == 303)
        let events = try await client.call(.GET, "/webhooks/events?limit=10")
        let types = Set((events.json?["events"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue })
        #expect(types == ["checkout.session.completed", "customer.subscription.created"], "\(events.text)")

        #expect(try await daemon.stop() == 0)
        #expect(daemon.stdout.contains("ada@example.com"), "the console mail is printed on stdout")
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/run/sidecar.sock"))
    }
}
