import PropertyBased
import RampartCore
import RampartQuery
import RampartTestSupport
import Testing

@Suite struct FilterParserTests {
    @Test func parsesDefenderAndGraphExamples() throws {
        #expect(
            try FilterParser.parse("alertCreationTime gt 2018-11-22")
                == .compare(property: "alertCreationTime", .gt, .dateTime(Timestamp(iso8601: "2018-11-22T00:00:00Z")!)))
        #expect(
            try FilterParser.parse("status eq 'New' and severity in ('High', 'Medium')")
                == .and(
                    .compare(property: "status", .eq, .string("New")),
                    .isIn(property: "severity", [.string("High"), .string("Medium")])))
        #expect(
            try FilterParser.parse("severity eq microsoft.graph.alertSeverity'high'")
                == .compare(property: "severity", .eq, .enumMember(type: "microsoft.graph.alertSeverity", value: "high")))
        #expect(
            try FilterParser.parse("not (assignedTo eq null) or startswith(title, 'It''s')")
                == .or(.not(.compare(property: "assignedTo", .eq, .null)), .function(.startswith, property: "title", "It's")))
        #expect(
            try FilterParser.parse("machineTags/any(tag: tag eq 'prod')") == .any(property: "machineTags", .eq, .string("prod")))
        #expect(
            try FilterParser.parse("id eq 8b5d2c1e-0000-4000-8000-00000000abcd")
                == .compare(property: "id", .eq, .guid("8b5d2c1e-0000-4000-8000-00000000abcd")))
        #expect(
            try FilterParser.parse("lastUpdateTime ge 2022-08-05T05:16:44.1234567+03:00")
                == .compare(
                    property: "lastUpdateTime", .ge, .dateTime(Timestamp(iso8601: "2022-08-05T02:16:44.1234567Z")!)))
        #expect(try FilterParser.parse("incidentId eq -42") == .compare(property: "incidentId", .eq, .integer(-42)))
        // AND binds tighter than OR.
        #expect(
            try FilterParser.parse("a eq 1 or b eq 2 and c eq 3")
                == .or(
                    .compare(property: "a", .eq, .integer(1)),
                    .and(.compare(property: "b", .eq, .integer(2)), .compare(property: "c", .eq, .integer(3)))))
    }

    @Test(arguments: [
        ("status eq", 10, "expected a literal"),
        ("status eq 'New", 11, "not closed"),
        ("(status eq 'New'", 17, "expected ')'"),
        ("status equals 'New'", 8, "expected a comparison"),
        ("status eq 'New' and", 20, "expected a property"),
        ("status eq 12ab", 11, "is not a number"),
        ("status eq 'a' )", 15, "unexpected ')'"),
        ("startswith(title, 3)", 19, "takes a string literal"),
        ("tags/all(t: t eq 'x')", 6, "only the 'any' lambda"),
        ("title eq 'x' ; drop table alerts", 14, "unexpected character ';'"),
    ])
    func badFiltersNameTheProblemAndItsPosition(text: String, position: Int, message: String) {
        do {
            _ = try FilterParser.parse(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.position == position, "\(text): \(error.description)")
            #expect(error.message.contains(message), "\(text): \(error.description)")
            #expect(error.option == "$filter")
        }
    }

    @Test func nestingAndLengthAreBounded() {
        let deep = String(repeating: "(", count: 40) + "a eq 1" + String(repeating: ")", count: 40)
        #expect(throws: ODataError.self) { try FilterParser.parse(deep) }
        let nots = String(repeating: "not ", count: 5_000) + "a eq 1"
        #expect(throws: ODataError.self) { try FilterParser.parse(nots) }
        #expect(throws: ODataError.self) { try FilterParser.parse(String(repeating: "a", count: 10_000)) }
    }

    /// Random expressions print to text that parses back to the same expression.
    @Test func printThenParseIsStable() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var random = FilterRandom(seed: UInt64(seed))
            let expression = random.expression(depth: 0)
            do {
                let parsed = try FilterParser.parse(expression.text)
                #expect(parsed == expression, "\(expression.text)")
                #expect(parsed.text == expression.text)
            } catch {
                Issue.record("\(expression.text) did not parse: \(error)")
            }
        }
    }

    /// 100,000 generated and mutated inputs: each parses or is refused with a position inside the text; none traps.
    @Test func fuzzedInputsNeverCrash() {
        var random = FilterRandom(seed: 0xF11_7E5)
        let corpus = [
            "status eq 'New' and severity in ('High', 'Medium')", "not (assignedTo eq null)",
            "machineTags/any(t: t eq 'x')", "alertCreationTime gt 2024-01-01T00:00:00Z",
            "contains(title, 'O''Brien') or id eq 8b5d2c1e-0000-4000-8000-00000000abcd",
            "severity eq microsoft.graph.alertSeverity'high'",
        ]
        let alphabet = Array("()',:/ -+.0123456789abcdefTZeqnotandorinxyz'\"\\;%_*\u{0}é😀\t\n")
        var parsed = 0
        for round in 0..<100_000 {
            var text: [Character]
            if round % 4 == 0 {
                text = Array(random.expression(depth: 0).text)
            } else {
                text = Array(corpus[Int(random.next() % UInt64(corpus.count))])
            }
            for _ in 0..<Int(random.next() % 6) {
                let position = text.isEmpty ? 0 : Int(random.next() % UInt64(text.count + 1))
                let character = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: text.insert(character, at: position)
                case 1: if position < text.count { text.remove(at: position) }
                default: if position < text.count { text[position] = character }
                }
            }
            let input = String(text)
            do {
                let expression = try FilterParser.parse(input)
                #expect(try FilterParser.parse(expression.text) == expression, "\(input)")
                parsed += 1
            } catch {
                guard let position = error.position else {
                    Issue.record("no position for \(input)")
                    continue
                }
                #expect((1...(input.count + 1)).contains(position), "\(input): \(error.description)")
            }
        }
        #expect(parsed > 1_000, "the fuzzer should also reach valid inputs")
    }
}

/// Builds random filter expressions from a seed.
struct FilterRandom {
    var random: SplitMix
    init(seed: UInt64) { random = SplitMix(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    mutating func literal() -> FilterLiteral {
        switch next() % 8 {
        case 0: .string(pick(["New", "O'Brien", "", "a b", "ünïcode", "''"]))
        case 1: .integer(Int64(bitPattern: next()) % 1_000_000)
        case 2: .decimal(pick([1.5, -0.25, 1e20, 3.0]))
        case 3: .boolean(next() % 2 == 0)
        case 4: .null
        case 5: .dateTime(Timestamp(ticks: Int64(next() % 40_000_000_000_000_000)))
        case 6: .guid(ObjectID.random().description)
        default: .enumMember(type: "microsoft.graph.alertSeverity", value: pick(["high", "low"]))
        }
    }

    mutating func expression(depth: Int) -> FilterExpression {
        let property = pick(["status", "severity", "title", "alertCreationTime", "assignedTo", "incidentId"])
        if depth < 4, next() % 3 == 0 {
            switch next() % 3 {
            case 0: return .and(expression(depth: depth + 1), expression(depth: depth + 1))
            case 1: return .or(expression(depth: depth + 1), expression(depth: depth + 1))
            default: return .not(expression(depth: depth + 1))
            }
        }
        switch next() % 4 {
        case 0: return .isIn(property: property, (0..<Int(1 + next() % 3)).map { _ in literal() })
        case 1: return .function(pick(StringFunction.allCases), property: property, pick(["ab", "It's", ""]))
        case 2: return .any(property: "machineTags", .eq, literal())
        default: return .compare(property: property, pick(ComparisonOperator.allCases), literal())
        }
    }
}
