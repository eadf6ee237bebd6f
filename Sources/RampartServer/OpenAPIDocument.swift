import Foundation
import Logging
import RampartStore

/// The management API's OpenAPI 3.1 document, kept in the repository and served as it is.
public enum OpenAPIDocument {
    /// The management API's document (`openapi.yaml`), or another of the resources by file name.
    public static func text(_ name: String = "openapi.yaml") throws -> String {
        try String(contentsOf: try ResourceFolder.url().appendingPathComponent(name), encoding: .utf8)
    }

    /// The Defender, Graph and ingest APIs' document.
    public static let alertsAPI = "alerts-api.yaml"
}

/// The folder `Resources` copied into the module's bundle (its location differs between platforms).
enum ResourceFolder {
    static func url() throws -> URL {
        if let url = Bundle.module.url(forResource: "Resources", withExtension: nil) { return url }
        throw ConfigurationError("the server's resources are missing from the build")
    }
}
