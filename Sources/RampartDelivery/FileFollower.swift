import Foundation
import RampartFormats

/// Reads a sensor's output file from where it stopped: complete JSON values only (a line still being written
/// waits for its end), the position saved in a state file after the caller took each batch, so a restart resumes
/// there. When the file is rotated (a new file under the same path: another inode, or shorter than the saved
/// position) the old one is finished first if still open, then the new one is read from its start, as `tail -F`.
public final class FileFollower {
    public struct State: Codable, Equatable, Sendable {
        public var inode: UInt64
        public var offset: UInt64
    }

    public let path: String
    let statePath: String
    var handle: FileHandle?
    var state: State
    var pending: [UInt8] = []

    public init(path: String, statePath: String) {
        self.path = path
        self.statePath = statePath
        state =
            (try? JSONDecoder().decode(State.self, from: Data(contentsOf: URL(fileURLWithPath: statePath))))
            ?? State(inode: 0, offset: 0)
    }

    /// The next complete values, at most `limit` of them; empty when nothing new was written. `commit()` after
    /// the values were taken saves the position.
    public func next(limit: Int) throws -> [Any] {
        if handle == nil || rotated() { try reopen() }
        guard let handle else { return [] }
        var values: [Any] = []
        while values.count < limit {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            pending += chunk
            var start = 0
            while values.count < limit {
                while start < pending.count, IngestBody.isSpace(pending[start]) { start += 1 }
                guard start < pending.count else { break }
                let end: Int
                if pending[start] == 0x7B || pending[start] == 0x5B {
                    guard let close = IngestBody.endOfValue(pending, from: start) else { break }
                    end = close
                } else {
                    // Not JSON: the line is passed over (reported as unreadable) once it is complete.
                    guard let newline = pending[start...].firstIndex(of: 0x0A) else { break }
                    end = newline + 1
                }
                switch try? JSONSerialization.jsonObject(with: Data(pending[start..<end])) {
                case let array as [Any]: values += array
                case let value?: values.append(value)
                case nil: values.append(Self.unreadable(pending[start..<min(end, start + 200)]))
                }
                start = end
            }
            uncommitted += UInt64(start)
            pending.removeFirst(start)
            if chunk.isEmpty { break }
        }
        return values
    }

    var uncommitted: UInt64 = 0

    /// Stands for text that is not JSON, so the caller can report it with the rest.
    public static let unreadableKey = "__unreadable__"
    static func unreadable(_ bytes: ArraySlice<UInt8>) -> [String: Any] {
        [unreadableKey: String(decoding: bytes, as: UTF8.self)]
    }

    /// Saves the position after the values `next` returned.
    public func commit() throws {
        state.offset += uncommitted
        uncommitted = 0
        try JSONEncoder().encode(state).write(to: URL(fileURLWithPath: statePath), options: .atomic)
    }

    func rotated() -> Bool {
        guard let (inode, size) = Self.identity(path) else { return false }
        return inode != state.inode || size < state.offset + uncommitted
    }

    func reopen() throws {
        guard let (inode, size) = Self.identity(path) else { return }
        // The old file is finished before the new one is read (a writer may still have flushed a last record).
        if let handle, inode != state.inode, let rest = try handle.readToEnd(), !rest.isEmpty {
            pending += rest
            return
        }
        try handle?.close()
        handle = FileHandle(forReadingAtPath: path)
        pending = []
        uncommitted = 0
        if inode != state.inode || size < state.offset {
            state = State(inode: inode, offset: 0)
        }
        try handle?.seek(toOffset: state.offset)
    }

    static func identity(_ path: String) -> (UInt64, UInt64)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
            let size = (attributes[.size] as? NSNumber)?.uint64Value
        else { return nil }
        return (inode, size)
    }
}
