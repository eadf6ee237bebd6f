import Foundation

/// A tenant's id: a GUID, as Entra tenant ids are.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }
    public static func random() -> TenantID { TenantID(UUID()) }
    /// Lower-case, as Entra prints GUIDs.
    public var description: String { uuid.uuidString.lowercased() }
    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(uuidString: string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a GUID"))
        }
        self.uuid = uuid
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A user's, group's or app's id: a GUID.
public struct ObjectID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
    public init?(_ string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.uuid = uuid
    }
    public static func random() -> ObjectID { ObjectID(UUID()) }
    public var description: String { uuid.uuidString.lowercased() }
    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(uuidString: string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a GUID"))
        }
        self.uuid = uuid
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Alert ids look like Defender's: `da<.NET ticks>_<random 32-bit number>`.
public enum AlertIDGenerator {
    public static func make(at time: Timestamp, random: UInt32 = UInt32.random(in: 0...UInt32.max)) -> String {
        "da\(time.dotNetTicks)_\(random)"
    }
}

/// Device ids are 40 lower-case hex characters, as Defender machine ids.
public enum DeviceIDGenerator {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
