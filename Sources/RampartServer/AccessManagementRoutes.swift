import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// Roles and device groups under `/manage/v1` ("Manage portal system settings").
struct AccessManagementRoutes {
    let services: Services
    let management: ManagementRoutes
    var rbac: RBACService { services.access }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("roles") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(["value": try await rbac.roles(in: scope).map(RoleBody.init)])
        }
        manage.post("roles") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let role = try await rbac.saveRole(in: scope, try await management.decode(RoleInput.self, request))
            return try JSONResponse.encodable(RoleBody(role), status: .created)
        }
        manage.put("roles/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let role = try await rbac.saveRole(
                in: scope, id: try id(context, "Role"), try await management.decode(RoleInput.self, request))
            return try JSONResponse.encodable(RoleBody(role))
        }
        manage.delete("roles/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            try await rbac.deleteRole(in: scope, id: try id(context, "Role"))
            return Response(status: .noContent)
        }
        manage.get("device-groups") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(["value": try await rbac.deviceGroups(in: scope).map(DeviceGroupBody.init)])
        }
        manage.post("device-groups") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let group = try await rbac.saveDeviceGroup(in: scope, try await management.decode(DeviceGroupInput.self, request))
            return try JSONResponse.encodable(DeviceGroupBody(group), status: .created)
        }
        manage.put("device-groups/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let group = try await rbac.saveDeviceGroup(
                in: scope, id: try id(context, "Device group"), try await management.decode(DeviceGroupInput.self, request))
            return try JSONResponse.encodable(DeviceGroupBody(group))
        }
        manage.delete("device-groups/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            try await rbac.deleteDeviceGroup(in: scope, id: try id(context, "Device group"))
            return Response(status: .noContent)
        }
        manage.post("device-groups/preview") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let rules = try await management.decode(DeviceGroupRules.self, request)
            let devices = try await rbac.preview(in: scope, rules: rules)
            return try JSONResponse.encodable(["value": devices.map(DevicePreviewBody.init)])
        }
    }

    func id(_ context: AppRequestContext, _ kind: String) throws -> ObjectID {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("\(kind) \(text) was not found.") }
        return id
    }
}

struct RoleBody: Encodable {
    let id: String
    let name: String
    let description: String
    let permissions: [String]
    let groups: [String]
    init(_ role: Role) {
        id = role.id.description
        name = role.name
        description = role.description
        permissions = role.permissions.map(\.rawValue).sorted()
        groups = role.groupIDs.map(\.description).sorted()
    }
}

struct DeviceGroupBody: Encodable {
    let id: String
    let name: String
    let rank: Int
    let description: String
    let remediationLevel: String
    let rules: DeviceGroupRules
    let userGroups: [String]
    let isDefault: Bool
    init(_ group: DeviceGroup) {
        id = group.id.description
        name = group.name
        rank = group.rank
        description = group.description
        remediationLevel = group.remediationLevel.rawValue
        rules = group.rules
        userGroups = group.userGroupIDs.map(\.description).sorted()
        isDefault = group.isDefault
    }
}

struct DevicePreviewBody: Encodable {
    let id: String
    let computerDnsName: String
    let osPlatform: String?
    let machineTags: [String]
    let rbacGroupName: String?
    init(_ device: Device) {
        id = device.id
        computerDnsName = device.computerDnsName
        osPlatform = device.osPlatform
        machineTags = device.machineTags
        rbacGroupName = device.rbacGroupName
    }
}
