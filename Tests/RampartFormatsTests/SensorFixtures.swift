import Foundation
import RampartFormats

/// The real sensor samples in `../shared/fixtures/sensors` beside the repository (our machines and CI; not in a
/// user's clone, and never read at run time). Tests that need them are skipped with this message when absent.
enum SensorFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/sensors")
    static let available = FileManager.default.fileExists(atPath: directory.path)
    static let skipped = "../shared/fixtures/sensors is absent (it sits beside the repository on our machines and in CI)"

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    /// Every record of the file through the adapter, in order.
    static func outcomes(_ name: String, _ format: SensorFormat, options: SensorFormat.Options = .init()) throws
        -> [SensorFormat.Outcome]
    {
        try format.records(from: try data(name)).map { format.map($0, options: options) }
    }
}
