import Hummingbird
import NIOCore
import SidecarCore
import SidecarPayments

/// The payments sandbox's pages on the webhook listener: the checkout page (Pay / Cancel) and
/// the billing portal (cancel a subscription). A session id is all it takes to open a page, as
/// with Stripe's hosted pages; the ids are long and random.
struct SandboxPaymentsPageRoutes {
    static let paths = [
        "/sandbox/payments/checkout/:id", "/sandbox/payments/checkout/:id/pay", "/sandbox/payments/checkout/:id/cancel",
        "/sandbox/payments/portal/:id", "/sandbox/payments/portal/:id/subscriptions/:subscription/cancel",
    ]

    func register(on router: Router<SidecarRequestContext>) {
        router.get("/sandbox/payments/checkout/:id") { _, context in
            let view = try await sandbox(context).checkoutSession(id: try id(context))
            return html(SandboxPages.checkout(view))
        }
        router.post("/sandbox/payments/checkout/:id/pay") { request, context in
            let form = try await payForm(request, context: context)
            return redirect(to: try await sandbox(context).pay(checkoutID: try id(context), email: form.email.flatMap { $0.isEmpty ? nil : $0 }))
        }
        router.post("/sandbox/payments/checkout/:id/cancel") { _, context in
            redirect(to: try await sandbox(context).abandon(checkoutID: try id(context)))
        }
        router.get("/sandbox/payments/portal/:id") { _, context in
            html(SandboxPages.portal(try await sandbox(context).portal(id: try id(context))))
        }
        router.post("/sandbox/payments/portal/:id/subscriptions/:subscription/cancel") { _, context in
            let subscription = context.parameters.get("subscription") ?? ""
            return redirect(to: try await sandbox(context).cancelFromPortal(portalID: try id(context), subscriptionID: subscription))
        }
    }

    private func sandbox(_ context: SidecarRequestContext) throws -> SandboxPaymentsProvider {
        guard let sandbox = try context.providerSet().payments as? SandboxPaymentsProvider else {
            throw SidecarError.notFound("the payments sandbox's pages are served only while payments.provider is sandbox")
        }
        return sandbox
    }

    private func id(_ context: SidecarRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty else { throw SidecarError.notFound("no such session") }
        return id
    }

    private func html(_ page: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// `303 See Other`: the browser follows with a GET.
    private func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// The Pay form (`application/x-www-form-urlencoded`): an email when the page asked for one.
    struct PayForm: Decodable {
        var email: String?
    }

    private func payForm(_ request: Request, context: SidecarRequestContext) async throws -> PayForm {
        let body = try await JSONResponse.collect(request, context: context)
        do {
            return try URLEncodedFormDecoder().decode(PayForm.self, from: String(buffer: body))
        } catch {
            throw SidecarError.invalidRequest("body: not a form (application/x-www-form-urlencoded)")
        }
    }
}
