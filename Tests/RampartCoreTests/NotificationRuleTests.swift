import PropertyBased
import Testing

@testable import RampartCore

@Suite struct NotificationRuleTests {
    @Test func addressesAreValidatedAsSMTPWantsThem() {
        for good in ["soc@mssp.example", "first.last+tag@sub.mssp-example.com", "A_B@X.EXAMPLE"] {
            #expect(EmailAddress(good) != nil, "\(good)")
        }
        #expect(EmailAddress("A_B@X.EXAMPLE")?.value == "A_B@x.example", "domains are case-insensitive")
        for bad in [
            "", "plain", "@mssp.example", "soc@", "soc@mssp", "a..b@mssp.example", ".a@mssp.example", "a.@mssp.example",
            "soc@-mssp.example", "soc@mssp.example\r\nBcc: x@y.example", "soc @mssp.example", "<soc@mssp.example>",
            "soc@1.2.3.4", "соц@mssp.example", "\"q\"@mssp.example", String(repeating: "a", count: 65) + "@mssp.example",
        ] {
            #expect(EmailAddress(bad) == nil, "\(bad.debugDescription)")
        }
    }

    /// Whatever is typed, an accepted address has no character that could end an SMTP command or a header.
    @Test func acceptedAddressesAreSafeOnTheWire() async {
        let alphabet: [Character] = ["a", "@", ".", "-", "\r", "\n", " ", "<", ">", ",", "\"", "+", "1", "é", "x"]
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 3
            var text = ""
            for _ in 0..<Int(state % 20) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            if let address = EmailAddress(text) {
                #expect(!address.value.contains { "\r\n <>,\"".contains($0) }, "\(text.debugDescription)")
                let ascii = address.value.unicodeScalars.allSatisfy { $0.isASCII }
                #expect(ascii)
                #expect(address.value.filter { $0 == "@" }.count == 1)
            }
        }
    }

    func rule(_ groups: NotificationDeviceGroups, _ severities: Set<AlertSeverity>, enabled: Bool = true) -> NotificationRule {
        NotificationRule(
            id: .random(), tenantID: .random(), name: "r", enabled: enabled, deviceGroups: groups, severities: severities,
            recipients: [EmailAddress("a@b.example")!], createdAt: .now(), updatedAt: .now())
    }

    @Test func matchingFollowsSeverityAndDeviceGroups() {
        let servers = ObjectID.random()
        let chosen = rule(.only([servers]), [.high, .medium])
        #expect(chosen.matches(severity: .high, deviceGroup: servers))
        #expect(!chosen.matches(severity: .low, deviceGroup: servers))
        #expect(!chosen.matches(severity: .high, deviceGroup: .random()))
        #expect(!chosen.matches(severity: .high, deviceGroup: nil))
        #expect(rule(.all, [.low]).matches(severity: .low, deviceGroup: nil))
        #expect(!rule(.all, [.low], enabled: false).matches(severity: .low, deviceGroup: nil))
        #expect(NotificationRule.notifies(kind: "created", severity: .low, previous: nil))
        #expect(NotificationRule.notifies(kind: "updated", severity: .high, previous: .medium))
        #expect(!NotificationRule.notifies(kind: "updated", severity: .medium, previous: .medium))
        #expect(!NotificationRule.notifies(kind: "updated", severity: .low, previous: .high))
        #expect(!NotificationRule.notifies(kind: "resolved", severity: .high, previous: .low))
    }

    /// Random rules and alerts against a plain reference: an enabled rule takes an alert exactly when its severity
    /// is chosen and its device group is chosen (or all are).
    @Test func matchingAgreesWithTheReference() async {
        let groups = (0..<4).map { _ in ObjectID.random() }
        let severities: [AlertSeverity] = [.informational, .low, .medium, .high]
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 5
            func bit() -> Bool {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return (state >> 40) & 1 == 1
            }
            let chosenSeverities = Set(severities.filter { _ in bit() })
            let all = bit()
            let chosenGroups = Set(groups.filter { _ in bit() })
            let enabled = bit() || bit()
            let alertSeverity = severities[Int(state % 4)]
            let alertGroup: ObjectID? = bit() ? groups[Int((state >> 8) % 4)] : nil
            let candidate = rule(all ? .all : .only(chosenGroups), chosenSeverities, enabled: enabled)
            let expected =
                enabled && chosenSeverities.contains(alertSeverity)
                && (all || (alertGroup.map { chosenGroups.contains($0) } ?? false))
            #expect(candidate.matches(severity: alertSeverity, deviceGroup: alertGroup) == expected)
        }
    }

    @Test func validationNamesTheProblem() throws {
        #expect(throws: RampartError.self) { try rule(.only([]), [.high]).validated() }
        #expect(throws: RampartError.self) { try rule(.all, []).validated() }
        var many = rule(.all, [.high])
        many.recipients = (0...100).map { EmailAddress("a\($0)@b.example")! }
        #expect(throws: RampartError.self) { try many.validated() }
        var duplicates = rule(.all, [.high])
        duplicates.recipients = [EmailAddress("a@b.example")!, EmailAddress("a@B.example")!]
        #expect(try duplicates.validated().recipients.count == 1)
    }

    static let t0 = Timestamp(iso8601: "2026-11-29T00:00:00Z")!

    @Test func digestsWaitForTheirPeriod() {
        let items = [1, 2, 3]
        let none = NotificationPlan.History(lastHour: [], lastDigest: nil)
        #expect(
            NotificationPlan.emails(
                for: items, delivery: .digest(minutes: 15), history: none, waitingSince: Self.t0, now: Self.t0.adding(seconds: 60)
            ).isEmpty)
        let due = NotificationPlan.emails(
            for: items, delivery: .digest(minutes: 15), history: none, waitingSince: Self.t0, now: Self.t0.adding(seconds: 900))
        #expect(due == [.init(kind: .digest, items: [1, 2, 3])])
        let recent = NotificationPlan.History(lastHour: [], lastDigest: Self.t0.adding(seconds: 600))
        #expect(
            NotificationPlan.emails(
                for: items, delivery: .digest(minutes: 15), history: recent, waitingSince: Self.t0,
                now: Self.t0.adding(seconds: 900)
            ).isEmpty)
    }

    /// Over any sequence of passes, a throttled rule never writes more than its limit in any hour, and every item
    /// ends up in exactly one email.
    @Test func throttleNeverExceedsTheLimitAndLosesNothing() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 11
            func next(_ bound: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(bound))
            }
            let limit = 1 + next(6)
            var sent: [Timestamp] = []
            var waiting: [Int] = []
            var delivered: [Int] = []
            var nextItem = 0
            var now = Self.t0
            for _ in 0..<200 {
                now = now.adding(seconds: Int64(next(400)))
                for _ in 0..<next(4) {
                    waiting.append(nextItem)
                    nextItem += 1
                }
                let emails = NotificationPlan.emails(
                    for: waiting, delivery: .throttled(perHour: limit),
                    history: .init(lastHour: sent.filter { $0 > now.adding(seconds: -3600) }, lastDigest: nil),
                    waitingSince: now, now: now)
                for email in emails {
                    sent.append(now)
                    delivered += email.items
                }
                waiting.removeAll { delivered.contains($0) }
                #expect(sent.filter { $0 > now.adding(seconds: -3600) }.count <= limit)
            }
            #expect(Set(delivered).count == delivered.count, "no item twice")
            #expect(Set(delivered).union(waiting) == Set(0..<nextItem), "no item lost")
        }
    }
}
