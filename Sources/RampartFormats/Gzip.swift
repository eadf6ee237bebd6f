import CZlib

/// Inflates gzip (or zlib) bodies: sensors and shippers compress their batches (`Content-Encoding: gzip`,
/// `.json.gz` files). The output is bounded, so a small bomb cannot fill memory.
public enum Gzip {
    public static func isCompressed(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    public static func inflate(_ input: [UInt8], limit: Int) throws(IngestRejection) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, and gzip or zlib headers recognised automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw IngestRejection("The compressed body could not be opened.")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while true {
                let result = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[..<produced])
                if output.count > limit { return Z_MEM_ERROR }
                if result == Z_STREAM_END { return Z_STREAM_END }
                if result != Z_OK { return result }
                if stream.avail_in == 0 && produced == 0 { return Z_BUF_ERROR }
            }
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_MEM_ERROR: throw IngestRejection("The body inflates to more than \(limit) bytes.")
        default: throw IngestRejection("The compressed body is damaged or cut short.")
        }
    }
}
