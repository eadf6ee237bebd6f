/// JSON string escaping, shared by every writer of JSON text (the API shapes and the stored arrays).
public enum JSONText {
    /// Appends `value` as a JSON string literal; `/` is not escaped, non-ASCII stays UTF-8.
    public static func appendString(_ value: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendString(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// The same, into bytes: one pass over the UTF-8, copying runs that need no escape in one step and escaping
    /// only what JSON (and JavaScript) must not see raw.
    public static func appendString(_ value: String, to output: inout [UInt8]) {
        output.append(0x22)
        var text = value
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            func flush() {
                if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            }
            while index < utf8.count {
                let byte = utf8[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0xE2 {
                    index += 1
                    continue
                }
                let escaped: [UInt8]?
                var width = 1
                switch byte {
                case 0x22: escaped = [0x5C, 0x22]
                case 0x5C: escaped = [0x5C, 0x5C]
                case 0x0A: escaped = [0x5C, 0x6E]
                case 0x0D: escaped = [0x5C, 0x72]
                case 0x09: escaped = [0x5C, 0x74]
                case 0x08: escaped = [0x5C, 0x62]
                case 0x0C: escaped = [0x5C, 0x66]
                case 0x00..<0x20:
                    func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
                    escaped = [0x5C, 0x75, 0x30, 0x30, hex(byte >> 4), hex(byte & 0x0F)]
                case 0xE2
                where index + 2 < utf8.count && utf8[index + 1] == 0x80
                    && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    // U+2028 and U+2029 end lines in JavaScript.
                    escaped = Array((utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    width = 3
                default: escaped = nil
                }
                if let escaped {
                    flush()
                    output.append(contentsOf: escaped)
                    index += width
                    runStart = index
                } else {
                    index += 1
                }
            }
            flush()
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
