import NIOSSL

/// The TLS client side every sender shares (SMTP, syslog, webhooks, HEC): TLS 1.2 or later, the receiver's
/// certificate verified against the system's roots or a given CA file, and an optional client certificate.
enum ClientTLS {
    static func configuration(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil) throws
        -> TLSConfiguration
    {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .file(caFile) }
        if let certificateFile, let keyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        return configuration
    }

    static func context(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil) throws -> NIOSSLContext {
        try NIOSSLContext(configuration: configuration(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile))
    }

    /// SNI and certificate names are host names; an IP literal is checked against the certificate's IP entries.
    static func serverName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}
