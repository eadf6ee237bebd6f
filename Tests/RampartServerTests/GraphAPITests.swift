import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

/// `/v1.0/security/alerts_v2` in Graph's shapes, for Graph tokens only.
@Suite struct GraphAPITests {
    static let graph = "https://graph.microsoft.com/.default"

    @Test func listFilterGetPatchAndComment() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let ingest = try await client.token(world.contoso)
            var high = record("g1", title: "graph high", severity: "High")
            high["evidence"] = [
                [
                    "entityType": "Process", "fileName": "powershell.exe", "processId": 42,
                    "processCommandLine": "powershell -enc x",
                ],
                ["entityType": "Ip", "ipAddress": "10.1.2.3"],
            ]
            _ = try await client.json(
                "/ingest/v1/alerts", token: ingest, method: .post,
                body: ingestBody([high, record("g2", title: "graph low", severity: "Low")]))

            // Defender permissions do not open Graph, and Defender tokens are for another audience.
            let withoutGraph = try await client.token(world.contoso, scope: Self.graph)
            #expect(try await client.json("/v1.0/security/alerts_v2", token: withoutGraph).0 == .forbidden)
            #expect(try await client.json("/v1.0/security/alerts_v2", token: ingest).0 == .unauthorized)

            _ = try await world.services.admin.grant(
                in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
                permissions: ["SecurityAlert.ReadWrite.All"])
            let token = try await client.token(world.contoso, scope: Self.graph)
            let (status, list) = try await client.json("/v1.0/security/alerts_v2?$count=true", token: token)
            #expect(status == .ok)
            #expect(list["@odata.count"] as? Int == 2)
            let (_, filtered) = try await client.json(
                "/v1.0/security/alerts_v2?$filter=severity%20eq%20%27high%27%20and%20status%20eq%20%27new%27", token: token)
            let alerts = filtered["value"] as? [[String: Any]] ?? []
            #expect(alerts.map { $0["title"] as? String } == ["graph high"])
            let alert = try #require(alerts.first)
            #expect(alert["@odata.type"] as? String == "#microsoft.graph.security.alert")
            #expect(alert["severity"] as? String == "high")
            #expect(alert["status"] as? String == "new")
            #expect(alert["serviceSource"] as? String == "microsoftDefenderForEndpoint")
            #expect(alert["tenantId"] as? String == world.contoso.tenant.id.description)
            let evidence = alert["evidence"] as? [[String: Any]] ?? []
            #expect(
                evidence.compactMap { $0["@odata.type"] as? String } == [
                    "#microsoft.graph.security.deviceEvidence", "#microsoft.graph.security.processEvidence",
                    "#microsoft.graph.security.ipEvidence",
                ])
            #expect(evidence[1]["processCommandLine"] as? String == "powershell -enc x")
            let id = try #require(alert["id"] as? String)

            let (patched, updated) = try await client.json(
                "/v1.0/security/alerts_v2/\(id)", token: token, method: .patch,
                body:
                    ##"{"@odata.type":"#microsoft.graph.security.alert","status":"resolved","classification":"truePositive","determination":"malware","assignedTo":"soc@contoso.example"}"##
            )
            #expect(patched == .ok)
            #expect(updated["status"] as? String == "resolved")
            #expect(updated["classification"] as? String == "truePositive")
            #expect(updated["determination"] as? String == "malware")
            #expect(updated["resolvedDateTime"] is String)
            let (commented, comments) = try await client.json(
                "/v1.0/security/alerts_v2/\(id)/comments", token: token, method: .post,
                body: #"{"@odata.type":"microsoft.graph.security.alertComment","comment":"Contained by the MSSP"}"#)
            #expect(commented == .ok)
            #expect((comments["value"] as? [[String: Any]])?.last?["comment"] as? String == "Contained by the MSSP")
            // The same alert, seen through Defender's API.
            let (_, defender) = try await client.json("/api/alerts/\(id)", token: ingest)
            #expect(defender["status"] as? String == "Resolved")
            #expect(defender["determination"] as? String == "Malware")

            let (missing, error) = try await client.json("/v1.0/security/alerts_v2/nope", token: token)
            #expect(missing == .notFound)
            #expect(((error["error"] as? [String: Any])?["innerError"] as? [String: Any])?["request-id"] is String)
            #expect(
                try await client.json(
                    "/v1.0/security/alerts_v2?$filter=severity%20eq%20%27critical%27", token: token
                ).0 == .badRequest)
        }
    }
}
