/// RFC 3986 percent-encoding as vendors sign and parse it: the unreserved set
/// `A–Z a–z 0–9 - _ . ~` stays as it is; every other byte of the UTF-8 form becomes `%XX` with
/// uppercase hex, so a space is `%20` and never `+`. Used for SigV4 and GCS paths, the daemon's
/// own signed URLs, and Stripe's form bodies.
public enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes `text`; `/` stays literal when `keepSlash` (object paths), else becomes `%2F`.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        append(text, to: &bytes, keepSlash: keepSlash)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the encoded form of `text` to `buffer` (building a whole body in one buffer).
    public static func append(_ text: String, to buffer: inout [UInt8], keepSlash: Bool = false) {
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                buffer.append(byte)
            } else {
                buffer.append(UInt8(ascii: "%"))
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0F)])
            }
        }
    }
}
