import PropertyBased
import RampartQuery
import Testing

@Suite struct ODataOptionsTests {
    func parse(_ items: [(String, String)]) throws(ODataError) -> ODataOptions {
        try ODataOptions.parse(
            items.map { (name: $0.0, value: $0.1) }, defaultTop: 10_000, maximumTop: 10_000, expandable: ["evidence"])
    }

    @Test func defaultsAndValues() throws {
        #expect(try parse([]) == ODataOptions(top: 10_000, skip: 0, expand: []))
        #expect(
            try parse([("$top", "5"), ("$skip", "10"), ("$expand", "Evidence")])
                == ODataOptions(top: 5, skip: 10, expand: ["evidence"]))
        #expect(try parse([("api-version", "1"), ("$TOP", "3")]).top == 3)
    }

    @Test(arguments: ["-1", "10001", "ten", "", "1.5"]) func badTopIsAnODataError(value: String) {
        #expect(throws: ODataError.self) { try parse([("$top", value)]) }
    }

    @Test func unknownOptionsAndRepeatsAreRefusedByName() {
        do {
            _ = try parse([("$search", "powershell")])
            Issue.record("accepted $search")
        } catch {
            #expect(error.option == "$search")
        }
        #expect(throws: ODataError.self) { try parse([("$top", "1"), ("$top", "2")]) }
        #expect(throws: ODataError.self) { try parse([("$expand", "comments")]) }
    }

    @Test func acceptedTopIsAlwaysInRange() async {
        await propertyCheck(count: 500, input: Gen.int(in: -50_000...50_000)) { top in
            let result = try? parse([("$top", String(top))])
            #expect((result != nil) == (0...10_000).contains(top))
            if let result { #expect(result.top == top) }
        }
    }
}
