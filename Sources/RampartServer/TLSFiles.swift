import Crypto
import Foundation
import Logging
import RampartStore
import SwiftASN1
import X509

/// Where the server's certificate and key come from: given files, or a self-signed pair made once for localhost.
enum TLSFiles {
    static func resolve(_ configuration: ServerConfiguration, logger: Logger) throws -> (certificate: String, key: String)? {
        if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            return (certificate, key)
        }
        guard configuration.developmentTLS else { return nil }
        let directory = (configuration.dataDirectory as NSString).appendingPathComponent("tls")
        let certificatePath = (directory as NSString).appendingPathComponent("dev-cert.pem")
        let keyPath = (directory as NSString).appendingPathComponent("dev-key.pem")
        if !FileManager.default.fileExists(atPath: certificatePath) || !FileManager.default.fileExists(atPath: keyPath) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let (certificate, key) = try makeSelfSigned()
            _ = FileManager.default.createFile(atPath: keyPath, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
            try certificate.write(toFile: certificatePath, atomically: true, encoding: .utf8)
            logger.notice("generated a self-signed development certificate", metadata: ["certificate": "\(certificatePath)"])
        }
        return (certificatePath, keyPath)
    }

    /// A certificate for `localhost`, `127.0.0.1` and `::1`, valid for a year.
    static func makeSelfSigned() throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("Rampart development")
            CommonName("localhost")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                ])
            }, issuerPrivateKey: .init(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }
}
