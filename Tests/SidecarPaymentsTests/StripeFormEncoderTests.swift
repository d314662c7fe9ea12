import Testing
import Foundation
@testable import SidecarPayments

@Suite("Stripe form encoding")
struct StripeFormEncoderTests {
    /// Decodes a body back into readable `key=value` lines (percent-decoding only).
    private func decoded(_ body: String) -> [String] {
        body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.map { String($0).removingPercentEncoding ?? "<bad>" }.joined(separator: "=")
        }
    }

    @Test func scalarsBooleansAndIntegers() {
        let body = StripeFormEncoder.encode(["email": "a@example.com", "quantity": 3, "cancel_at_period_end": true, "livemode": false])
        #expect(body == "email=a%40example.com&quantity=3&cancel_at_period_end=true&livemode=false")
    }

    @Test func nestedObjectsPercentEncodeTheWholeKey() {
        let body = StripeFormEncoder.encode(["metadata": ["order_id": "42"], "subscription_data": ["metadata": ["uid": "u1"]]])
        #expect(body == "metadata%5Border_id%5D=42&subscription_data%5Bmetadata%5D%5Buid%5D=u1")
    }

    @Test func listsOfObjectsAreIndexedToAnyDepth() {
        let parameters: StripeParameters = [
            "line_items": [
                ["price_data": ["product_data": ["name": "T-shirt"], "unit_amount": 2000], "quantity": 1],
                ["price": "price_2", "quantity": 4],
            ],
        ]
        #expect(decoded(StripeFormEncoder.encode(parameters)) == [
            "line_items[0][price_data][product_data][name]=T-shirt",
            "line_items[0][price_data][unit_amount]=2000",
            "line_items[0][quantity]=1",
            "line_items[1][price]=price_2",
            "line_items[1][quantity]=4",
        ])
        #expect(StripeFormEncoder.encode(parameters).hasPrefix(
            "line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=T-shirt&"))
    }

    @Test func listsOfScalarsUseEmptyBrackets() {
        #expect(StripeFormEncoder.encode(["expand": ["customer", "subscription"]]) == "expand%5B%5D=customer&expand%5B%5D=subscription")
    }

    @Test func valuesWithReservedAndNonASCIICharacters() {
        let body = StripeFormEncoder.encode(["metadata": ["note": "a&b=c+d e", "name": "Zoë 🎉", "path": "x/y?z#w%"]])
        #expect(body == "metadata%5Bnote%5D=a%26b%3Dc%2Bd%20e&metadata%5Bname%5D=Zo%C3%AB%20%F0%9F%8E%89"
            + "&metadata%5Bpath%5D=x%2Fy%3Fz%23w%25")
        #expect(decoded(body) == ["metadata[note]=a&b=c+d e", "metadata[name]=Zoë 🎉", "metadata[path]=x/y?z#w%"])
    }

    @Test func keysThemselvesAreEncoded() {
        #expect(StripeFormEncoder.encode(["metadata": ["clé & co": "v"]]) == "metadata%5Bcl%C3%A9%20%26%20co%5D=v")
    }

    @Test func theCheckoutTemplateIsKeptIntact() {
        let body = StripeFormEncoder.encode(["success_url": "https://acme.test/ok?session={CHECKOUT_SESSION_ID}"])
        #expect(decoded(body) == ["success_url=https://acme.test/ok?session={CHECKOUT_SESSION_ID}"])
    }

    @Test func emptyValuesAndContainers() {
        // An empty string is sent (it unsets a field); empty objects and lists send nothing.
        #expect(StripeFormEncoder.encode(["metadata": ["k": ""], "expand": [], "nothing": [:]]) == "metadata%5Bk%5D=")
        #expect(StripeFormEncoder.encode(StripeParameters()) == "")
    }

    @Test func eachKeyIsSentOnceInTheOrderFirstSet() {
        var parameters: StripeParameters = ["a": "1", "b": "2"]
        parameters["a"] = "3"
        parameters["c"] = .map(["z": "1", "y": "2"])
        parameters["b"] = nil
        #expect(StripeFormEncoder.encode(parameters) == "a=3&c%5By%5D=2&c%5Bz%5D=1")
    }
}
