import Foundation
import PropertyBased
import RampartCore
import Testing

@testable import RampartServer

/// Every time the portal shows: its local text, read back as each language writes dates, is the same instant in the
/// reader's zone as the UTC value shown on hover — across zones with odd offsets and summer time.
@Suite struct PortalFormatterPropertyTests {
    static let zones = [
        "UTC", "Europe/Moscow", "Asia/Yekaterinburg", "America/New_York", "Europe/Berlin", "Asia/Kathmandu",
        "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Asia/Tokyo",
    ]

    /// Day, month, year, hour (0–23), minute, second of the local text.
    static func read(_ text: String, language: String) -> [Int]? {
        if language == "ru" {
            guard let m = text.wholeMatch(of: #/(\d\d)\.(\d\d)\.(\d{4}), (\d\d):(\d\d):(\d\d)/#) else { return nil }
            return [m.output.1, m.output.2, m.output.3, m.output.4, m.output.5, m.output.6].map { Int($0)! }
        }
        guard let m = text.wholeMatch(of: #/(\d\d)/(\d\d)/(\d{4}), (\d\d):(\d\d):(\d\d)\u{202F}(AM|PM)/#) else { return nil }
        let hour12 = Int(m.output.4)!
        guard (1...12).contains(hour12) else { return nil }
        let hour = hour12 % 12 + (m.output.7 == "PM" ? 12 : 0)
        return [Int(m.output.2)!, Int(m.output.1)!, Int(m.output.3)!, hour, Int(m.output.5)!, Int(m.output.6)!]
    }

    @Test func localTextAndUTCAreTheSameInstant() async {
        // Whole seconds from 1990 to 2090.
        let seconds = Gen.int(in: 631_152_000...3_786_912_000)
        await propertyCheck(count: 1_000, input: seconds, Gen.int(in: 0...(Self.zones.count - 1)), Gen.bool) {
            second, zoneIndex, russian in
            let language = russian ? "ru" : "en"
            let zone = Self.zones[zoneIndex]
            let time = Timestamp(ticks: Int64(second) * Timestamp.ticksPerSecond)
            let shown = PortalFormatter(language: language, timeZone: zone).time(time)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            let c = calendar.dateComponents([.day, .month, .year, .hour, .minute, .second], from: time.date)
            #expect(
                Self.read(shown["local"] ?? "", language: language) == [c.day!, c.month!, c.year!, c.hour!, c.minute!, c.second!])
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let u = calendar.dateComponents([.day, .month, .year, .hour, .minute, .second], from: time.date)
            #expect(
                shown["utc"]
                    == String(
                        format: "%04d-%02d-%02d %02d:%02d:%02d UTC", u.year!, u.month!, u.day!, u.hour!, u.minute!, u.second!))
            #expect(shown["iso"] == time.description)
        }
    }

    @Test func groupedNumbersReadBackAsTheNumber() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...2_000_000_000), Gen.bool) { value, russian in
            let text = PortalFormatter(language: russian ? "ru" : "en", timeZone: nil).number(value)
            let digits = text.filter(\.isNumber)
            #expect(Int(String(digits)) == value)
            let separators = Set(text.filter { !$0.isNumber })
            #expect(separators.isSubset(of: russian ? ["\u{00A0}"] : [","]))
            #expect(text.count == digits.count + (digits.count - 1) / 3)
        }
    }
}
