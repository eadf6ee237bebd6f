import Foundation
import Logging

/// Opens the configured database: PostgreSQL when a URL is given, else SQLite in the data directory.
public enum OpenDatabase {
    public static func open(databaseURL: String?, dataDirectory: String, logger: Logger) throws -> any SQLExecutor {
        if let databaseURL, !databaseURL.isEmpty {
            return try PostgresExecutor(url: databaseURL, logger: logger)
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        return try SQLiteExecutor(path: (dataDirectory as NSString).appendingPathComponent("rampart.sqlite"))
    }
}
