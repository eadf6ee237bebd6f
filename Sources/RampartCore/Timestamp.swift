import Foundation

/// A UTC instant with Defender's precision: 100-nanosecond ticks since the Unix epoch.
///
/// Stored as one integer so that both databases order and compare it exactly.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let ticksPerSecond: Int64 = 10_000_000
    /// .NET ticks (since 0001-01-01) at the Unix epoch.
    static let dotNetEpochOffset: Int64 = 621_355_968_000_000_000

    public let ticks: Int64

    public init(ticks: Int64) { self.ticks = ticks }
    public init(_ date: Date) {
        self.ticks = Int64((date.timeIntervalSince1970 * Double(Self.ticksPerSecond)).rounded())
    }
    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(ticks) / Double(Self.ticksPerSecond)) }
    public var dotNetTicks: Int64 { ticks + Self.dotNetEpochOffset }
    public var unixSeconds: Int64 { ticks.floorDivided(by: Self.ticksPerSecond) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.ticks < rhs.ticks }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(ticks: ticks + seconds * Self.ticksPerSecond) }

    /// ISO 8601 in UTC with up to seven fractional digits, trailing zeros dropped, as Defender prints.
    public var description: String { ISO8601Ticks.format(self) }

    /// Parses ISO 8601 / RFC 3339 date-times with any offset and up to seven fractional digits.
    public init?(iso8601 text: String) {
        guard let parsed = ISO8601Ticks.parse(text) else { return nil }
        self = parsed
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
