import Foundation
import RampartCore
import RampartStore

/// The input of a role, as the API and the CLI take it; groups by id or name.
public struct RoleInput: Sendable, Decodable {
    public var name: String
    public var description: String?
    public var permissions: [String]
    public var groups: [String]?

    public init(name: String, description: String?, permissions: [String], groups: [String]?) {
        self.name = name
        self.description = description
        self.permissions = permissions
        self.groups = groups
    }
}

/// The input of a device group; user groups by id or name.
public struct DeviceGroupInput: Sendable, Decodable {
    public var name: String
    public var rank: Int?
    public var description: String?
    public var remediationLevel: RemediationLevel?
    public var rules: DeviceGroupRules
    public var userGroups: [String]?

    public init(
        name: String, rank: Int?, description: String?, remediationLevel: RemediationLevel?, rules: DeviceGroupRules,
        userGroups: [String]?
    ) {
        self.name = name
        self.rank = rank
        self.description = description
        self.remediationLevel = remediationLevel
        self.rules = rules
        self.userGroups = userGroups
    }
}

/// Roles and device groups, checked and saved; needs "Manage portal system settings".
public struct RBACService: Sendable {
    let directory: DirectoryRepository
    let rbac: RBACRepository

    public init(directory: DirectoryRepository, rbac: RBACRepository) {
        self.directory = directory
        self.rbac = rbac
    }

    public func roles(in scope: AccessScope) async throws -> [Role] {
        try scope.require(.managePortalSettings)
        return try await rbac.roles(tenantID: scope.tenantID)
    }

    /// Creates a role, or replaces the role `id` of the tenant.
    public func saveRole(in scope: AccessScope, id: ObjectID? = nil, _ input: RoleInput) async throws -> Role {
        try scope.require(.managePortalSettings)
        let name = try Self.name(input.name)
        var permissions: Set<RolePermission> = []
        for text in input.permissions {
            guard let permission = RolePermission(rawValue: text) else {
                throw RampartError.invalidInput(
                    code: "InvalidInput",
                    message:
                        "Unknown role permission \(text); known: \(RolePermission.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            permissions.insert(permission)
        }
        let existing = try await rbac.roles(tenantID: scope.tenantID)
        if let id, !existing.contains(where: { $0.id == id }) { throw RampartError.notFound("Role \(id) was not found.") }
        if existing.contains(where: { $0.name.lowercased() == name.lowercased() && $0.id != id }) {
            throw RampartError.conflict("A role named \(name) already exists.")
        }
        let role = Role(
            id: id ?? .random(), tenantID: scope.tenantID, name: name, description: input.description ?? "",
            permissions: permissions, groupIDs: try await groupIDs(input.groups ?? [], in: scope))
        try await rbac.save(
            role,
            audit: .make(
                scope, action: id == nil ? "role.create" : "role.update", target: name,
                details: "permissions=\(role.permissions.map(\.rawValue).sorted().joined(separator: ","))"))
        return role
    }

    public func deleteRole(in scope: AccessScope, id: ObjectID) async throws {
        try scope.require(.managePortalSettings)
        guard
            try await rbac.deleteRole(
                id: id, tenantID: scope.tenantID, audit: .make(scope, action: "role.delete", target: id.description))
        else {
            throw RampartError.notFound("Role \(id) was not found.")
        }
    }

    public func deviceGroups(in scope: AccessScope) async throws -> [DeviceGroup] {
        try scope.require(.managePortalSettings)
        return try await rbac.deviceGroups(tenantID: scope.tenantID)
    }

    /// Creates a device group, or replaces the group `id`; devices are placed again before this returns.
    public func saveDeviceGroup(in scope: AccessScope, id: ObjectID? = nil, _ input: DeviceGroupInput) async throws -> DeviceGroup
    {
        try scope.require(.managePortalSettings)
        let name = try Self.name(input.name)
        try input.rules.validate()
        if let rank = input.rank, rank < 1 {
            throw RampartError.invalidInput(code: "InvalidInput", message: "rank must be 1 or more (1 is the highest).")
        }
        let existing = try await rbac.deviceGroups(tenantID: scope.tenantID)
        let previous = id.flatMap { id in existing.first { $0.id == id } }
        if id != nil, previous == nil { throw RampartError.notFound("Device group \(id!) was not found.") }
        if existing.contains(where: { $0.name.lowercased() == name.lowercased() && $0.id != id }) {
            throw RampartError.conflict("A device group named \(name) already exists.")
        }
        if previous?.isDefault == true {
            guard name == previous?.name, input.rules.isEmpty, input.rank == nil || input.rank == previous?.rank else {
                throw RampartError.invalidInput(
                    code: "DisallowedOperation",
                    message:
                        "The default device group keeps its name, rank and rules; only its remediation level, description and user access change."
                )
            }
        } else if input.rules.isEmpty {
            throw RampartError.invalidInput(
                code: "MissingRequiredParameter", message: "Parameter rules is missing: give at least one rule.")
        }
        let userGroups = try await groupIDs(input.userGroups ?? [], in: scope)
        let roleHolders = try await rbac.roles(tenantID: scope.tenantID).reduce(into: Set<ObjectID>()) {
            $0.formUnion($1.groupIDs)
        }
        if let without = userGroups.first(where: { !roleHolders.contains($0) }) {
            throw RampartError.invalidInput(
                code: "InvalidInput",
                message: "Group \(without) holds no role; only groups assigned to roles can be given access.")
        }
        let ordinary = existing.filter { !$0.isDefault && $0.id != id }.count
        let rank = previous?.isDefault == true ? previous!.rank : min(max(input.rank ?? ordinary + 1, 1), ordinary + 1)
        let group = DeviceGroup(
            id: id ?? .random(), tenantID: scope.tenantID, name: name, rank: rank, description: input.description ?? "",
            remediationLevel: input.remediationLevel ?? previous?.remediationLevel ?? .noAutomatedResponse, rules: input.rules,
            userGroupIDs: userGroups, isDefault: previous?.isDefault ?? false)
        try await rbac.save(
            group,
            audit: .make(
                scope, action: id == nil ? "deviceGroup.create" : "deviceGroup.update", target: name,
                details: "rank=\(rank)"))
        return try await rbac.deviceGroups(tenantID: scope.tenantID).first { $0.id == group.id } ?? group
    }

    public func deleteDeviceGroup(in scope: AccessScope, id: ObjectID) async throws {
        try scope.require(.managePortalSettings)
        guard
            try await rbac.deleteDeviceGroup(
                id: id, tenantID: scope.tenantID, audit: .make(scope, action: "deviceGroup.delete", target: id.description))
        else {
            throw RampartError.notFound("Device group \(id) was not found.")
        }
    }

    public func preview(in scope: AccessScope, rules: DeviceGroupRules) async throws -> [Device] {
        try scope.require(.managePortalSettings)
        try rules.validate()
        return try await rbac.preview(rules, tenantID: scope.tenantID)
    }

    func groupIDs(_ references: [String], in scope: AccessScope) async throws -> Set<ObjectID> {
        var ids: Set<ObjectID> = []
        for reference in references {
            guard let group = try await directory.group(in: scope, reference: reference) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "Group \(reference) was not found in this tenant.")
            }
            ids.insert(group.id)
        }
        return ids
    }

    static func name(_ text: String) throws(RampartError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 256 else {
            throw .invalidInput(code: "InvalidInput", message: "A name must have 1 to 256 characters.")
        }
        return name
    }
}
