import Benchmark
import SidecarPayments

// Stripe's v1 bracket form (`application/x-www-form-urlencoded`) of a checkout session, as
// StripePaymentsProvider.createCheckout builds and sends it. Each iteration is one request.

/// Three line items and five metadata keys whose values carry spaces, `&`, `=` and non-ASCII.
let lineItems: [(price: String, quantity: Int)] = [("price_1QxYzAbCdEfGh", 1), ("price_1QxYzSeatsMonthly", 12), ("price_1QxYzSupport", 1)]
let metadata = [
    "order_id": "4711",
    "customer_name": "Zoë Müller",
    "note": "gift & wrap = yes",
    "campaign": "Black Friday – 20 % off",
    "referrer": "https://acme.example/pricing?plan=team&seats=12",
]

/// The parameters of a subscription checkout: the metadata goes on the session and on the subscription.
func checkoutParameters() -> StripeParameters {
    var parameters: StripeParameters = [
        "mode": .string("subscription"),
        "line_items": .list(lineItems.map { ["price": .string($0.price), "quantity": .integer($0.quantity)] }),
        "success_url": .string("https://acme.example/checkout/done?session_id={CHECKOUT_SESSION_ID}"),
        "cancel_url": .string("https://acme.example/pricing"),
    ]
    parameters["customer_email"] = .string("zoe@customer.example")
    parameters["metadata"] = .map(metadata)
    parameters["subscription_data"] = ["metadata": .map(metadata)]
    return parameters
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let parameters = checkoutParameters()
    Benchmark("Stripe: form-encode checkout session (\(StripeFormEncoder.encode(parameters).utf8.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(StripeFormEncoder.encode(parameters))
        }
    }

    Benchmark("Stripe: build + form-encode checkout session") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(StripeFormEncoder.encode(checkoutParameters()))
        }
    }
}
