/// Defender for Endpoint's role permissions (reference §6.3), as stable identifiers.
public enum RolePermission: String, Sendable, Codable, CaseIterable, Comparable {
    /// View data — Security operations.
    case viewSecurityOperations = "ViewData.SecurityOperations"
    /// View data — Defender Vulnerability Management.
    case viewVulnerabilityManagement = "ViewData.VulnerabilityManagement"
    /// Active remediation actions — Security operations.
    case activeRemediation = "ActiveRemediationActions"
    case alertsInvestigation = "AlertsInvestigation"
    /// Storage, SIEM and API settings, roles and device groups.
    case managePortalSystemSettings = "ManagePortalSystemSettings"
    /// Alert suppression, onboarding, email notifications, indicators.
    case manageSecuritySettings = "ManageSecuritySettings"
    case liveResponseBasic = "LiveResponse.Basic"
    case liveResponseAdvanced = "LiveResponse.Advanced"

    public static func < (lhs: RolePermission, rhs: RolePermission) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What holding the permission lets a request do.
    var capabilities: Set<Capability> {
        switch self {
        case .viewSecurityOperations:
            [
                .readAlerts, .readIncidents, .readMachines, .readFileProfiles, .readIPProfiles, .readURLProfiles,
                .readUserProfiles,
            ]
        case .alertsInvestigation: [.writeAlerts, .writeIncidents]
        // Tags place devices in device groups, which decide who sees them: tagging belongs with managing the groups.
        case .managePortalSystemSettings: [.managePortalSettings, .tagDevices]
        case .manageSecuritySettings: [.manageSecuritySettings]
        case .viewVulnerabilityManagement, .activeRemediation, .liveResponseBasic, .liveResponseAdvanced: []
        }
    }
}

/// A role: a named set of permissions, assigned to security groups.
public struct Role: Sendable, Equatable, Codable {
    public var id: ObjectID
    public var tenantID: TenantID
    public var name: String
    public var description: String
    public var permissions: Set<RolePermission>
    /// The security groups that hold this role.
    public var groupIDs: Set<ObjectID>

    public init(
        id: ObjectID, tenantID: TenantID, name: String, description: String, permissions: Set<RolePermission>,
        groupIDs: Set<ObjectID>
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.description = description
        self.permissions = permissions
        self.groupIDs = groupIDs
    }
}

/// How far automated investigations may remediate on a device group's devices.
public enum RemediationLevel: String, Sendable, Codable, CaseIterable {
    case noAutomatedResponse = "NoAutomatedResponse"
    case semiApprovalAllFolders = "SemiApprovalAllFolders"
    case semiApprovalNonTemporaryFolders = "SemiApprovalNonTemporaryFolders"
    case semiApprovalSystemFolders = "SemiApprovalSystemFolders"
    case fullRemediation = "FullRemediation"
}

/// The attributes device-group rules look at.
public struct DeviceAttributes: Sendable, Equatable {
    public var name: String
    public var domain: String?
    public var tags: [String]
    public var osPlatform: String?

    public init(name: String, domain: String?, tags: [String], osPlatform: String?) {
        self.name = name
        self.domain = domain
        self.tags = tags
        self.osPlatform = osPlatform
    }

    /// Splits a fully qualified name into host and domain.
    public init(device: Device) {
        let parts = device.computerDnsName.split(separator: ".", maxSplits: 1)
        self.init(
            name: parts.first.map(String.init) ?? device.computerDnsName, domain: parts.count > 1 ? String(parts[1]) : nil,
            tags: device.allTags, osPlatform: device.osPlatform)
    }
}

/// Membership rules: OR between the values of one property, AND across the properties that have values.
/// A value ending in `*` matches by prefix; matching ignores case.
public struct DeviceGroupRules: Sendable, Equatable, Codable {
    public static let maximumValues = 10
    public var names: [String]
    public var domains: [String]
    public var tags: [String]
    public var osPlatforms: [String]

    public init(names: [String] = [], domains: [String] = [], tags: [String] = [], osPlatforms: [String] = []) {
        self.names = names
        self.domains = domains
        self.tags = tags
        self.osPlatforms = osPlatforms
    }

    enum CodingKeys: String, CodingKey { case names, domains, tags, osPlatforms }

    /// Properties left out mean "no rule on this property".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        names = try container.decodeIfPresent([String].self, forKey: .names) ?? []
        domains = try container.decodeIfPresent([String].self, forKey: .domains) ?? []
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        osPlatforms = try container.decodeIfPresent([String].self, forKey: .osPlatforms) ?? []
    }

    public var isEmpty: Bool { names.isEmpty && domains.isEmpty && tags.isEmpty && osPlatforms.isEmpty }

    /// Refuses rules Defender would refuse: more than ten values for a property, or empty values.
    public func validate() throws(RampartError) {
        for (property, values) in [("names", names), ("domains", domains), ("tags", tags), ("osPlatforms", osPlatforms)] {
            guard values.count <= Self.maximumValues else {
                throw .invalidInput(
                    code: "InvalidInput", message: "rules.\(property) holds at most \(Self.maximumValues) values.")
            }
            guard values.allSatisfy({ !$0.trimmingWhitespace().isEmpty && $0.count <= 256 }) else {
                throw .invalidInput(code: "InvalidInput", message: "rules.\(property) values must have 1 to 256 characters.")
            }
        }
    }

    public func matches(_ device: DeviceAttributes) -> Bool {
        guard !isEmpty else { return false }
        func any(_ patterns: [String], _ values: [String]) -> Bool {
            patterns.isEmpty || patterns.contains { pattern in values.contains { Self.match(pattern, $0) } }
        }
        return any(names, [device.name]) && any(domains, device.domain.map { [$0] } ?? [])
            && any(tags, device.tags) && any(osPlatforms, device.osPlatform.map { [$0] } ?? [])
    }

    static func match(_ pattern: String, _ value: String) -> Bool {
        let pattern = pattern.lowercased()
        let value = value.lowercased()
        if pattern.hasSuffix("*") { return value.hasPrefix(pattern.dropLast()) }
        return pattern == value
    }
}

/// A device group: devices matched by rules, ranked, visible to the user groups it names (or to all).
public struct DeviceGroup: Sendable, Equatable, Codable {
    public static let defaultName = "Ungrouped devices (default)"

    public var id: ObjectID
    public var tenantID: TenantID
    public var name: String
    /// 1 is the highest; the default group always ranks last.
    public var rank: Int
    public var description: String
    public var remediationLevel: RemediationLevel
    public var rules: DeviceGroupRules
    /// Security groups with access; empty means every user with portal access.
    public var userGroupIDs: Set<ObjectID>
    public var isDefault: Bool

    public init(
        id: ObjectID, tenantID: TenantID, name: String, rank: Int, description: String,
        remediationLevel: RemediationLevel, rules: DeviceGroupRules, userGroupIDs: Set<ObjectID>, isDefault: Bool
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.rank = rank
        self.description = description
        self.remediationLevel = remediationLevel
        self.rules = rules
        self.userGroupIDs = userGroupIDs
        self.isDefault = isDefault
    }

    /// The group a device belongs to: the highest-ranked group whose rules match, else the default group.
    public static func placement(of device: DeviceAttributes, in groups: [DeviceGroup]) -> DeviceGroup? {
        let ranked = groups.filter { !$0.isDefault }.sorted { ($0.rank, $0.name) < ($1.rank, $1.name) }
        return ranked.first { $0.rules.matches(device) } ?? groups.first(where: \.isDefault)
    }
}

/// What a member user may do and see, from their groups' roles and the device groups' user access.
public enum UserAccess {
    /// `home` is the signed-in account a guest stands for; the principal then names it and its home tenant.
    public static func scope(
        user: User, memberOf groups: Set<ObjectID>, roles: [Role], deviceGroups: [DeviceGroup], home: User? = nil
    ) -> AccessScope {
        let principal = Principal.user(
            id: home?.id ?? user.id, tenantID: home?.tenantID ?? user.tenantID,
            userPrincipalName: home?.userPrincipalName ?? user.userPrincipalName)
        guard user.enabled, home?.enabled ?? true else {
            return AccessScope(tenantID: user.tenantID, principal: principal, capabilities: [], deviceGroups: .only([]))
        }
        if user.role == .admin {
            return AccessScope(
                tenantID: user.tenantID, principal: principal, capabilities: Capability.administrator, deviceGroups: .all,
                groupIDs: groups)
        }
        let held = roles.filter { !$0.groupIDs.isDisjoint(with: groups) }
        let permissions = held.reduce(into: Set<RolePermission>()) { $0.formUnion($1.permissions) }
        let visible = deviceGroups.filter { $0.userGroupIDs.isEmpty || !$0.userGroupIDs.isDisjoint(with: groups) }
        return AccessScope(
            tenantID: user.tenantID, principal: principal,
            capabilities: permissions.reduce(into: Set<Capability>()) { $0.formUnion($1.capabilities) },
            deviceGroups: .only(Set(visible.map(\.name))), groupIDs: groups)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
