import Foundation

/// A GUID-valued id, printed lower-case as Entra prints GUIDs.
public protocol GUIDIdentifier: Hashable, Sendable, Codable, CustomStringConvertible {
    var uuid: UUID { get }
    init(_ uuid: UUID)
}

extension GUIDIdentifier {
    public init?(_ string: String) {
        guard let uuid = GUIDText.parse(string) else { return nil }
        self.init(uuid)
    }

    public static func random() -> Self { Self(UUID()) }

    public var description: String { GUIDText.format(uuid) }

    public init(from decoder: any Decoder) throws {
        let string = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = GUIDText.parse(string) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a GUID"))
        }
        self.init(uuid)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A tenant's id.
public struct TenantID: GUIDIdentifier {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}

/// A user's, group's, app's or secret's id.
public struct ObjectID: GUIDIdentifier {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}

/// Alert ids look like Defender's: `da<.NET ticks>_<random 32-bit number>`.
public enum AlertIDGenerator {
    public static func make(at time: Timestamp, random: UInt32 = UInt32.random(in: 0...UInt32.max)) -> String {
        "da\(time.dotNetTicks)_\(random)"
    }

    /// `count` distinct ids of alerts created at `time`, in ascending order: alerts stored in this order go to the end
    /// of the id index instead of to random places within it, and need no sorting under the writer.
    public static func make(count: Int, at time: Timestamp) -> [String] {
        var ids: Set<String> = []
        ids.reserveCapacity(count)
        while ids.count < count { ids.insert(make(at: time)) }
        return ids.sorted()
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
