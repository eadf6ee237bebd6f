/// What went wrong talking to the SMTP server. A struct with a kind, as swift-kafka-client's errors are, so kinds
/// can be added without breaking callers. The message never contains credentials.
public struct SMTPError: Error, Sendable, CustomStringConvertible, Equatable {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public static let connection = Kind(name: "connection")
        public static let timeout = Kind(name: "timeout")
        public static let tls = Kind(name: "tls")
        public static let protocolViolation = Kind(name: "protocol")
        public static let authentication = Kind(name: "authentication")
        /// The server answered a command with a 4xx or 5xx reply.
        public static let rejected = Kind(name: "rejected")
        public var description: String { name }
    }

    public let kind: Kind
    public let message: String
    /// The reply that refused, for `.rejected` and `.authentication`.
    public let reply: SMTPReply?

    public init(_ kind: Kind, _ message: String, reply: SMTPReply? = nil) {
        self.kind = kind
        self.message = message
        self.reply = reply
    }

    /// A 5xx reply to the message itself: sending it again will fail again. Everything else (connection, TLS,
    /// authentication, 4xx) may pass later, once the server or the configuration is fixed.
    public var isPermanent: Bool { kind == .rejected && (reply?.isPermanent ?? false) }

    public var description: String { "SMTP \(kind): \(message)" }
}
