import Foundation
import Testing

@testable import SidecarCore

/// `trimmingWhitespace()` must trim exactly what `trimmingCharacters(in: .whitespaces)` trims.
@Suite("Whitespace trimming")
struct WhitespaceTests {
    @Test func matchesFoundationsWhitespaceSet() {
        // Zs scalars, tab and the zero-width space (in Foundation's set), and near misses
        // Foundation keeps (newlines, line separator, byte order mark).
        let spaces: [Unicode.Scalar] = ["\t", " ", "\u{00A0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200A}", "\u{200B}", "\u{202F}", "\u{205F}", "\u{3000}"]
        let kept: [Unicode.Scalar] = ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{200C}", "\u{2028}", "\u{FEFF}"]
        var samples = ["", "a", " a ", "Zoë Müller", "  \t  ", "a  b", " \u{301}x", "x\u{301} "]
        for scalar in spaces + kept {
            let text = String(Character(scalar))
            samples += [text, text + "x" + text, "x" + text, text + text + "Zoë" + text]
        }
        for sample in samples {
            #expect(String(sample[...].trimmingWhitespace()) == sample.trimmingCharacters(in: .whitespaces), "\(sample.unicodeScalars.map(\.value))")
        }
    }

    @Test func addressesKeepTheirParsing() throws {
        let address = try #require(EmailAddress(parsing: "\u{00A0} Zoë Müller\t<zoe@customer.example> "))
        #expect(address.name == "Zoë Müller")
        #expect(address.address == "zoe@customer.example")
        #expect(EmailAddress(parsing: "\t\"Acme, Inc.\" <billing@acme.example>")?.name == "Acme, Inc.")
        #expect(EmailAddress(parsing: " \u{3000} ") == nil)
    }
}
