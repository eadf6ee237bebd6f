import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

struct ConnectedOrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connected-org", abstract: "The MSSP tenants a customer works with.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Connect another tenant by id or domain.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(name: .customLong("org"), help: "The other tenant's id or verified domain.") var organization: String

        func run() async throws {
            try await withServices(storage) { services in
                let (connected, _) = try await services.connectedOrganizations.add(
                    in: try await tenant.scope(services), reference: organization)
                Console.line(CLIText().format("cli_org_connected", connected.name, connected.id.description))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List connected organizations.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                for (organization, added) in try await services.connectedOrganizations.list(in: try await tenant.scope(services))
                {
                    Console.line("\(organization.id)  \(organization.domain)  \(organization.name)  \(added)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disconnect a tenant.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(name: .customLong("org"), help: "The other tenant's id or verified domain.") var organization: String

        func run() async throws {
            try await withServices(storage) { services in
                try await services.connectedOrganizations.remove(in: try await tenant.scope(services), reference: organization)
                Console.line(CLIText().format("cli_deleted", organization))
            }
        }
    }
}
