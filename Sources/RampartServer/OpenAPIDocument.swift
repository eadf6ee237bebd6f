import Foundation
import Logging
import RampartStore

/// The management API's OpenAPI 3.1 document, kept in the repository and served as it is.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("Resources/openapi.yaml") else {
            throw ConfigurationError("openapi.yaml is missing from the build")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
