import ArgumentParser
import Crypto
import Foundation
import RampartCore
import RampartDelivery
import RampartFormats
import RampartServer
import RampartStore

/// Sensor output from a file into a tenant: once, or following the file as it grows (`--follow`, like `tail -F`,
/// through rotation), resuming after a restart where the last run stopped.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Ingest a sensor's alert file (Suricata EVE, Wazuh, Falco, OCSF, Defender, native).")
    @OptionGroup var storage: StorageOptions
    @OptionGroup var tenant: TenantOption
    @Option(help: "alerts (native), suricata, wazuh, falco, ocsf or defender.") var format: String
    @Option(help: "The device name for records that name none (Falco before 0.32).") var host: String?
    @Flag(help: "Keep reading as the file grows and is rotated; resume after a restart.") var follow = false
    @Option(help: "Where --follow keeps its position (default: in the data directory).") var state: String?
    @Option(help: "Records per batch.") var batch: Int = 1000
    @Argument(help: "The file (gzip-compressed files are read too, without --follow).") var file: String

    func run() async throws {
        guard let sensor = SensorFormat(rawValue: format) else {
            throw ValidationError(
                CLIText().format("cli_ingest_format", format, SensorFormat.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        guard (1...IngestBody.maximumRecords).contains(batch) else { throw ValidationError("batch must be 1 to 5000") }
        let options = SensorFormat.Options(defaultHostname: host)
        try await withServices(storage) { services in
            let scope = try await tenant.scope(services)
            var totals = Totals()
            if follow {
                let statePath = state ?? defaultStatePath(services)
                let follower = FileFollower(path: file, statePath: statePath)
                Console.line(CLIText().format("cli_ingest_following", file, statePath))
                while !Task.isCancelled {
                    let records = try follower.next(limit: batch)
                    if records.isEmpty {
                        try await Task.sleep(for: .milliseconds(500))
                        continue
                    }
                    let counts = try await ingest(records, sensor, options, scope, services)
                    try follower.commit()
                    totals.add(counts)
                    Console.line(totals.summary)
                }
            } else {
                var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                if Gzip.isCompressed(bytes) { bytes = try Gzip.inflate(bytes, limit: 1 << 30) }
                let records = try sensor.records(from: Data(bytes))
                for start in stride(from: 0, to: records.count, by: batch) {
                    totals.add(
                        try await ingest(
                            Array(records[start..<min(start + batch, records.count)]), sensor, options, scope, services))
                }
                Console.line(totals.summary)
            }
        }
    }

    struct Totals {
        var created = 0, updated = 0, rejected = 0, ignored = 0
        var reasons: [String: Int] = [:]

        mutating func add(_ other: Totals) {
            created += other.created
            updated += other.updated
            rejected += other.rejected
            ignored += other.ignored
            reasons.merge(other.reasons, uniquingKeysWith: +)
        }

        var summary: String {
            var lines = [
                CLIText().format("cli_ingest_summary", String(created), String(updated), String(rejected), String(ignored))
            ]
            for (reason, count) in reasons.sorted(by: { $0.value > $1.value }).prefix(10) {
                lines.append("  \(count) × \(reason)")
            }
            return lines.joined(separator: "\n")
        }
    }

    func ingest(
        _ records: [Any], _ sensor: SensorFormat, _ options: SensorFormat.Options, _ scope: AccessScope, _ services: Services
    ) async throws -> Totals {
        var totals = Totals()
        var accepted: [AlertSubmission] = []
        for record in records {
            if (record as? [String: Any])?[FileFollower.unreadableKey] != nil {
                totals.rejected += 1
                totals.reasons[CLIText().format("cli_ingest_unreadable"), default: 0] += 1
                continue
            }
            switch sensor.map(record, options: options) {
            case .submission(let submission): accepted.append(submission)
            case .rejected(let rejection):
                totals.rejected += 1
                totals.reasons[rejection.reason, default: 0] += 1
            case .ignored: totals.ignored += 1
            }
        }
        for outcome in try await services.alerts.ingest(accepted, scope: scope, now: .now()) {
            switch outcome {
            case .created: totals.created += 1
            case .updated: totals.updated += 1
            }
        }
        return totals
    }

    /// One state file per followed path, in the data directory.
    func defaultStatePath(_ services: Services) -> String {
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let digest = SHA256.hash(data: Data(absolute.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let directory = URL(fileURLWithPath: services.configuration.dataDirectory).appendingPathComponent("ingest-state")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(digest).json").path
    }
}
