import ArgumentParser
import Configuration
import Foundation
import Logging
import RampartCore
import RampartServer
import SystemPackage

/// Options every command that opens the database takes.
struct StorageOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"), help: "Directory for the SQLite database and generated files (default ./rampart-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://user:password@host:port/database; SQLite when absent.")
    var databaseURL: String?

    @Option(name: .customLong("config"), help: "A JSON configuration file (see the README's configuration table).")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?
}

/// Flags first, then `RAMPART_*` environment variables, then the config file, then defaults.
enum Settings {
    static func reader(flags: [String: ConfigContent?], configFile: String?) async throws -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            if let value {
                values[AbsoluteConfigKey([key])] = ConfigValue(value, isSecret: key == "databaseUrl" || key == "smtpUrl")
            }
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: values),
            EnvironmentVariablesProvider(
                secretsSpecifier: .specific(["RAMPART_DATABASE_URL", "RAMPART_SMTP_URL", "RAMPART_SECRET_KEY"])
            ).prefixKeys(
                with: "rampart"),
        ]
        let file = configFile ?? ProcessInfo.processInfo.environment["RAMPART_CONFIG"]
        if let file {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
        }
        return ConfigReader(providers: providers)
    }

    static func configuration(_ storage: StorageOptions, extra: [String: ConfigContent?] = [:]) async throws
        -> ServerConfiguration
    {
        var flags: [String: ConfigContent?] = [
            "dataDir": storage.dataDirectory.map(ConfigContent.string),
            "databaseUrl": storage.databaseURL.map(ConfigContent.string),
            "logLevel": storage.logLevel.map(ConfigContent.string),
        ]
        flags.merge(extra) { _, new in new }
        let reader = try await reader(flags: flags, configFile: storage.configFile)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = reader.string(forKey: "dataDir", default: configuration.dataDirectory)
        configuration.databaseURL = reader.string(forKey: "databaseUrl", isSecret: true)
        configuration.logLevel = reader.string(forKey: "logLevel", default: configuration.logLevel)
        configuration.host = reader.string(forKey: "host", default: configuration.host)
        configuration.port = reader.int(forKey: "port", default: configuration.port)
        configuration.tlsCertificatePath = reader.string(forKey: "tlsCert")
        configuration.tlsKeyPath = reader.string(forKey: "tlsKey")
        configuration.developmentTLS = reader.bool(forKey: "devTls", default: false)
        configuration.publicURL = reader.string(forKey: "publicUrl")
        configuration.maximumIngestBytes = reader.int(forKey: "maxIngestBytes", default: configuration.maximumIngestBytes)
        configuration.demo = reader.bool(forKey: "demo", default: false)
        configuration.apiRateLimit = RateLimit(
            perMinute: reader.int(forKey: "apiRatePerMinute", default: configuration.apiRateLimit.perMinute),
            perHour: reader.int(forKey: "apiRatePerHour", default: configuration.apiRateLimit.perHour))
        configuration.batchRateLimit = RateLimit(
            perMinute: reader.int(forKey: "batchRatePerMinute", default: configuration.batchRateLimit.perMinute),
            perHour: reader.int(forKey: "batchRatePerHour", default: configuration.batchRateLimit.perHour))
        configuration.graphRateLimit = RateLimit(
            perMinute: reader.int(forKey: "graphRatePerMinute", default: configuration.graphRateLimit.perMinute),
            perHour: reader.int(forKey: "graphRatePerHour", default: configuration.graphRateLimit.perHour))
        configuration.incidentRateLimit = RateLimit(
            perMinute: reader.int(forKey: "incidentRatePerMinute", default: configuration.incidentRateLimit.perMinute),
            perHour: reader.int(forKey: "incidentRatePerHour", default: configuration.incidentRateLimit.perHour))
        configuration.incidentWindowSeconds = Int64(
            reader.int(forKey: "incidentWindowSeconds", default: Int(configuration.incidentWindowSeconds)))
        configuration.smtpURL = reader.string(forKey: "smtpUrl", isSecret: true)
        configuration.mailFrom = reader.string(forKey: "mailFrom")
        configuration.smtpRetryBaseSeconds = reader.int(
            forKey: "smtpRetryBaseSeconds", default: configuration.smtpRetryBaseSeconds)
        configuration.smtpRetryMaxSeconds = reader.int(forKey: "smtpRetryMaxSeconds", default: configuration.smtpRetryMaxSeconds)
        configuration.secretKey = reader.string(forKey: "secretKey", isSecret: true)
        configuration.connectorRetryBaseSeconds = reader.int(
            forKey: "connectorRetryBaseSeconds", default: configuration.connectorRetryBaseSeconds)
        configuration.connectorRetryMaxSeconds = reader.int(
            forKey: "connectorRetryMaxSeconds", default: configuration.connectorRetryMaxSeconds)
        configuration.connectorLeaseSeconds = reader.int(
            forKey: "connectorLeaseSeconds", default: configuration.connectorLeaseSeconds)
        configuration.connectorMaxAttempts = reader.int(
            forKey: "connectorMaxAttempts", default: configuration.connectorMaxAttempts)
        configuration.eventRetentionDays = reader.int(forKey: "eventRetentionDays", default: configuration.eventRetentionDays)
        try configuration.validate()
        return configuration
    }

    static func logger(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: parsed) }
        return Logger(label: "rampart")
    }

    static func services(_ storage: StorageOptions) async throws -> Services {
        let configuration = try await configuration(storage)
        return try await Services.build(configuration: configuration, logger: logger(level: configuration.logLevel))
    }
}
