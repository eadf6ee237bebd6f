import Foundation
import Hummingbird
import Logging
import RampartCore
import RampartServer
import Testing

/// The OpenAPI document and the management routes describe the same API.
@Suite struct OpenAPICoverageTests {
    /// (METHOD, path) pairs of the document, read from its two-level `paths:` layout.
    func documented(_ name: String = "openapi.yaml", prefix: String = "/manage/v1") throws -> Set<String> {
        let text = try OpenAPIDocument.text(name)
        var result: Set<String> = []
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            if inPaths, !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                result.insert("\(method.uppercased()) \(prefix)\(path)")
            }
        }
        return result
    }

    /// The document's enumerations of permissions are the code's, so that a new permission cannot make answers
    /// break their own schema.
    @Test func permissionEnumerationsMatchTheCode() throws {
        let text = try OpenAPIDocument.text("openapi.yaml")
        func enumeration(_ schema: String) -> Set<String> {
            guard let start = text.range(of: "    \(schema):\n      type: string\n      enum: [") else { return [] }
            let rest = text[start.upperBound...]
            let body = rest[..<(rest.firstIndex(of: "]") ?? rest.endIndex)]
            return Set(body.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        }
        #expect(enumeration("Permission") == Set(AppPermission.allCases.map(\.rawValue)))
        #expect(enumeration("RolePermission") == Set(RolePermission.allCases.map(\.rawValue)))
    }

    @Test func everyManagementRouteIsDocumentedAndNothingElse() async throws {
        let world = try await TestWorld()
        let router = RampartApplication.buildRouter(services: world.services)
        try router.validate()
        let routes = Set(
            router.routes.map { route -> String in
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method) /\(path)"
            }.filter { $0.contains(" /manage/v1/") })
        let spec = try documented()
        #expect(spec.count > 10)
        // Path parameter names may differ; compare with parameters blanked out.
        func shape(_ text: String) -> String {
            text.replacingOccurrences(of: #"\{[^}]+\}"#, with: "{}", options: .regularExpression)
        }
        #expect(Set(routes.map(shape)).subtracting(spec.map(shape)).sorted() == [])
        #expect(Set(spec.map(shape)).subtracting(routes.map(shape)).sorted() == [])
    }

    @Test func everyAlertsAPIRouteIsDocumentedAndNothingElse() async throws {
        let world = try await TestWorld()
        let router = RampartApplication.buildRouter(services: world.services)
        let routes = Set(
            router.routes.map { route -> String in
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                return "\(route.method) /\(path)"
            }.filter {
                $0.contains(" /api/") || $0.contains(" /v1.0/") || $0.contains(" /ingest/") || $0.contains(" /siem/")
            })
        let spec = try documented(OpenAPIDocument.alertsAPI, prefix: "")
        #expect(spec.count > 15)
        func shape(_ text: String) -> String {
            text.replacingOccurrences(of: #"\{[^}]+\}"#, with: "{}", options: .regularExpression)
        }
        #expect(Set(routes.map(shape)).subtracting(spec.map(shape)).sorted() == [])
        #expect(Set(spec.map(shape)).subtracting(routes.map(shape)).sorted() == [])
    }
}
