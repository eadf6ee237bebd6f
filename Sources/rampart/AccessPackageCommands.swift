import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

/// Delegated access from the host's shell, with the authority of a tenant administrator.
struct AccessPackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-package", abstract: "Access packages a customer offers its connected organizations.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an access package; prints its request link.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "The package name.") var name: String
        @Option(help: "What the package is for.") var description: String?
        @Option(name: .customLong("group"), help: "A group the package grants (id or name); repeatable.") var groups: [String]
        @Option(name: .customLong("org"), help: "A connected organization whose users may request (id or domain); repeatable.")
        var organizations: [String]
        @Option(help: "The group whose members approve; default: the tenant's administrators.") var approvers: String?
        @Flag(help: "Requesters need not give a justification.") var noJustification = false
        @Option(help: "Days an assignment lasts.") var expiryDays: Int = AccessPackage.defaultExpiryDays
        @Option(help: "Days between reviews of each assignment.") var reviewDays: Int?

        func run() async throws {
            try await withServices(storage) { services in
                let package = try await services.entitlements.savePackage(
                    in: try await tenant.scope(services),
                    AccessPackageInput(
                        name: name, description: description, groups: groups, requestorOrganizations: organizations,
                        approverGroup: approvers, requiresJustification: !noJustification, expiryDays: expiryDays,
                        reviewIntervalDays: reviewDays))
                Console.line(
                    CLIText().format(
                        "cli_package_created", package.name, services.configuration.resolvedPublicURL + package.requestPath))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List access packages.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                for package in try await services.entitlements.packages(in: try await tenant.scope(services)) {
                    Console.line(
                        "\(package.id)  \(package.name)  expiryDays=\(package.expiryDays)  \(services.configuration.resolvedPublicURL)\(package.requestPath)"
                    )
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a package nobody holds any more.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The package id.") var id: String

        func run() async throws {
            try await withServices(storage) { services in
                guard let packageID = ObjectID(id) else { throw CLIFailure(CLIText().format("cli_bad_id", id)) }
                try await services.entitlements.deletePackage(in: try await tenant.scope(services), id: packageID)
                Console.line(CLIText().format("cli_deleted", id))
            }
        }
    }
}

struct AccessRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-request", abstract: "Requests for a tenant's access packages.",
        subcommands: [List.self, Approve.self, Deny.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List requests, newest first.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                for request in try await services.entitlements.requests(in: try await tenant.scope(services)) {
                    Console.line(
                        "\(request.id)  \(request.status.rawValue)  \(request.requesterName)  package=\(request.packageID)  \(request.createdAt)"
                    )
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a pending request.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The request id.") var id: String
        @Option(help: "Why.") var reason: String = ""

        func run() async throws { try await decide(storage, tenant, id, approve: true, reason: reason) }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deny a pending request.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The request id.") var id: String
        @Option(help: "Why (required).") var reason: String

        func run() async throws { try await decide(storage, tenant, id, approve: false, reason: reason) }
    }

    static func decide(_ storage: StorageOptions, _ tenant: TenantOption, _ id: String, approve: Bool, reason: String)
        async throws
    {
        try await withServices(storage) { services in
            guard let requestID = ObjectID(id) else { throw CLIFailure(CLIText().format("cli_bad_id", id)) }
            let decided = try await services.entitlements.decide(
                in: try await tenant.scope(services), requestID: requestID, approve: approve, reason: reason)
            Console.line(CLIText().format("cli_request_decided", decided.id.description, decided.status.rawValue))
        }
    }
}

struct AccessAssignmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access-assignment", abstract: "Guests' assignments of a tenant's access packages.",
        subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List assignments with their state now.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                let now = Timestamp.now()
                for item in try await services.entitlements.assignments(in: try await tenant.scope(services)) {
                    Console.line(
                        "\(item.id)  \(item.state(at: now).rawValue)  \(item.homeUserName)  package=\(item.packageID)  expires=\(item.expiresAt)"
                    )
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an assignment; effective at the guest's next request.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The assignment id.") var id: String

        func run() async throws {
            try await withServices(storage) { services in
                guard let assignmentID = ObjectID(id) else { throw CLIFailure(CLIText().format("cli_bad_id", id)) }
                _ = try await services.entitlements.revoke(in: try await tenant.scope(services), assignmentID: assignmentID)
                Console.line(CLIText().format("cli_assignment_revoked", id))
            }
        }
    }
}
