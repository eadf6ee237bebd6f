import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore
import RampartTestSupport
import Testing

/// Random delegation worlds driven by random operations through HTTP. A customer tenant has groups, roles, device
/// groups and packages; MSSP users request, get approved, get revoked and expire as an injected clock moves; an MSSP
/// app is authorized with random permissions and device groups. After every operation each principal's answer must
/// equal what an independent reference model says, and nothing of the other customer ever shows.
@Suite struct DelegationIsolationPropertyTests {
    static let worlds = 6
    static let operationsPerWorld = 1_800
    static let password = "correct-horse-battery"
    static let defender = "https://api.securitycenter.microsoft.com/.default"

    /// The reference model: plain values, no Rampart code.
    struct Model {
        var groupView: [Bool]  // per customer group: holds a role with View data
        var groupSettings: [Bool]  // per customer group: holds a role with Manage portal system settings
        var deviceGroupAccess: [[Bool]]  // device group × customer group (only role-holding groups take effect)
        var alertTags: [Int]  // 0, 1 → device groups d0, d1; 2 → default group
        var packageGroups: [[Bool]]  // package × group
        var packageDays: [Int64]
        var expiry: [[Int64?]]  // analyst × package: day the live assignment ends, nil when none
        var revoked: [[Bool]]
        var appView: Bool
        var appGroups: Set<Int>?  // device groups the app is restricted to
        var today: Int64 = 0

        func active(_ analyst: Int, _ package: Int) -> Bool {
            guard let end = expiry[analyst][package], !revoked[analyst][package] else { return false }
            return today < end
        }

        func isGuest(_ analyst: Int) -> Bool { (0..<packageDays.count).contains { active(analyst, $0) } }

        func groups(_ analyst: Int) -> Set<Int> {
            var groups: Set<Int> = []
            for p in 0..<packageDays.count where active(analyst, p) {
                for g in 0..<groupView.count where packageGroups[p][g] { groups.insert(g) }
            }
            return groups
        }

        func holdsRole(_ g: Int) -> Bool { groupView[g] || groupSettings[g] }

        func visibleDeviceGroups(_ groups: Set<Int>) -> Set<Int> {
            var visible: Set<Int> = [2]
            for d in 0..<2 {
                let access = (0..<groupView.count).filter { deviceGroupAccess[d][$0] && holdsRole($0) }
                if access.isEmpty || access.contains(where: groups.contains) { visible.insert(d) }
            }
            return visible
        }

        /// nil: not even allowed in (401); empty with `forbidden`: in, but without View data.
        enum Answer: Equatable {
            case unauthorized
            case forbidden
            case alerts(Set<Int>)
        }

        func guestAnswer(_ analyst: Int) -> Answer {
            guard isGuest(analyst) else { return .unauthorized }
            let groups = groups(analyst)
            guard groups.contains(where: { groupView[$0] }) else { return .forbidden }
            let visible = visibleDeviceGroups(groups)
            return .alerts(Set(alertTags.indices.filter { visible.contains(alertTags[$0]) }))
        }

        func appAnswer() -> Answer {
            guard appView else { return .forbidden }
            let allowed = appGroups ?? [0, 1, 2]
            return .alerts(Set(alertTags.indices.filter { allowed.contains(alertTags[$0]) }))
        }

        func canManageSettings(_ analyst: Int) -> Bool {
            isGuest(analyst) && groups(analyst).contains { groupSettings[$0] }
        }
    }

    static func model(_ random: inout SplitMix) -> Model {
        func flip() -> Bool { random.next() % 2 == 0 }
        let groups = 3
        let packages = 3
        let analysts = 3
        return Model(
            groupView: (0..<groups).map { _ in random.next() % 4 != 0 },
            groupSettings: (0..<groups).map { _ in random.next() % 4 == 0 },
            deviceGroupAccess: (0..<2).map { _ in (0..<groups).map { _ in flip() } },
            alertTags: (0..<8).map { _ in Int(random.next() % 3) },
            packageGroups: (0..<packages).map { _ in
                var row = (0..<groups).map { _ in flip() }
                if !row.contains(true) { row[Int(random.next() % UInt64(groups))] = true }
                return row
            },
            packageDays: [10, 20, 30],
            expiry: Array(repeating: Array(repeating: nil, count: packages), count: analysts),
            revoked: Array(repeating: Array(repeating: false, count: packages), count: analysts),
            // An authorization without device groups is unrestricted, as the API documents.
            appView: flip(), appGroups: flip() ? nil : Set((0..<3).filter { _ in flip() }).nilIfEmpty)
    }

    @Test func everyPrincipalSeesWhatTheReferenceModelAllows() async throws {
        var checked = 0
        for seed in 0..<Self.worlds {
            checked += try await run(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        }
        #expect(checked >= 10_000, "only \(checked) cases were checked")
    }

    /// Builds one world and runs random operations on it; returns the number of answers checked.
    func run(seed: UInt64) async throws -> Int {
        var setupRandom = SplitMix(seed: seed)
        let initial = Self.model(&setupRandom)
        let model = initial
        let clock = TestClock()
        // Thousands of calls by a few principals: throttling is tested on its own, not here.
        let world = try await TestWorld(clock: clock.wall) { configuration in
            configuration.apiRateLimit = RateLimit(perMinute: 0, perHour: 0)
        }
        let services = world.services
        let admin = services.admin
        let customerID = world.contoso.tenant.id
        let customer = DirectoryService.hostScope(customerID)
        let mssp = try await admin.createTenant(name: "MSSP", domain: "mssp.example", kind: .mssp).tenant
        let msspScope = DirectoryService.hostScope(mssp.id)
        var created: [User] = []
        for a in 0..<model.expiry.count {
            created.append(
                try await admin.createUser(
                    in: msspScope, userPrincipalName: "a\(a)@mssp.example", displayName: "", role: .member,
                    password: Self.password))
        }
        _ = try await services.connectedOrganizations.add(in: customer, reference: "mssp.example")
        for g in 0..<model.groupView.count {
            _ = try await admin.createGroup(in: customer, name: "g\(g)", description: "")
            let permissions =
                (model.groupView[g] ? ["ViewData.SecurityOperations"] : [])
                + (model.groupSettings[g] ? ["ManagePortalSystemSettings"] : [])
            if !permissions.isEmpty {
                _ = try await services.access.saveRole(
                    in: customer, RoleInput(name: "r\(g)", description: nil, permissions: permissions, groups: ["g\(g)"]))
            }
        }
        for d in 0..<2 {
            let groups = (0..<model.groupView.count).filter { model.deviceGroupAccess[d][$0] && model.holdsRole($0) }
            _ = try await services.access.saveDeviceGroup(
                in: customer,
                DeviceGroupInput(
                    name: "d\(d)", rank: nil, description: nil, remediationLevel: nil, rules: DeviceGroupRules(tags: ["t\(d)"]),
                    userGroups: groups.map { "g\($0)" }))
        }
        var made: [AccessPackage] = []
        for p in 0..<model.packageDays.count {
            made.append(
                try await services.entitlements.savePackage(
                    in: customer,
                    AccessPackageInput(
                        name: "p\(p)", groups: (0..<model.groupView.count).filter { model.packageGroups[p][$0] }.map { "g\($0)" },
                        requestorOrganizations: ["mssp.example"], requiresJustification: false,
                        expiryDays: Int(model.packageDays[p]))))
        }
        let app = try await admin.createApp(in: msspScope, displayName: "MSSP SIEM")
        let appSecret = try await admin.addSecret(in: msspScope, clientID: app.clientID).secret
        _ = try await services.appAuthorizations.authorize(
            in: customer, clientID: app.clientID, permissions: model.appView ? ["Alert.Read.All"] : ["Machine.Read.All"],
            deviceGroups: model.appGroups.map { $0.sorted().map { $0 == 2 ? DeviceGroup.defaultName : "d\($0)" } } ?? [])

        let analysts = created
        let packages = made
        return try await world.application().test(.router) { client in
            var model = initial
            var random = SplitMix(seed: seed ^ 0x5DEE_CE66)
            var checked = 0
            let ingest = try await client.token(world.contoso)
            let records: [[String: Any]] = model.alertTags.enumerated().map { index, tag in
                var item = record("a\(index)", title: "alert-\(index)")
                item["device"] = ["hostname": "h\(index)", "domain": "corp.example", "tags": tag < 2 ? ["t\(tag)"] : []]
                return item
            }
            _ = try await client.json("/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody(records))
            let foreign = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.fabrikam), method: .post,
                body: ingestBody([record("x", title: "alert-foreign")]))
            let foreignID = (foreign.1["results"] as? [[String: Any]])?.first?["alertId"] as? String ?? ""
            let (_, all) = try await client.json("/api/alerts", token: ingest)
            let idsByTitle = Dictionary(
                uniqueKeysWithValues: (all["value"] as? [[String: Any]] ?? []).compactMap { item in
                    (item["title"] as? String).flatMap { title in (item["id"] as? String).map { (title, $0) } }
                })

            func token(tenant: TenantID, upn: String, scope: String, password: String = Self.password) async throws
                -> String?
            {
                let response = try await client.form(
                    "/\(tenant)/oauth2/v2.0/token",
                    [
                        "grant_type": "password", "client_id": TokenService.publicClientID.description, "username": upn,
                        "password": password, "scope": scope,
                    ])
                guard response.status == .ok else { return nil }
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                return object?["access_token"] as? String
            }
            var guestTokens: [String?] = Array(repeating: nil, count: analysts.count)
            let adminToken =
                try await token(
                    tenant: customerID, upn: "admin@contoso.example", scope: "api://rampart/.default",
                    password: world.contoso.adminPassword) ?? ""
            var homeTokens: [String] = []
            var homeDefenderTokens: [String] = []
            for analyst in analysts {
                homeTokens.append(
                    try await token(tenant: mssp.id, upn: analyst.userPrincipalName, scope: "api://rampart/.default") ?? "")
                homeDefenderTokens.append(
                    try await token(tenant: mssp.id, upn: analyst.userPrincipalName, scope: Self.defender) ?? "")
            }
            let appToken = try await client.form(
                "/\(customerID)/oauth2/v2.0/token",
                [
                    "grant_type": "client_credentials", "client_id": app.clientID.description, "client_secret": appSecret,
                    "scope": Self.defender,
                ])
            let appAccess =
                (try JSONSerialization.jsonObject(with: Data(appToken.body.readableBytesView)) as? [String: Any])?[
                    "access_token"] as? String ?? ""

            func observe(_ status: HTTPResponse.Status, _ body: [String: Any]) -> Model.Answer? {
                switch status {
                case .unauthorized: return .unauthorized
                case .forbidden: return .forbidden
                case .ok:
                    let titles = (body["value"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
                    return .alerts(Set(titles.compactMap { $0.hasPrefix("alert-") ? Int($0.dropFirst(6)) : -1 }))
                default: return nil
                }
            }

            for step in 0..<Self.operationsPerWorld {
                let a = Int(random.next() % UInt64(analysts.count))
                let p = Int(random.next() % UInt64(packages.count))
                let context = "seed \(seed) step \(step) analyst a\(a) day \(model.today) model \(model)"
                switch random.next() % 10 {
                case 0:
                    // Request and approve: a new assignment, or an extension of the live one.
                    let (filed, request) = try await client.json(
                        "/manage/v1/access-requests", token: homeTokens[a], method: .post,
                        body: #"{"packageId":"\#(packages[p].id)"}"#)
                    #expect(filed == .created, "request: \(context)")
                    let (decided, _) = try await client.json(
                        "/manage/v1/access-requests/\(request["id"] as? String ?? "")/approve", token: adminToken,
                        method: .post)
                    #expect(decided == .ok, "approve: \(context)")
                    checked += 2
                    model.expiry[a][p] = model.today + model.packageDays[p]
                    model.revoked[a][p] = false
                case 1:
                    // Revoke through the management API, as the customer's administrator.
                    let live = try await services.entitlements.assignments(in: customer).first {
                        $0.homeUserID == analysts[a].id && $0.packageID == packages[p].id && $0.isActive(at: clock.wall.now())
                    }
                    let (status, _) = try await client.json(
                        "/manage/v1/access-assignments/\(live?.id ?? ObjectID.random())/revoke", token: adminToken,
                        method: .post)
                    #expect(status == (model.active(a, p) ? .ok : .notFound), "revoke: \(context)")
                    if live != nil { model.revoked[a][p] = true }
                    #expect(model.active(a, p) == false, "\(context)")
                    checked += 1
                case 2:
                    let days = Int64(random.next() % 9)
                    clock.advance(days: days)
                    model.today += days
                case 3:
                    // A fresh token in the customer tenant exists exactly while some assignment is live.
                    let fresh = try await token(tenant: customerID, upn: analysts[a].userPrincipalName, scope: Self.defender)
                    #expect((fresh != nil) == model.isGuest(a), "token: \(context)")
                    if fresh != nil { guestTokens[a] = fresh }
                    checked += 1
                case 4:
                    // A guest write through the management API: allowed only with Manage portal system settings.
                    let management = try await token(
                        tenant: customerID, upn: analysts[a].userPrincipalName, scope: "api://rampart/.default")
                    guard let management else {
                        #expect(!model.isGuest(a), "management token: \(context)")
                        checked += 1
                        continue
                    }
                    let (status, _) = try await client.json(
                        "/manage/v1/device-groups", token: management, method: .post,
                        body: #"{"name":"made-\#(seed)-\#(step)","rules":{"tags":["never-\#(step)"]}}"#)
                    #expect(status == (model.canManageSettings(a) ? .created : .forbidden), "write: \(context)")
                    checked += 1
                case 5:
                    let (status, body) = try await client.json("/api/alerts", token: appAccess)
                    #expect(observe(status, body) == model.appAnswer(), "app: \(context)")
                    checked += 1
                case 6:
                    // One alert by id, the other customer's included: hidden rows answer as if they did not exist.
                    guard let held = guestTokens[a] else { continue }
                    let pick = Int(random.next() % UInt64(model.alertTags.count + 1))
                    let id = pick == model.alertTags.count ? foreignID : idsByTitle["alert-\(pick)"] ?? ""
                    let (status, _) = try await client.json("/api/alerts/\(id)", token: held)
                    let expected: HTTPResponse.Status =
                        switch model.guestAnswer(a) {
                        case .unauthorized: .unauthorized
                        case .forbidden: .forbidden
                        case .alerts(let visible): pick < model.alertTags.count && visible.contains(pick) ? .ok : .notFound
                        }
                    #expect(status == expected, "get \(pick): \(context)")
                    checked += 1
                case 7:
                    // The MSSP list with a home-tenant token: the customer's rows exactly as the guest sees them there
                    // (the MSSP tenant holds no alerts of its own here), the other customer's never.
                    let (status, body) = try await client.json("/api/mssp/alerts", token: homeDefenderTokens[a])
                    let seen: Set<Int>? =
                        switch observe(status, body) {
                        case .alerts(let titles): titles
                        case .forbidden: []
                        default: nil
                        }
                    let expected: Set<Int> =
                        switch model.guestAnswer(a) {
                        case .alerts(let visible): visible
                        default: []
                        }
                    #expect(seen == expected, "mssp list: \(context)")
                    checked += 1
                default:
                    // The alert list with the token held since it was issued: grants are re-read at every call.
                    guard let held = guestTokens[a] else { continue }
                    let (status, body) = try await client.json("/api/alerts", token: held)
                    #expect(observe(status, body) == model.guestAnswer(a), "list: \(context)")
                    checked += 1
                }
            }
            return checked
        }
    }
}

extension Set {
    var nilIfEmpty: Set? { isEmpty ? nil : self }
}
