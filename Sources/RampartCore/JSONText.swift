/// JSON string escaping, shared by every writer of JSON text (the API shapes and the stored arrays).
public enum JSONText {
    /// Appends `value` as a JSON string literal; `/` is not escaped, non-ASCII stays UTF-8.
    public static func appendString(_ value: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendString(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// The same, into bytes: one pass over the UTF-8, escaping only what JSON (and JavaScript) must not see raw.
    public static func appendString(_ value: String, to output: inout [UInt8]) {
        output.append(0x22)
        var text = value
        text.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: output.append(contentsOf: [0x5C, 0x72])
                case 0x09: output.append(contentsOf: [0x5C, 0x74])
                case 0x08: output.append(contentsOf: [0x5C, 0x62])
                case 0x0C: output.append(contentsOf: [0x5C, 0x66])
                case 0x00..<0x20:
                    func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
                    output.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex(byte >> 4), hex(byte & 0x0F)])
                case 0xE2
                where index + 2 < utf8.count && utf8[index + 1] == 0x80
                    && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    // U+2028 and U+2029 end lines in JavaScript.
                    output.append(contentsOf: (utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    index += 2
                default: output.append(byte)
                }
                index += 1
            }
        }
        output.append(0x22)
    }

    /// A JSON array of strings.
    public static func array(_ strings: [String]) -> String {
        var text = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { text += "," }
            appendString(string, to: &text)
        }
        return text + "]"
    }
}
