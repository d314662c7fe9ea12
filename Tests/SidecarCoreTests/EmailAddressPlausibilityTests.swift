import Testing
@testable import SidecarCore

@Suite("Email address plausibility")
struct EmailAddressPlausibilityTests {
    /// The earlier, Character-based form of the check: the byte scan must answer the same.
    static func reference(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, address.utf8.count <= 254 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !address.unicodeScalars.contains { $0.value <= 0x20 || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0.value == 0x7F }
    }

    static let cases = [
        "a@example.com", "first.last@sub.example.co.uk", "a+tag@example.com", "ünïcødé@exämple.com", "a@b.c",
        "", "@example.com", "a@", "a@example", "a@.example.com", "a@example.com.", "a@example..com", "a@@example.com",
        "a@b@example.com", "a b@example.com", "a@exa mple.com", "a\t@example.com", "a<b@example.com", "a@example.com>",
        "a,b@example.com", "a;b@example.com", "a\u{7F}@example.com", ".a@example.com", "a.@example.com", "a..b@example.com",
        String(repeating: "x", count: 64) + "@example.com", String(repeating: "x", count: 65) + "@example.com",
        String(repeating: "é", count: 40) + "@example.com", String(repeating: "é", count: 65) + "@example.com",
        "a@" + String(repeating: "d", count: 250) + ".com", "a@example.com\n", "a@exa\u{0}mple.com",
    ]

    @Test(arguments: cases)
    func byteScanAgreesWithTheCharacterCheck(address: String) {
        #expect(EmailAddress.isPlausible(address) == Self.reference(address), "\(address.debugDescription)")
    }
}
