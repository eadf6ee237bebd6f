import Foundation
import RampartCore
import RampartIdentity
import RampartStore

/// Contoso delegates to the MSSP as Defender's MSSP guide describes: an approvers package the customer's
/// administrator approves, and an analysts package (server alerts only) that the MSSP's approver then approves.
struct DemoDelegation {
    static let customerID = DemoWorld.customers[0].0
    let services: Services

    var admin: DirectoryService { services.admin }
    var entitlements: EntitlementService { services.entitlements }

    func seed() async throws {
        let customer = DirectoryService.hostScope(Self.customerID)
        let access = services.access
        _ = try await services.connectedOrganizations.add(in: customer, reference: DemoWorld.msspID.description)
        for (name, description) in [
            ("Contoso SOC", "The customer's own analysts"),
            ("MSSP analyst approvers", "MSSP staff who approve their analysts' access"),
            ("MSSP SOC analysts", "MSSP analysts working server alerts"),
        ] {
            _ = try await admin.createGroup(in: customer, name: name, description: description)
        }
        _ = try await access.saveRole(
            in: customer,
            RoleInput(
                name: "Security analyst", description: "Read and investigate alerts",
                permissions: ["ViewData.SecurityOperations", "AlertsInvestigation"],
                groups: ["Contoso SOC", "MSSP SOC analysts"]))
        _ = try await access.saveDeviceGroup(
            in: customer,
            DeviceGroupInput(
                name: "Servers", rank: 1, description: "Linux servers, monitored by the MSSP", remediationLevel: nil,
                rules: DeviceGroupRules(tags: ["server"]), userGroups: ["MSSP SOC analysts", "Contoso SOC"]))
        _ = try await access.saveDeviceGroup(
            in: customer,
            DeviceGroupInput(
                name: "Workstations", rank: 2, description: "Employee workstations, kept in house", remediationLevel: nil,
                rules: DeviceGroupRules(tags: ["workstation"]), userGroups: ["Contoso SOC"]))
        let approversPackage = try await entitlements.savePackage(
            in: customer,
            AccessPackageInput(
                name: "MSSP analyst approvers", description: "Lets MSSP staff approve their analysts' access to Contoso.",
                groups: ["MSSP analyst approvers"], requestorOrganizations: [DemoWorld.msspID.description],
                approverGroup: nil, requiresJustification: true, expiryDays: 365, reviewIntervalDays: 180))
        let analystsPackage = try await entitlements.savePackage(
            in: customer,
            AccessPackageInput(
                name: "MSSP SOC analysts", description: "Read and investigate alerts of Contoso's servers.",
                groups: ["MSSP SOC analysts"], requestorOrganizations: [DemoWorld.msspID.description],
                approverGroup: "MSSP analyst approvers", requiresJustification: true, expiryDays: 180,
                reviewIntervalDays: 90))
        let msspScope = DirectoryService.hostScope(DemoWorld.msspID)
        func member(_ name: String) async throws -> User {
            guard let user = try await services.directory.user(in: msspScope, reference: "\(name)@fabrikam-mssp.example")
            else { throw RampartError.notFound("Demo user \(name) is missing.") }
            return user
        }
        let approver = try await member("approver")
        let first = try await entitlements.request(
            by: approver, packageID: approversPackage.id, justification: "Approver for the Contoso engagement")
        _ = try await entitlements.decide(
            in: customer, requestID: first.id, approve: true, reason: "MSSP contract signed")
        guard let approverScope = try await entitlements.actingScope(home: approver, tenantID: Self.customerID) else {
            throw RampartError.conflict("The demo approver did not become a guest of Contoso.")
        }
        let analyst = try await entitlements.request(
            by: try await member("analyst1"), packageID: analystsPackage.id, justification: "Tier 1 coverage for Contoso")
        _ = try await entitlements.decide(in: approverScope, requestID: analyst.id, approve: true, reason: "On the Contoso rota")
        _ = try await entitlements.request(
            by: try await member("analyst2"), packageID: analystsPackage.id, justification: "Night shift coverage")
    }
}
