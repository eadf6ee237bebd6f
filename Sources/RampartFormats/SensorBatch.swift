import Foundation
import RampartCore

/// A batch read and mapped: a result placeholder per record (filled for refused and ignored ones), the accepted
/// submissions with their positions, and how many were ignored.
public struct SensorBatch: Sendable {
    public var results: [JSONValue]
    public var accepted: [(index: Int, submission: AlertSubmission)] = []
    public var ignored = 0
    public var rejected: Int { results.count - accepted.count - ignored }

    /// Refused as a whole (`RampartError.invalidInput`) when the body is not JSON records at all.
    public init(_ bytes: [UInt8], gzip: Bool, limit: Int, format: SensorFormat, options: SensorFormat.Options) throws {
        let records: [Any]
        do {
            records = try format.records(from: Data(gzip ? try Gzip.inflate(bytes, limit: limit) : bytes))
        } catch {
            throw RampartError.invalidInput(code: "InvalidRequestBody", message: error.reason)
        }
        results = Array(repeating: .null, count: records.count)
        for (index, record) in records.enumerated() {
            func refused(_ status: String, _ reason: String) -> JSONValue {
                .object([
                    ("index", .int(Int64(index))), ("sourceId", .string(format.recordID(record))), ("status", .string(status)),
                    ("reason", .string(reason)),
                ])
            }
            switch format.map(record, options: options) {
            case .submission(let submission): accepted.append((index, submission))
            case .rejected(let rejection): results[index] = refused("rejected", rejection.reason)
            case .ignored(let reason):
                ignored += 1
                results[index] = refused("ignored", reason)
            }
        }
    }
}
