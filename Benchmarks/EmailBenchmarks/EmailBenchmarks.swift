import Benchmark
import Foundation
import SidecarCore
import SidecarEmail

// `POST /email/send`: what the daemon does with a body before any vendor is called, and the
// Resend wire body it then builds. Each iteration is one request, so the figures are per request.

/// A transactional message as an application sends it: display names, a cc, a reply-to, a
/// non-ASCII subject, about 1.5 KiB of HTML with its text part, one custom header and two tags.
let sendBody: [UInt8] = {
    let rows = (1...12).map { "<tr><td>Item \($0)</td><td>1 × Widget &amp; co</td><td>€\($0).00</td></tr>" }.joined()
    let html = "<html><body><h1>Your receipt</h1><p>Hello Zoë, thanks for your order.</p><table>\(rows)</table>"
        + "<p>Questions? Reply to this message.</p></body></html>"
    let body: [String: Any] = [
        "from": "Acme Billing <billing@acme.example>",
        "to": ["Zoë Müller <zoe@customer.example>", "accounts@customer.example"],
        "cc": "finance@acme.example",
        "reply_to": "support@acme.example",
        "subject": "Your receipt №4711 — thank you!",
        "html": html,
        "text": "Hello Zoë, thanks for your order. Total: €78.00. Questions? Reply to this message.",
        "headers": ["X-Entity-Ref-ID": "order-4711"],
        "tags": ["category": "receipt", "tenant": "acme"],
    ]
    // The fixture is fixed text; a failure here is a bug in this file, so stop loudly.
    guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else {
        fatalError("the /email/send fixture does not serialise")
    }
    return Array(data)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    let limits = EmailLimits()

    Benchmark("Email: decode /email/send body (\(sendBody.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try RequestDecoding.decode(EmailSendRequest.self, from: sendBody))
        }
    }

    Benchmark("Email: decode + validate /email/send body") { benchmark in
        for _ in benchmark.scaledIterations {
            let request = try RequestDecoding.decode(EmailSendRequest.self, from: sendBody)
            blackHole(try request.validated(defaultFrom: nil, limits: limits))
        }
    }

    let decoded = try? RequestDecoding.decode(EmailSendRequest.self, from: sendBody)
    Benchmark("Email: validate a decoded /email/send body") { benchmark in
        guard let decoded else { fatalError("the /email/send fixture does not decode") }
        for _ in benchmark.scaledIterations {
            blackHole(try decoded.validated(defaultFrom: nil, limits: limits))
        }
    }

    let message = try? RequestDecoding.decode(EmailSendRequest.self, from: sendBody).validated(defaultFrom: nil, limits: limits)
    Benchmark("Email: Resend wire body, build + JSON encode") { benchmark in
        guard let message else { fatalError("the /email/send fixture does not validate") }
        for _ in benchmark.scaledIterations {
            // As ResendEmailProvider.send does it: a new encoder per call.
            blackHole(try JSONEncoder().encode(try ResendEmail(message)))
        }
    }
}
