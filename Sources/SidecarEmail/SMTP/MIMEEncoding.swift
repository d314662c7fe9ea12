import Foundation

/// The encodings a MIME message is built with: RFC 2047 encoded-words for header text,
/// RFC 2231 parameter values, quoted-printable bodies, and base64 wrapped at 76 characters.
enum MIMEEncoding {
    /// Whether the text is printable ASCII (no encoding needed in a header).
    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// Header text as RFC 2047 `=?UTF-8?B?…?=` words when it is not plain ASCII, each word at
    /// most 75 characters and never splitting a UTF-8 sequence; words are folded with CRLF SP.
    static func encodedWords(_ text: String) -> String {
        guard !isPlainASCII(text) else { return text }
        // 75 − len("=?UTF-8?B?") − len("?=") = 63 base64 characters → 45 bytes per word.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A mailbox for a header: `Name <addr>`, with the name quoted or encoded as needed.
    static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return address }
        if !isPlainASCII(name) { return "\(encodedWords(name)) <\(address)>" }
        let atomSafe = name.allSatisfy { $0.isLetter || $0.isNumber || " !#$%&'*+-/=?^_`{|}~".contains($0) }
        let display = atomSafe ? name : "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        return "\(display) <\(address)>"
    }

    /// A `filename`/`name` parameter: quoted ASCII, or RFC 2231 `filename*=UTF-8''…` with a
    /// quoted RFC 2047 fallback for old readers.
    static func parameter(_ name: String, _ value: String) -> String {
        if isPlainASCII(value), !value.contains("\""), !value.contains("\\") {
            return "\(name)=\"\(value)\""
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        let percent = value.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return "\(name)*=UTF-8''\(percent)"
    }

    /// Base64 in lines of 76 characters, CRLF-terminated.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text with CRLF line ends, lines at most 76
    /// characters with soft breaks; trailing spaces and tabs are encoded.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for (lineIndex, line) in normalizedLines(text).enumerated() {
            if lineIndex > 0 { output += Array("\r\n".utf8) }
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let piece: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                if length + piece.count > 75 {
                    output += Array("=\r\n".utf8)
                    length = 0
                }
                output += piece
                length += piece.count
            }
        }
        return String(decoding: output, as: UTF8.self) + "\r\n"
    }

    /// The text split into lines, whatever its line ends (CRLF, LF or CR).
    static func normalizedLines(_ text: String) -> [Substring] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)[...].map { $0 }
    }

    /// The message as SMTP DATA: CRLF line ends, lines starting with `.` doubled (RFC 5321 §4.5.2),
    /// ending with the `.` line.
    static func dotStuffed(_ message: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.utf8.count + 64)
        for line in message.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(".") { output.append(UInt8(ascii: ".")) }
            output += Array(line.utf8)
            output += [13, 10]
        }
        // The message already ends with CRLF, so the split left one empty last line.
        if output.suffix(4) == [13, 10, 13, 10] { output.removeLast(2) }
        output += Array(".\r\n".utf8)
        return output
    }
}
