import PropertyBased
import RampartCore
import Testing

@Suite struct TimestampTests {
    @Test func formatsWithDefenderPrecision() {
        let time = Timestamp(iso8601: "2021-01-26T20:33:57.7220239Z")
        #expect(time?.description == "2021-01-26T20:33:57.7220239Z")
        #expect(Timestamp(iso8601: "2021-01-26T20:33:59.2Z")?.description == "2021-01-26T20:33:59.2Z")
        #expect(Timestamp(iso8601: "2021-01-26T20:33:59Z")?.description == "2021-01-26T20:33:59Z")
    }

    @Test func appliesOffsets() {
        #expect(Timestamp(iso8601: "2016-09-15T10:56:31.000000-0600")?.description == "2016-09-15T16:56:31Z")
        #expect(Timestamp(iso8601: "2022-05-11T12:29:19.905+0000")?.description == "2022-05-11T12:29:19.905Z")
        #expect(Timestamp(iso8601: "2022-05-11T12:29:19+02:30")?.description == "2022-05-11T09:59:19Z")
    }

    @Test func refusesMalformedText() {
        for text in [
            "", "2021", "2021-13-01T00:00:00Z", "2021-02-30T00:00:00Z", "2021-01-01T25:00:00Z", "2021-01-01T00:00:00",
            "2021-01-01T00:00:00.Z", "2021-01-01T00:00:00Zjunk", "yesterday",
        ] {
            #expect(Timestamp(iso8601: text) == nil, "\(text) should not parse")
        }
    }

    @Test func longFractionsAreTruncatedNotRejected() {
        #expect(Timestamp(iso8601: "2023-01-01T00:00:00.123456789Z")?.description == "2023-01-01T00:00:00.1234567Z")
    }

    @Test func formatThenParseIsIdentity() async {
        // Years 0001 to 9999 in ticks since the Unix epoch.
        await propertyCheck(count: 2000, input: Gen.int64(in: -621_355_968_000_000_000...2_534_022_719_999_999_999)) { ticks in
            let time = Timestamp(ticks: ticks)
            #expect(Timestamp(iso8601: time.description) == time)
        }
    }

    @Test func dotNetTicksMatchDefenderAlertIDs() {
        // da637472900382838869_… was created at 2021-01-26T20:33:58.2838869Z.
        let time = Timestamp(iso8601: "2021-01-26T20:33:58.2838869Z")!
        #expect(time.dotNetTicks == 637_472_900_382_838_869)
        #expect(AlertIDGenerator.make(at: time, random: 1_364_969_609) == "da637472900382838869_1364969609")
    }

    /// A batch's ids are drawn ahead: all distinct, ascending (the order they are stored in), all of the batch's time.
    @Test func batchIDsAreDistinctAscendingAndOfOneTime() {
        let time = Timestamp(iso8601: "2026-11-29T10:00:00Z")!
        let ids = AlertIDGenerator.make(count: 20_000, at: time)
        #expect(ids.count == 20_000)
        #expect(Set(ids).count == 20_000)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.hasPrefix("da\(time.dotNetTicks)_") })
        #expect(AlertIDGenerator.make(count: 0, at: time).isEmpty)
    }
}
