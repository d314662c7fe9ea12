import Foundation
import SidecarCore

/// The URI encoding of AWS Signature Version 4 (and of Google's V4 signing, which copies it).
///
/// The unreserved set `A–Z a–z 0–9 - _ . ~` stays as it is; every other byte of the UTF-8 form
/// becomes `%XX` with uppercase hex, so a space is `%20` and never `+`.
public enum SigV4Encoding {
    /// Encodes `text` (``PercentEncoding``); `/` stays literal when `keepSlash` (object paths),
    /// else becomes `%2F`.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        PercentEncoding.encode(text, keepSlash: keepSlash)
    }

    /// The canonical query string: every name and value encoded, sorted by name then value.
    public static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// A header value as it is signed: trimmed, inner runs of spaces collapsed to one.
    public static func canonicalHeaderValue(_ value: String) -> String {
        // Most values are already canonical: ASCII with no leading, trailing or double space and
        // no tab. Anything else (non-ASCII may hold Unicode spaces) takes the general path.
        var previous: UInt8 = UInt8(ascii: " ")
        var canonical = true
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\t") || byte >= 0x80 || (byte == UInt8(ascii: " ") && previous == UInt8(ascii: " ")) {
                canonical = false
                break
            }
            previous = byte
        }
        if canonical, previous != UInt8(ascii: " ") || value.isEmpty { return value }
        return value.trimmingCharacters(in: .whitespaces)
            .split(separator: " ", omittingEmptySubsequences: true)
            .joined(separator: " ")
    }

    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(lowerHex[Int(byte >> 4)])
            out.append(lowerHex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` and `YYYYMMDD` of `date` in UTC (proleptic Gregorian, as AWS
    /// means it). Computed from the Unix seconds directly, without a `Calendar` or
    /// `String(format:)`: this runs once per signed request.
    public static func timestamps(_ date: Date) -> (dateTime: String, day: String) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.floorDividedAndModulo(by: 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        var text: [UInt8] = []
        text.reserveCapacity(16)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            while value / divisor >= 10 { divisor *= 10 }  // never truncate (a year past 9999)
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        append(month, digits: 2)
        append(day, digits: 2)
        let dayText = String(decoding: text, as: UTF8.self)
        text.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, digits: 2)
        append(secondOfDay / 60 % 60, digits: 2)
        append(secondOfDay % 60, digits: 2)
        text.append(UInt8(ascii: "Z"))
        return (String(decoding: text, as: UTF8.self), dayText)
    }

    /// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, exact for every day of the proleptic Gregorian calendar).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private extension Int {
    /// Quotient and remainder rounded towards negative infinity (the remainder is never negative).
    func floorDividedAndModulo(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
