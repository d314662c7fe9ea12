import Foundation
import Hummingbird
import NIOCore
import SidecarCore
import SidecarWebhooks

/// `POST /webhooks/{source}` on the webhook listener: the vendor's signature is checked over the
/// raw body, the events are committed to the store, and only then is the vendor answered
/// `200 {"status": "accepted"}` (or `already_processed` for a repeat).
struct WebhookIntakeRoutes {
    let intake: WebhookIntake
    static let paths = ["/webhooks/:source"]

    func register(on router: Router<SidecarRequestContext>) {
        router.post("/webhooks/:source") { request, context in try await receive(request, context: context) }
    }

    func receive(_ request: Request, context: SidecarRequestContext) async throws -> Response {
        let name = context.parameters.get("source") ?? ""
        // Sources are exactly those configured now (a reload may add or remove one).
        guard let source = try context.providerSet().loaded.config.webhooks?.sources[name] else {
            throw SidecarError.notFound("no webhook source `\(name)` is configured")
        }
        let body = try await JSONResponse.collect(request, context: context)
        let headers = WebhookRequestHeaders(request.headers.map { ($0.name.rawName, $0.value) })
        let outcome = try await intake.receive(source: source, body: Array(body.readableBytesView), headers: headers)
        return try JSONResponse.make(["status": outcome.rawValue])
    }
}
