import Crypto
import Foundation

/// Encrypts secrets Rampart must use again (webhook signing keys, HEC tokens) before they are stored: AES-GCM under
/// the installation's key, which lives outside the database (`RAMPART_SECRET_KEY`, or a key file in the data
/// directory), so a copy of the database alone reveals none of them.
public struct SecretBox: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// `RAMPART_SECRET_KEY` (32 bytes, base64) when given, else `<dataDirectory>/secret.key`, made on first use with
    /// owner-only permissions. Processes sharing one PostgreSQL must share the key.
    public static func load(base64 configured: String?, dataDirectory: String) throws -> SecretBox {
        if let configured, !configured.isEmpty {
            guard let bytes = Data(base64Encoded: configured), bytes.count == 32 else {
                throw StoreError.corrupt("the secret key must be 32 bytes in base64")
            }
            return SecretBox(key: SymmetricKey(data: bytes))
        }
        let url = URL(fileURLWithPath: dataDirectory).appendingPathComponent("secret.key")
        if let bytes = try? Data(contentsOf: url) {
            guard bytes.count == 32 else { throw StoreError.corrupt("\(url.path) must hold 32 bytes") }
            return SecretBox(key: SymmetricKey(data: bytes))
        }
        try FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: url.path, contents: bytes, attributes: [.posixPermissions: 0o600])
        else { throw StoreError.corrupt("could not write \(url.path)") }
        return SecretBox(key: key)
    }

    public func seal(_ secret: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key)
        guard let combined = box.combined else { throw StoreError.corrupt("sealing failed") }
        return "v1:" + combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw StoreError.corrupt("not a sealed secret")
        }
        return String(decoding: try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key), as: UTF8.self)
    }
}
