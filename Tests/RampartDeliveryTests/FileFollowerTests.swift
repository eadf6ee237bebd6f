import Foundation
import RampartDelivery
import Testing

@Suite struct FileFollowerTests {
    func line(_ n: Int) -> String { "{\"n\":\(n)}\n" }

    func numbers(_ values: [Any]) -> [Int] { values.compactMap { ($0 as? [String: Any])?["n"] as? Int } }

    func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Complete records only, the position kept across a restart, rotation by rename and by truncation, and text
    /// that is not JSON reported instead of blocking the rest.
    @Test func followsAGrowingRotatedFileAndResumes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("follow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("eve.json").path
        let state = directory.appendingPathComponent("state.json").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data((line(1) + line(2) + "{\"n\":3").utf8)))

        let follower = FileFollower(path: path, statePath: state)
        #expect(numbers(try follower.next(limit: 100)) == [1, 2], "the third record is still being written")
        try follower.commit()
        try append("}\nnot json\n" + line(4), to: path)
        let more = try follower.next(limit: 100)
        #expect(numbers(more) == [3, 4])
        #expect(more.contains { ($0 as? [String: Any])?[FileFollower.unreadableKey] as? String == "not json\n" })
        try follower.commit()

        // A restart resumes after the last committed record.
        try append(line(5), to: path)
        let restarted = FileFollower(path: path, statePath: state)
        #expect(numbers(try restarted.next(limit: 100)) == [5])
        try restarted.commit()

        // Rotation by rename: the writer flushes one more record into the old file, then starts a new one.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append(line(6), to: path + ".1")
        #expect(FileManager.default.createFile(atPath: path, contents: Data((line(7) + line(8)).utf8)))
        #expect(numbers(try restarted.next(limit: 100)) == [6])
        try restarted.commit()
        #expect(numbers(try restarted.next(limit: 1)) == [7], "batches stop at the limit")
        try restarted.commit()
        #expect(numbers(try restarted.next(limit: 100)) == [8])
        try restarted.commit()

        // Rotation by truncation (copytruncate): read again from the start.
        try Data(line(9).utf8).write(to: URL(fileURLWithPath: path))
        #expect(numbers(try restarted.next(limit: 100)) == [9])
        try restarted.commit()
        #expect(try restarted.next(limit: 100).isEmpty)
    }
}
