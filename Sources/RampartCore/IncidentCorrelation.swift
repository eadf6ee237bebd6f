/// How alerts join incidents: an alert joins the active incident that most recently shared a link with it — the
/// same device, the same user, or the same indicator (IP address, URL, file hash) — within the window; otherwise it
/// opens a new incident. Documented in docs/INCIDENTS.md.
public struct IncidentCorrelation: Sendable, Equatable {
    /// How far apart in event time two alerts may be and still join through a shared link.
    public var windowSeconds: Int64

    public static let defaultWindowSeconds: Int64 = 24 * 3_600
    public static let standard = IncidentCorrelation(windowSeconds: defaultWindowSeconds)

    public init(windowSeconds: Int64) { self.windowSeconds = windowSeconds }

    /// Accounts that exist on every machine: sharing one says nothing about an attack.
    static let commonAccounts: Set<String> = [
        "system", "local service", "network service", "anonymous logon", "root", "nobody", "daemon", "-", "n/a", "unknown",
    ]
    static let meaninglessAddresses: Set<String> = ["0.0.0.0", "127.0.0.1", "::", "::1", "255.255.255.255"]

    /// The links of an alert. A user links only where it names an account beyond its machine (a UPN, or a domain
    /// that is not the machine's own name): a machine-local account is already covered by the device.
    public static func links(of alert: Alert) -> Set<String> {
        var links = indicatorLinks(
            computerDnsName: alert.computerDnsName, relatedUser: alert.relatedUser, evidence: alert.evidence)
        if let machine = alert.machineID { links.insert(deviceLink(machineID: machine)) }
        return links
    }

    public static func deviceLink(machineID: String) -> String { "device:\(machineID)" }

    /// The links other than the device's: they follow from what the sensor sent, so ingest works them out before it
    /// takes the database's writer, where the machine id is not known yet.
    public static func indicatorLinks(computerDnsName: String?, relatedUser: RelatedUser?, evidence: [AlertEvidence])
        -> Set<String>
    {
        var links: Set<String> = []
        let machineName = computerDnsName?.split(separator: ".").first.map { $0.lowercased() }
        func user(name: String?, domain: String?, principal: String?) {
            if let principal = principal?.lowercased(), principal.contains("@") {
                links.insert("user:\(principal)")
                return
            }
            guard let name = name?.lowercased(), !name.isEmpty, !commonAccounts.contains(name),
                let domain = domain?.lowercased(), !domain.isEmpty, domain != machineName, domain != "nt authority",
                domain != "workgroup", domain != "."
            else { return }
            links.insert("user:\(domain)\\\(name)")
        }
        if let related = relatedUser { user(name: related.userName, domain: related.domainName, principal: nil) }
        for item in evidence {
            user(name: item.accountName, domain: item.domainName, principal: item.userPrincipalName)
            if let address = item.ipAddress?.lowercased(), !address.isEmpty, !meaninglessAddresses.contains(address),
                !address.hasPrefix("127."), !address.hasPrefix("fe80:"), !address.hasPrefix("169.254.")
            {
                links.insert("ip:\(address)")
            }
            if let url = item.url?.lowercased(), !url.isEmpty { links.insert("url:\(url)") }
            if let hash = (item.sha256 ?? item.sha1)?.lowercased(), !hash.isEmpty { links.insert("file:\(hash)") }
        }
        return links
    }
}

/// Where a link last pointed: the incident and the latest event time it was seen at.
public struct IncidentLink: Sendable, Equatable {
    public var incidentID: Int64
    public var lastSeen: Timestamp

    public init(incidentID: Int64, lastSeen: Timestamp) {
        self.incidentID = incidentID
        self.lastSeen = lastSeen
    }
}

/// Places alerts one by one, in event-time order, into the incidents the links point at. New incidents get
/// provisional negative ids (-1, -2, …) that the store replaces with real ones.
public struct IncidentCorrelator: Sendable {
    public let correlation: IncidentCorrelation
    /// Links of active incidents, as loaded and as changed by placements.
    public private(set) var links: [String: IncidentLink]
    /// The links as they are stored.
    let stored: [String: IncidentLink]
    /// Links whose stored value must be written back: they lead elsewhere now, or were seen more than
    /// `staleness` later than stored. Within that the stored time may lag (the window is kept to within 1/64 of
    /// itself), which spares rewriting every link of a busy device at every batch.
    public private(set) var changed: Set<String> = []
    public private(set) var provisionalCount = 0

    public init(_ correlation: IncidentCorrelation, links: [String: IncidentLink]) {
        self.correlation = correlation
        self.links = links
        self.stored = links
    }

    var staleness: Int64 { correlation.windowSeconds * Timestamp.ticksPerSecond / 64 }

    /// The incident for an alert with these links and event times. An alert that already has an incident stays in it.
    public mutating func place(links alertLinks: Set<String>, first: Timestamp, last: Timestamp, current: Int64?) -> Int64 {
        let earliest = first.adding(seconds: -correlation.windowSeconds)
        let incident: Int64
        if let current {
            incident = current
        } else if let best = alertLinks.compactMap({ links[$0] }).filter({ $0.lastSeen >= earliest }).max(by: { a, b in
            a.lastSeen != b.lastSeen ? a.lastSeen < b.lastSeen : a.incidentID > b.incidentID
        }) {
            incident = best.incidentID
        } else {
            provisionalCount += 1
            incident = -Int64(provisionalCount)
        }
        let seen = max(last, first)
        for link in alertLinks {
            let previous = links[link]
            // The link now leads to this incident; when it was last seen stays the latest time of any alert.
            let updated = IncidentLink(incidentID: incident, lastSeen: max(previous?.lastSeen ?? seen, seen))
            guard previous != updated else { continue }
            links[link] = updated
            if let kept = stored[link], kept.incidentID == incident, updated.lastSeen.ticks - kept.lastSeen.ticks <= staleness {
                changed.remove(link)
            } else {
                changed.insert(link)
            }
        }
        return incident
    }

    /// Replaces provisional ids in the links with the real ones (`real[0]` for -1, …).
    public mutating func resolveProvisional(_ real: [Int64]) {
        for (key, link) in links where link.incidentID < 0 {
            links[key] = IncidentLink(incidentID: real[Int(-link.incidentID) - 1], lastSeen: link.lastSeen)
        }
    }
}
