import PropertyBased
import RampartCore
import RampartTestSupport
import Testing

@Suite struct IncidentCorrelationTests {
    static let t0 = Timestamp(iso8601: "2026-03-01T08:00:00Z")!

    func alert(machine: String?, host: String = "web-1.corp.example", evidence: [AlertEvidence] = []) -> Alert {
        Alert(
            id: "a", tenantID: .random(), sourceID: "s", severity: .low, detectionSource: "x", category: "Execution",
            title: "t", description: "d", alertCreationTime: Self.t0, lastUpdateTime: Self.t0, machineID: machine,
            computerDnsName: host, evidence: evidence)
    }

    @Test func linksNameTheDeviceDomainUsersAndIndicatorsButNotMachineLocalAccounts() {
        var domainUser = AlertEvidence(entityType: "User")
        domainUser.accountName = "Alice"
        domainUser.domainName = "CORP"
        var local = AlertEvidence(entityType: "User")
        local.accountName = "admin"
        local.domainName = "WEB-1"
        var system = AlertEvidence(entityType: "User")
        system.accountName = "SYSTEM"
        system.domainName = "NT AUTHORITY"
        var upn = AlertEvidence(entityType: "User")
        upn.userPrincipalName = "Bob@Contoso.example"
        var ip = AlertEvidence(entityType: "Ip")
        ip.ipAddress = "203.0.113.7"
        var loopback = AlertEvidence(entityType: "Ip")
        loopback.ipAddress = "127.0.0.1"
        var file = AlertEvidence(entityType: "File")
        file.sha1 = "AB12"
        file.sha256 = "CD34"
        var url = AlertEvidence(entityType: "Url")
        url.url = "HTTP://Bad.example/x"
        var subject = alert(machine: "m1", evidence: [domainUser, local, system, upn, ip, loopback, file, url])
        subject.relatedUser = RelatedUser(userName: "root", domainName: nil)
        #expect(
            IncidentCorrelation.links(of: subject) == [
                "device:m1", "user:corp\\alice", "user:bob@contoso.example", "ip:203.0.113.7", "file:cd34",
                "url:http://bad.example/x",
            ])
        #expect(IncidentCorrelation.links(of: alert(machine: nil)).isEmpty)
    }

    @Test func aSharedLinkWithinTheWindowJoinsTheMostRecentIncident() {
        var correlator = IncidentCorrelator(IncidentCorrelation(windowSeconds: 3_600), links: [:])
        let first = correlator.place(links: ["device:a"], first: Self.t0, last: Self.t0, current: nil)
        let second = correlator.place(links: ["device:b"], first: Self.t0, last: Self.t0.adding(seconds: 600), current: nil)
        #expect(first == -1 && second == -2)
        // Shares a link with both: joins the one seen last.
        let both = correlator.place(
            links: ["device:a", "device:b"], first: Self.t0.adding(seconds: 900), last: Self.t0.adding(seconds: 900),
            current: nil)
        #expect(both == second)
        #expect(correlator.links["device:a"] == IncidentLink(incidentID: second, lastSeen: Self.t0.adding(seconds: 900)))
        // Beyond the window: a new incident.
        let late = correlator.place(
            links: ["device:a"], first: Self.t0.adding(seconds: 900 + 3_601), last: Self.t0.adding(seconds: 5_000),
            current: nil)
        #expect(late == -3)
        // An alert that has an incident keeps it.
        #expect(correlator.place(links: ["device:a"], first: Self.t0, last: Self.t0, current: 77) == 77)
        correlator.resolveProvisional([10, 11, 12])
        #expect(correlator.links["device:b"]?.incidentID == 11)
        #expect(correlator.links["device:a"]?.incidentID == 77)
    }

    @Test func storedLinksAreRewrittenWhenTheyLeadElsewhereOrLagByMoreThanASixtyFourthOfTheWindow() {
        let window: Int64 = 6_400
        let stored = [
            "device:a": IncidentLink(incidentID: 5, lastSeen: Self.t0), "ip:x": IncidentLink(incidentID: 6, lastSeen: Self.t0),
        ]
        var correlator = IncidentCorrelator(IncidentCorrelation(windowSeconds: window), links: stored)
        // 100 s later (the tolerance): kept as stored, though the placement itself sees the exact time.
        #expect(
            correlator.place(
                links: ["device:a"], first: Self.t0.adding(seconds: 100), last: Self.t0.adding(seconds: 100), current: nil) == 5)
        #expect(correlator.changed.isEmpty && correlator.links["device:a"]?.lastSeen == Self.t0.adding(seconds: 100))
        _ = correlator.place(
            links: ["device:a"], first: Self.t0.adding(seconds: 101), last: Self.t0.adding(seconds: 101), current: nil)
        #expect(correlator.changed == ["device:a"])
        // A link that now leads to another incident is always written.
        _ = correlator.place(links: ["ip:x"], first: Self.t0, last: Self.t0, current: 9)
        #expect(correlator.changed == ["device:a", "ip:x"] && correlator.links["ip:x"]?.incidentID == 9)
    }

    /// Against the definition: an alert opens a new incident exactly when no earlier alert shared a link with it
    /// within the window, and the alerts of one incident are connected through shared links.
    @Test func placementsFollowTheDefinition() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max / 2)) { seed in
            var random = SplitMix(seed: UInt64(seed))
            let window: Int64 = 600
            var correlator = IncidentCorrelator(IncidentCorrelation(windowSeconds: window), links: [:])
            var placed: [(links: Set<String>, first: Timestamp, last: Timestamp, incident: Int64)] = []
            var start: Int64 = 0
            for _ in 0..<Int.random(in: 1...25, using: &random) {
                start += Int64.random(in: 0...400, using: &random)
                let first = Self.t0.adding(seconds: start)
                let last = first.adding(seconds: Int64.random(in: 0...300, using: &random))
                let links = Set(
                    (0..<Int.random(in: 1...3, using: &random)).map { _ in "k\(Int.random(in: 0..<6, using: &random))" })
                let before = correlator.provisionalCount
                let incident = correlator.place(links: links, first: first, last: last, current: nil)
                let opened = correlator.provisionalCount > before
                let related = placed.contains { !$0.links.isDisjoint(with: links) && $0.last >= first.adding(seconds: -window) }
                #expect(opened == !related, "seed \(seed)")
                if !opened {
                    #expect(placed.contains { $0.incident == incident && !$0.links.isDisjoint(with: links) })
                }
                placed.append((links, first, last, incident))
            }
            for incident in Set(placed.map(\.incident)) {
                let members = placed.filter { $0.incident == incident }
                var reached: Set<String> = members[0].links
                var grew = true
                while grew {
                    grew = false
                    for member in members where !member.links.isDisjoint(with: reached) && !member.links.isSubset(of: reached) {
                        reached.formUnion(member.links)
                        grew = true
                    }
                }
                #expect(members.allSatisfy { !$0.links.isDisjoint(with: reached) })
            }
        }
    }
}
