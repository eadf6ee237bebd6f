import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

/// Resolves `--tenant` (id or domain) for commands run on the host.
struct TenantOption: ParsableArguments {
    @Option(name: .customLong("tenant"), help: "Tenant id or verified domain.") var reference: String

    func scope(_ services: Services) async throws -> AccessScope {
        guard let tenant = try await services.directory.tenant(named: reference) else {
            throw CLIFailure(CLIText().format("cli_tenant_not_found", reference))
        }
        return DirectoryService.hostScope(tenant.id)
    }
}

extension Services {
    func schemaVersion() async throws -> Int { try await Migrator(executor: database).currentVersion() }
}

/// Runs a command body with the services open, closing the database afterwards.
func withServices(_ storage: StorageOptions, _ body: (Services) async throws -> Void) async throws {
    let services = try await Settings.services(storage)
    do {
        try await body(services)
    } catch let error as RampartError {
        try? await services.database.close()
        throw CLIFailure(CLIError.describe(error))
    }
    try await services.database.close()
}

/// A failure of the work itself (not of the command line): printed without the usage text.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum CLIError {
    static func describe(_ error: RampartError) -> String {
        switch error {
        case .unauthorized(let message), .forbidden(let message), .notFound(let message), .conflict(let message): message
        case .invalidInput(_, let message): message
        case .tooManyRequests(let seconds): "Too many requests; retry after \(seconds) seconds."
        case .payloadTooLarge(let limit): "Too large (limit \(limit) bytes)."
        }
    }
}

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create and list tenants.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant and its first administrator.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Display name.") var name: String
        @Option(help: "Verified domain, e.g. contoso.example.") var domain: String
        @Option(help: "customer or mssp.") var kind: String = "customer"
        @Flag(name: .customLong("operator"), help: "Its administrators may create tenants through the API.") var isOperator =
            false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let kind = TenantKind(rawValue: kind) else { throw ValidationError("--kind must be customer or mssp") }
            try await withServices(storage) { services in
                let created = try await services.admin.createTenant(
                    name: name, domain: domain, kind: kind, isOperator: isOperator)
                if json {
                    try Output.json(
                        [
                            "id": created.tenant.id.description, "name": created.tenant.name, "domain": created.tenant.domain,
                            "kind": created.tenant.kind.rawValue, "adminUserPrincipalName": created.admin.userPrincipalName,
                            "adminPassword": created.adminPassword,
                        ])
                } else {
                    let text = CLIText()
                    print(text.format("cli_tenant_created", created.tenant.name, created.tenant.id.description))
                    print(text.format("cli_admin_password", created.admin.userPrincipalName, created.adminPassword))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var storage: StorageOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let tenants = try await services.directory.allTenants()
                if json {
                    try Output.json(tenants)
                } else {
                    for tenant in tenants {
                        print(
                            "\(tenant.id)  \(tenant.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(tenant.domain)  \(tenant.name)"
                        )
                    }
                }
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create and list users, set passwords.",
        subcommands: [Create.self, List.self, SetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; prints a one-time password unless --password is given.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "User principal name, name@domain.") var upn: String
        @Option(name: .customLong("display-name"), help: "Display name.") var displayName: String = ""
        @Option(help: "admin or member.") var role: String = "member"
        @Option(help: "Password (12 to 72 bytes); generated when absent.") var password: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let role = UserRole(rawValue: role) else { throw ValidationError("--role must be admin or member") }
            try await withServices(storage) { services in
                let scope = try await tenant.scope(services)
                let secret = password ?? Secrets.makePassword()
                let user = try await services.admin.createUser(
                    in: scope, userPrincipalName: upn, displayName: displayName, role: role, password: secret)
                if json {
                    var body = [
                        "id": user.id.description, "userPrincipalName": user.userPrincipalName, "role": user.role.rawValue,
                    ]
                    if password == nil { body["password"] = secret }
                    try Output.json(body)
                } else {
                    print(CLIText().format("cli_user_created", user.userPrincipalName, user.id.description))
                    if password == nil { print(CLIText().format("cli_one_time_password", secret)) }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's users.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let users = try await services.directory.users(in: try await tenant.scope(services))
                if json {
                    try Output.json(users)
                } else {
                    for user in users {
                        print(
                            "\(user.id)  \(user.role.rawValue)  \(user.enabled ? "enabled " : "disabled")  \(user.userPrincipalName)"
                        )
                    }
                }
            }
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Set a user's password.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "User id or UPN.") var user: String
        @Option(help: "New password; generated and printed when absent.") var password: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let secret = password ?? Secrets.makePassword()
                let updated = try await services.admin.setPassword(
                    in: try await tenant.scope(services), user: user, password: secret)
                if json {
                    var body = ["id": updated.id.description, "userPrincipalName": updated.userPrincipalName]
                    if password == nil { body["password"] = secret }
                    try Output.json(body)
                } else {
                    print(CLIText().format("cli_password_set", updated.userPrincipalName))
                    if password == nil { print(CLIText().format("cli_one_time_password", secret)) }
                }
            }
        }
    }
}

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Security groups and memberships.",
        subcommands: [Create.self, AddMember.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a security group.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Group name, unique in the tenant.") var name: String
        @Option(help: "Description.") var description: String = ""
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let group = try await services.admin.createGroup(
                    in: try await tenant.scope(services), name: name, description: description)
                if json {
                    try Output.json(group)
                } else {
                    print(CLIText().format("cli_group_created", group.name, group.id.description))
                }
            }
        }
    }

    struct Membership: Encodable {
        let group: String
        let user: String
        let added: Bool
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a user to a group.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Group id or name.") var group: String
        @Option(help: "User id or UPN.") var user: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let (group, user, added) = try await services.admin.addMember(
                    in: try await tenant.scope(services), group: group, user: user)
                if json {
                    try Output.json(Membership(group: group.id.description, user: user.id.description, added: added))
                } else {
                    print(CLIText().format(added ? "cli_member_added" : "cli_member_exists", user.userPrincipalName, group.name))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and their members.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let groups = try await services.directory.groups(in: try await tenant.scope(services))
                if json {
                    try Output.json(groups.map { GroupListing(group: $0.0, members: $0.1) })
                } else {
                    for (group, members) in groups { print("\(group.id)  \(group.name)  [\(members.joined(separator: ", "))]") }
                }
            }
        }
    }

    struct GroupListing: Encodable {
        let group: SecurityGroup
        let members: [String]
    }
}
