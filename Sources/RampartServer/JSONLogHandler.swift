import Foundation
import Logging
import RampartCore
import RampartFormats

/// One JSON object per line on standard error: time, level, message, label and metadata (request id, tenant, …).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var members: [(String, JSONValue)] = [
            ("time", .string(Timestamp.nowISO())), ("level", .string(event.level.rawValue)),
            ("message", .string(event.message.description)), ("logger", .string(label)),
        ]
        for key in merged.keys.sorted() {
            members.append((key, .string(merged[key].map { "\($0)" } ?? "")))
        }
        var line = JSONValue.object(members).serialized()
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Timestamp {
    static func nowISO() -> String { Timestamp.now().description }
}
