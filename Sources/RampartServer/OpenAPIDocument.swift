import Foundation
import Logging
import RampartStore

/// The management API's OpenAPI 3.1 document, kept in the repository and served as it is.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        try String(contentsOf: try ResourceFolder.url().appendingPathComponent("openapi.yaml"), encoding: .utf8)
    }
}

/// The folder `Resources` copied into the module's bundle (its location differs between platforms).
enum ResourceFolder {
    static func url() throws -> URL {
        if let url = Bundle.module.url(forResource: "Resources", withExtension: nil) { return url }
        throw ConfigurationError("the server's resources are missing from the build")
    }
}
