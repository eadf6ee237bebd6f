import NIOCore

/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines; multi-line replies are joined.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let lines: [String]

    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: try again later. 5xx: will not work however often it is tried.
    public var isTransient: Bool { (400..<500).contains(code) }
    public var isPermanent: Bool { code >= 500 }
    public var description: String { "\(code) \(lines.joined(separator: " / "))" }
}

/// Collects reply lines into replies: `250-first`, `250-second`, `250 last`. A line that is not a reply line is a
/// protocol error, never a crash; over-long lines and replies are refused so a hostile server cannot exhaust memory.
struct SMTPReplyParser {
    static let maximumLineLength = 4096
    static let maximumLines = 100
    private var code: Int?
    private var lines: [String] = []

    enum Failure: Error, Equatable {
        case malformed(String)
        case tooLong
    }

    /// Feeds one line without its CRLF; returns a reply when this line completed one.
    mutating func feed(_ line: String) throws(Failure) -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count <= Self.maximumLineLength else { throw .tooLong }
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0])
        else { throw .malformed(String(line.prefix(80))) }
        let lineCode = Int(String(decoding: bytes[0...2], as: UTF8.self))!
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .malformed(String(line.prefix(80)))
        }
        if let code, code != lineCode { throw .malformed(String(line.prefix(80))) }
        code = lineCode
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maximumLines else { throw .tooLong }
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        self.code = nil
        lines = []
        return reply
    }
}

/// Splits the byte stream into CRLF-terminated lines (a bare LF is accepted too) and parses them into replies.
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var parser = SMTPReplyParser()

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > SMTPReplyParser.maximumLineLength {
                throw SMTPError(.protocolViolation, "reply line too long")
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        do {
            if let reply = try parser.feed(line) { context.fireChannelRead(wrapInboundOut(reply)) }
        } catch {
            throw SMTPError(.protocolViolation, "unexpected reply line: \(line.prefix(80))")
        }
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
