import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

/// Helpers for the benchmarks in docs/PERFORMANCE.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmark helpers.", subcommands: [Seed.self, Push.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create N tenants with an API app each and store M alerts spread over them, in process.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Tenants to create.") var tenants: Int = 100
        @Option(help: "Alerts to store in all.") var alerts: Int = 1_000_000
        @Option(help: "Alerts per ingest transaction.") var batch: Int = 1000
        @Option(help: "Where to write the apps' credentials (JSON).") var output: String

        struct AppCredentials: Encodable {
            let tenant: String
            let clientID: String
            let clientSecret: String
        }

        func run() async throws {
            guard tenants > 0, alerts >= 0, batch > 0 else { throw ValidationError("counts must be positive") }
            try await withServices(storage) { services in
                var credentials: [AppCredentials] = []
                let run = UUID().uuidString.prefix(8).lowercased()
                for index in 0..<tenants {
                    let created = try await services.admin.createTenant(
                        name: "Bench \(index)", domain: "bench\(index)-\(run).example", kind: .customer)
                    let scope = DirectoryService.hostScope(created.tenant.id)
                    let app = try await services.admin.createApp(in: scope, displayName: "bench")
                    _ = try await services.admin.grant(
                        in: scope, clientID: app.clientID, permissions: ["Alert.Read.All", "Alert.Ingest"])
                    let secret = try await services.admin.addSecret(in: scope, clientID: app.clientID)
                    credentials.append(
                        AppCredentials(
                            tenant: created.tenant.id.description, clientID: app.clientID.description, clientSecret: secret.secret
                        ))
                }
                // An MSSP app authorized in every tenant, for the cross-tenant queue.
                let mssp = try await services.admin.createTenant(
                    name: "Bench MSSP", domain: "bench-mssp-\(run).example", kind: .mssp)
                let msspScope = DirectoryService.hostScope(mssp.tenant.id)
                let msspApp = try await services.admin.createApp(in: msspScope, displayName: "bench MSSP")
                let msspSecret = try await services.admin.addSecret(in: msspScope, clientID: msspApp.clientID)
                for entry in credentials {
                    _ = try await services.appAuthorizations.authorize(
                        in: DirectoryService.hostScope(TenantID(entry.tenant)!), clientID: msspApp.clientID,
                        permissions: ["Alert.Read.All"], deviceGroups: [])
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(credentials).write(to: URL(fileURLWithPath: output))
                try encoder.encode([
                    AppCredentials(
                        tenant: mssp.tenant.id.description, clientID: msspApp.clientID.description,
                        clientSecret: msspSecret.secret)
                ]).write(to: URL(fileURLWithPath: output + ".mssp.json"))

                let start = ContinuousClock.now
                var stored = 0
                var number = 0
                while stored < alerts {
                    let tenant = TenantID(credentials[number % tenants].tenant)!
                    let count = min(batch, alerts - stored)
                    let submissions = (0..<count).map { offset in
                        Self.submission("seed-\(run)-\(number)-\(offset)", host: offset % 50)
                    }
                    _ = try await services.alerts.ingest(submissions, scope: DirectoryService.hostScope(tenant), now: .now())
                    stored += count
                    number += 1
                }
                let seconds =
                    Double((ContinuousClock.now - start).components.seconds)
                    + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                Console.line(
                    "{\"tenants\": \(tenants), \"alerts\": \(stored), \"seconds\": \(String(format: "%.1f", seconds)), "
                        + "\"alertsPerSecond\": \(Int(Double(stored) / max(seconds, 0.001)))}")
            }
        }

        static func submission(_ sourceID: String, host: Int) -> AlertSubmission {
            var evidence = AlertEvidence(entityType: "Ip")
            evidence.ipAddress = "10.0.\(host).\(host % 250 + 1)"
            return AlertSubmission(
                sourceID: sourceID,
                device: DeviceIdentity(hostname: "host-\(host)", domain: "bench.example", osPlatform: "Linux"),
                title: "Bench detection \(host)", description: "Synthetic alert for benchmarks.",
                severity: [AlertSeverity.informational, .low, .medium, .high][host % 4],
                category: "Execution", detectionSource: "ThirdPartySensors", detectorID: "bench:\(sourceID)",
                firstEventTime: .now(), lastEventTime: .now(), mitreTechniques: ["T1059"], evidence: [evidence])
        }
    }
}
