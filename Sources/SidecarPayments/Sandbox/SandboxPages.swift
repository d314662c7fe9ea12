import Foundation

/// The HTML of the sandbox's checkout and billing-portal pages: plain forms that work without
/// JavaScript, every value from a caller or buyer escaped.
public enum SandboxPages {
    public static func checkout(_ view: SandboxCheckoutView) -> String {
        let session = view.session
        let base = SandboxPaymentsProvider.pagesPath + "/checkout/\(escape(session.id))"
        let items = session.lineItems.data.map { "<tr><td><code>\(escape($0.price.id))</code></td><td>\($0.quantity)</td></tr>" }
        var body = """
            <h1>Sandbox checkout</h1>
            <p class="note">Offline payments sandbox: no card is charged and no vendor is called.</p>
            <p>Mode: <strong>\(escape(session.mode))</strong>\(session.customerEmail.map { " · \(escape($0))" } ?? "")</p>
            <table><thead><tr><th>Price</th><th>Quantity</th></tr></thead><tbody>\(items.joined())</tbody></table>
            """
        switch session.status {
        case "complete":
            body += "<p>This session is paid.</p>"
        case "expired":
            body += "<p>This session has expired.</p>"
        default:
            let email = view.needsEmail
                ? "<label>Email <input type=\"email\" name=\"email\" required autocomplete=\"email\"></label>" : ""
            body += """
                <form method="post" action="\(base)/pay">\(email)<button type="submit">Pay</button></form>
                <form method="post" action="\(base)/cancel"><button type="submit" class="secondary">Cancel</button></form>
                """
        }
        return page(title: "Sandbox checkout", body: body)
    }

    public static func portal(_ view: SandboxPortalView) -> String {
        let base = SandboxPaymentsProvider.pagesPath + "/portal/\(escape(view.session.id))"
        let rows = view.subscriptions.map { subscription in
            let items = subscription.items.data.map { "\(escape($0.price.id)) × \($0.quantity)" }.joined(separator: ", ")
            let state = subscription.status == "active" && subscription.cancelAtPeriodEnd
                ? "active, ends at period end" : escape(subscription.status)
            let action = subscription.status == "canceled" ? "" : """
                <form method="post" action="\(base)/subscriptions/\(escape(subscription.id))/cancel">\
                <button type="submit">Cancel subscription</button></form>
                """
            return "<tr><td><code>\(escape(subscription.id))</code></td><td>\(items)</td><td>\(state)</td><td>\(action)</td></tr>"
        }
        let table = rows.isEmpty
            ? "<p>No subscriptions.</p>"
            : "<table><thead><tr><th>Subscription</th><th>Items</th><th>Status</th><th></th></tr></thead><tbody>\(rows.joined())</tbody></table>"
        let body = """
            <h1>Billing portal</h1>
            <p class="note">Offline payments sandbox.</p>
            <p>Customer: \(escape(view.email))</p>
            \(table)
            <p><a href="\(escape(view.session.returnURL))">Return to the application</a></p>
            """
        return page(title: "Sandbox billing portal", body: body)
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
        table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
        button{padding:.5rem 1.2rem;margin:.3rem 0}.note{color:#666}form{display:inline-block;margin-right:.5rem}</style>
        </head><body>
        \(body)
        </body></html>
        """
    }

    /// Escapes text for HTML content and double-quoted attributes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
