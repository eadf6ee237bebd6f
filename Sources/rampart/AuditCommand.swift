import ArgumentParser
import Foundation
import RampartCore
import RampartServer
import RampartStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tenants' hash-chained audit logs.", subcommands: [Verify.self, List.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every tenant's chain; exit non-zero if an entry was changed, removed or reordered.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withServices(storage) { services in
                let broken = try await AuditRepository(db: services.database).verify()
                let text = CLIText()
                guard broken.isEmpty else {
                    for (tenant, position) in broken {
                        Console.line(text.format("cli_audit_broken", tenant.description, position))
                    }
                    throw CLIFailure(text.format("cli_audit_failed", broken.count))
                }
                Console.line(text.format("cli_audit_intact"))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a tenant's newest audit entries.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "How many entries.") var limit: Int = 50

        func run() async throws {
            try await withServices(storage) { services in
                let scope = try await tenant.scope(services)
                for record in try await AuditRepository(db: services.database).entries(scope, limit: max(1, limit)) {
                    let entry = record.entry
                    Console.line(
                        "\(record.position)  \(entry.time)  \(entry.actor)  \(entry.action)  \(entry.target)  \(entry.details)")
                }
            }
        }
    }
}
