import PropertyBased
import RampartCore
import RampartQuery
import Testing

@Suite struct SIEMQueryTests {
    @Test func durationsAsISO8601Says() {
        #expect(ISODuration.seconds("PT10M") == 600)
        #expect(ISODuration.seconds("P1DT2H30M") == 95_400)
        #expect(ISODuration.seconds("pt0.5s") == 0)
        #expect(ISODuration.seconds("P2W") == 1_209_600)
        #expect(ISODuration.seconds("PT1,5H") == 5400)
        for bad in ["", "P", "PT", "10M", "P1M", "P1Y", "PT1H2D", "PT5M1H", "P1DT", "P-1D", "PT1.2.3S", "P1D2"] {
            #expect(ISODuration.seconds(bad) == nil, "\(bad)")
        }
    }

    /// Any text is a duration or nil, never a crash; a printed duration parses back to its seconds.
    @Test func durationsRoundTripAndNeverCrash() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...10_000_000)) { seconds in
            let days = seconds / 86_400
            let hours = seconds % 86_400 / 3600
            let minutes = seconds % 3600 / 60
            let rest = seconds % 60
            #expect(ISODuration.seconds("P\(days)DT\(hours)H\(minutes)M\(rest)S") == Int64(seconds))
            let noise = String(
                String(seconds, radix: 7).map { "PTDHMSW.1"[String.Index(utf16Offset: Int(String($0))!, in: "PTDHMSW.1")] })
            _ = ISODuration.seconds(noise)
        }
    }

    @Test func defaultsAndErrors() throws {
        let now = Timestamp(iso8601: "2026-11-29T12:00:00Z")!
        let none = try SIEMQuery.parse([], now: now)
        #expect(none.since == now.adding(seconds: -7200) && none.until == now && none.limit == nil)
        let query = try SIEMQuery.parse(
            [("machinegroups", "A"), ("MachineGroups", "B"), ("limit", "200000"), ("sinceTimeUtc", "2026-11-29T00:00:00.000")],
            now: now)
        #expect(query.machineGroups == ["A", "B"] && query.limit == SIEMQuery.maximumLimit)
        #expect(query.since == Timestamp(iso8601: "2026-11-29T00:00:00Z"))
        #expect(throws: RampartError.self) {
            try SIEMQuery.parse([("sinceTimeUtc", "2026-11-29T13:00:00Z"), ("untilTimeUtc", "2026-11-29T12:30:00Z")], now: now)
        }
    }
}
