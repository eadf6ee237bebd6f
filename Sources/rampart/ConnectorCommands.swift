import ArgumentParser
import Foundation
import RampartCore
import RampartDelivery
import RampartServer
import RampartStore

/// Push connectors from the host's shell, with the authority of a tenant administrator.
struct ConnectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connector", abstract: "Push connectors (syslog, webhook, Splunk HEC) of a tenant.",
        subcommands: [Create.self, List.self, Pause.self, Resume.self, Rewind.self, Delete.self, DeadLetters.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a connector; prints its id (and a webhook's signing key, shown this once).")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "The connector name.") var name: String
        @Option(help: "syslog, webhook or hec.") var transport: String = "syslog"
        @Option(help: "syslog: the receiver's host.") var host: String?
        @Option(help: "syslog: the receiver's port.") var port: Int?
        @Flag(help: "syslog: plain TCP instead of TLS.") var noTLS = false
        @Option(help: "syslog: rfc5424 (default) or rfc3164.") var header: String?
        @Flag(help: "syslog: UDP, for legacy receivers only (no delivery guarantee; implies --no-tls).") var udp = false
        @Option(help: "syslog over UDP: the largest datagram in bytes (default 2048).") var maxDatagramBytes: Int?
        @Option(help: "syslog over TLS: a client certificate (PEM) for receivers that require one.") var clientCert: String?
        @Option(help: "syslog over TLS: the client certificate's key (PEM).") var clientKey: String?
        @Option(help: "webhook: the endpoint; hec: the collector's base URL.") var url: String?
        @Option(help: "hec: the collector token (read from RAMPART_HEC_TOKEN when absent).") var token: String?
        @Flag(help: "hec: wait for indexer acknowledgement.") var ack = false
        @Option(help: "PEM roots the receiver's certificate must chain to.") var ca: String?
        @Option(help: "cef, leef, json or ocsf.") var format: String = "cef"
        @Option(name: .customLong("severity"), help: "Only these severities; repeatable.") var severities: [String] = []
        @Option(name: .customLong("device-group"), help: "Only these device groups; repeatable.") var deviceGroups: [String] = []
        @Option(name: .customLong("kind"), help: "Only these kinds (created, updated, resolved); repeatable.") var kinds:
            [String] = []
        @Option(help: "For an MSSP: an app whose authorizing customers are all pushed.") var delegatedApp: String?
        @Option(help: "latest (default) or earliest.") var start: String?

        func run() async throws {
            try await withServices(storage) { services in
                var input = ConnectorInput(
                    name: name, transport: transport, host: host, port: port, tls: !noTLS && !udp, url: url,
                    token: token ?? ProcessInfo.processInfo.environment["RAMPART_HEC_TOKEN"], useAck: ack, caFile: ca,
                    format: format, severities: severities, deviceGroups: deviceGroups, kinds: kinds,
                    delegatedApp: delegatedApp, start: start)
                if transport == "syslog" {
                    (input.header, input.udp, input.maximumDatagramBytes) = (header, udp, maxDatagramBytes)
                    (input.clientCertFile, input.clientKeyFile) = (clientCert, clientKey)
                }
                let (record, secret) = try await services.connectorManagement.create(
                    in: try await tenant.scope(services), input)
                Console.line(CLIText().format("cli_connector_created", record.connector.name, record.connector.id.description))
                if let secret { Console.line(CLIText().format("cli_connector_secret", secret)) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List connectors with their health.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                for record in try await services.connectorManagement.connectors(in: try await tenant.scope(services)) {
                    let health = record.health
                    Console.line(
                        "\(record.connector.id)  \(record.connector.name)  \(record.connector.transport.name)/\(record.connector.format.rawValue)  "
                            + "\(record.connector.state.rawValue)  sent=\(health.sent) failed=\(health.failed) "
                            + "dead=\(health.deadLettered) lag=\(health.lag)  \(health.lastError ?? "")")
                }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop pushing; the checkpoint stays.")
        @OptionGroup var connector: ConnectorReference

        func run() async throws {
            try await connector.run { services, scope, id in
                _ = try await services.connectorManagement.setState(in: scope, id: id, .paused)
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Push again from the checkpoint.")
        @OptionGroup var connector: ConnectorReference

        func run() async throws {
            try await connector.run { services, scope, id in
                _ = try await services.connectorManagement.setState(in: scope, id: id, .active)
            }
        }
    }

    struct Rewind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Push again everything from a time on.")
        @OptionGroup var connector: ConnectorReference
        @Option(help: "ISO 8601 date and time.") var to: String

        func run() async throws {
            guard let time = Timestamp(iso8601: to) else { throw CLIFailure(CLIText().format("cli_bad_time", to)) }
            try await connector.run { services, scope, id in
                _ = try await services.connectorManagement.rewind(in: scope, id: id, to: time)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a connector.")
        @OptionGroup var connector: ConnectorReference

        func run() async throws {
            try await connector.run(done: "cli_deleted") { services, scope, id in
                try await services.connectorManagement.delete(in: scope, id: id)
            }
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "List a connector's dead letters, or send them again with --replay.")
        @OptionGroup var connector: ConnectorReference
        @Flag(help: "Send them again now.") var replay = false

        func run() async throws {
            try await connector.run(done: nil) { services, scope, id in
                let record = try await services.connectorManagement.connector(in: scope, id: id)
                if replay {
                    let readable = try await services.connectorScopes(record.connector)
                    let count = try await services.connectorDelivery.replay(record, readable: readable)
                    Console.line(CLIText().format("cli_replayed", count))
                    return
                }
                for letter in try await services.connectorManagement.deadLetters(in: scope, id: id) {
                    Console.line("\(letter.createdAt)  \(letter.tenantID)  \(letter.alertID)  \(letter.kind)  \(letter.error)")
                }
            }
        }
    }
}

/// The storage, tenant and connector id every command on one connector takes.
struct ConnectorReference: ParsableArguments {
    @OptionGroup var storage: StorageOptions
    @OptionGroup var tenant: TenantOption
    @Argument(help: "The connector id.") var id: String

    /// Runs `body` with the services open and, when `done` names a catalog entry, says so with the id.
    func run(done: String? = "cli_done", _ body: (Services, AccessScope, ObjectID) async throws -> Void) async throws {
        guard let connectorID = ObjectID(id) else { throw CLIFailure(CLIText().format("cli_bad_id", id)) }
        try await withServices(storage) { services in
            try await body(services, try await tenant.scope(services), connectorID)
            if let done { Console.line(CLIText().format(done, id)) }
        }
    }
}
