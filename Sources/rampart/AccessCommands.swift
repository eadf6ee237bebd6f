import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Roles: permissions assigned to security groups.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a role.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Role name, unique in the tenant.") var name: String
        @Option(help: "Description.") var description: String = ""
        @Option(
            name: .customLong("permission"),
            help: "\(RolePermission.allCases.map(\.rawValue).joined(separator: ", ")); repeatable.")
        var permissions: [String] = []
        @Option(name: .customLong("group"), help: "Security group (id or name) that holds the role; repeatable.")
        var groups: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let role = try await services.access.saveRole(
                    in: try await tenant.scope(services),
                    RoleInput(name: name, description: description, permissions: permissions, groups: groups))
                if json {
                    try Output.json(role)
                } else {
                    Console.line(CLIText().format("cli_role_created", role.name, role.id.description))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List roles.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let roles = try await services.access.roles(in: try await tenant.scope(services))
                if json {
                    try Output.json(roles)
                } else {
                    for role in roles {
                        Console.line(
                            "\(role.id)  \(role.name)  [\(role.permissions.map(\.rawValue).sorted().joined(separator: ", "))]")
                    }
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a role.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Role id.") var id: String

        func run() async throws {
            guard let id = ObjectID(id) else { throw ValidationError("--id must be a role id (GUID)") }
            try await withServices(storage) { services in
                try await services.access.deleteRole(in: try await tenant.scope(services), id: id)
                Console.line(CLIText().format("cli_deleted", id.description))
            }
        }
    }
}

struct DeviceGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device-group", abstract: "Device groups: ranked membership rules and user access.",
        subcommands: [Create.self, List.self, Delete.self, Preview.self])

    struct Rules: ParsableArguments {
        @Option(name: .customLong("name-rule"), help: "Device name (a trailing * matches by prefix); repeatable, up to 10.")
        var names: [String] = []
        @Option(name: .customLong("domain-rule"), help: "Domain; repeatable, up to 10.") var domains: [String] = []
        @Option(name: .customLong("tag-rule"), help: "Device tag; repeatable, up to 10.") var tags: [String] = []
        @Option(name: .customLong("os-rule"), help: "OS platform; repeatable, up to 10.") var osPlatforms: [String] = []

        var rules: DeviceGroupRules { DeviceGroupRules(names: names, domains: domains, tags: tags, osPlatforms: osPlatforms) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a device group; devices are placed again at once.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Unique name.") var name: String
        @Option(help: "Rank, 1 the highest (default: after the others).") var rank: Int?
        @Option(help: "Description.") var description: String = ""
        @Option(
            name: .customLong("remediation-level"),
            help: "\(RemediationLevel.allCases.map(\.rawValue).joined(separator: ", ")).")
        var remediationLevel: String = RemediationLevel.noAutomatedResponse.rawValue
        @OptionGroup var rules: Rules
        @Option(name: .customLong("user-group"), help: "Security group (holding a role) with access; repeatable.")
        var userGroups: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let level = RemediationLevel(rawValue: remediationLevel) else {
                throw ValidationError(
                    "--remediation-level must be one of \(RemediationLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await withServices(storage) { services in
                let group = try await services.access.saveDeviceGroup(
                    in: try await tenant.scope(services),
                    DeviceGroupInput(
                        name: name, rank: rank, description: description, remediationLevel: level, rules: rules.rules,
                        userGroups: userGroups))
                if json {
                    try Output.json(group)
                } else {
                    Console.line(CLIText().format("cli_device_group_created", group.name, group.rank))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List device groups by rank.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let groups = try await services.access.deviceGroups(in: try await tenant.scope(services))
                if json {
                    try Output.json(groups)
                } else {
                    for group in groups {
                        Console.line("\(group.rank)  \(group.id)  \(group.name)  \(group.remediationLevel.rawValue)")
                    }
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a device group.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Device group id.") var id: String

        func run() async throws {
            guard let id = ObjectID(id) else { throw ValidationError("--id must be a device group id (GUID)") }
            try await withServices(storage) { services in
                try await services.access.deleteDeviceGroup(in: try await tenant.scope(services), id: id)
                Console.line(CLIText().format("cli_deleted", id.description))
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show up to 10 devices that rules would match.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @OptionGroup var rules: Rules

        func run() async throws {
            try await withServices(storage) { services in
                for device in try await services.access.preview(in: try await tenant.scope(services), rules: rules.rules) {
                    Console.line("\(device.id)  \(device.computerDnsName)  \(device.rbacGroupName ?? "")")
                }
            }
        }
    }
}
