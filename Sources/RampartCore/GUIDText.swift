import Foundation

/// GUID text in the 8-4-4-4-12 form, parsed and printed by hand: every stored row carries a tenant id, and
/// Foundation's `UUID(uuidString:)` goes through `sscanf`, which showed in the profile of large pages.
enum GUIDText {

    static func parse(_ text: String) -> UUID? {
        var copy = text
        return copy.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36 else { return nil }
            var bytes = [UInt8](repeating: 0, count: 16)
            var byteIndex = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard utf8[index] == 0x2D else { return nil }
                    index += 1
                    continue
                }
                guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
                bytes[byteIndex] = high << 4 | low
                byteIndex += 1
                index += 2
            }
            return UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
        }
    }

    static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x37
        case 0x61...0x66: byte - 0x57
        default: nil
        }
    }

    /// Lower case, as Entra prints GUIDs.
    static func format(_ uuid: UUID) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        var output: [UInt8] = []
        output.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { output.append(0x2D) }
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
