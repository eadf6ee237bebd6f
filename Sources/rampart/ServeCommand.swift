import ArgumentParser
import Configuration
import Foundation
import Logging
import RampartServer
import RampartStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Rampart server.")

    @OptionGroup var storage: StorageOptions
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080; 0 picks a free port).") var port: Int?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Flag(name: .customLong("dev-tls"), help: "Serve HTTPS with a self-signed localhost certificate made on first start.")
    var devTLS = false
    @Option(name: .customLong("public-url"), help: "The URL clients use to reach this server (token issuer, links).")
    var publicURL: String?
    @Option(name: .customLong("max-ingest-bytes"), help: "Largest ingest body accepted (default 16 MiB).")
    var maxIngestBytes: Int?
    @Flag(help: "Seed the demo world (once) and print its sign-ins.") var demo = false
    @Option(
        name: .customLong("smtp-url"),
        help: "SMTP relay for notification emails: smtp+starttls://user:password@host:587 (also smtp://, smtps://).")
    var smtpURL: String?
    @Option(name: .customLong("mail-from"), help: "Sender address of notification emails.") var mailFrom: String?

    func run() async throws {
        let configuration = try await Settings.configuration(
            storage,
            extra: [
                "host": host.map(ConfigContent.string), "port": port.map(ConfigContent.int),
                "tlsCert": tlsCert.map(ConfigContent.string), "tlsKey": tlsKey.map(ConfigContent.string),
                "devTls": devTLS ? .bool(true) : nil, "publicUrl": publicURL.map(ConfigContent.string),
                "maxIngestBytes": maxIngestBytes.map(ConfigContent.int), "demo": demo ? .bool(true) : nil,
                "smtpUrl": smtpURL.map(ConfigContent.string), "mailFrom": mailFrom.map(ConfigContent.string),
            ])
        let logger = Settings.logger(level: configuration.logLevel)
        let services = try await Services.build(configuration: configuration, logger: logger)
        let demoCredentials: DemoCredentials? =
            configuration.demo ? try await DemoWorld(services: services).seed() : nil
        let text = CLIText()
        try await RampartApplication.run(services: services) { port in
            var shown = configuration
            shown.port = port
            Console.line(text.format("cli_listening", shown.resolvedPublicURL))
            if let demoCredentials {
                Console.line(
                    text.format(
                        "cli_demo_header",
                        (configuration.dataDirectory as NSString).appendingPathComponent("demo-credentials.json")))
                for user in demoCredentials.users {
                    Console.line("  \(user.upn)  \(user.password)")
                }
                for app in demoCredentials.apps {
                    Console.line(text.format("cli_demo_app", app.tenant, app.clientID, app.clientSecret))
                }
            }
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let services = try await Settings.services(storage)
        Console.line(CLIText().format("cli_migrated", try await services.schemaVersion()))
        try await services.database.close()
    }
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Seed the demo world (once) and print its sign-ins as JSON.")
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let services = try await Settings.services(storage)
        let credentials = try await DemoWorld(services: services).seed()
        try Output.json(credentials)
        try await services.database.close()
    }
}
