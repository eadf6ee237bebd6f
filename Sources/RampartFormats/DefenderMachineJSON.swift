import RampartCore

/// Defender for Endpoint's Machine resource JSON, in the order its API prints it. Properties Rampart's sensors do
/// not report (external address, processor, exposure, Entra join) are present and null, as Defender prints unknowns.
public enum DefenderMachineJSON {
    public static let listContext = "https://api.securitycenter.microsoft.com/api/$metadata#Machines"

    public static func machine(_ machine: Machine) -> JSONValue {
        let device = machine.device
        return .object([
            ("id", .string(device.id)),
            ("computerDnsName", .string(device.computerDnsName)),
            ("firstSeen", .string(device.firstSeen.description)),
            ("lastSeen", .string(device.lastSeen.description)),
            ("osPlatform", .string(device.osPlatform)),
            ("onboardingStatus", .string("Onboarded")),
            ("osProcessor", .null),
            ("version", .string(device.osVersion)),
            ("osBuild", .null),
            ("lastIpAddress", .string(device.lastIpAddress)),
            ("lastExternalIpAddress", .null),
            ("healthStatus", .string(machine.healthStatus)),
            ("rbacGroupId", .int(machine.rbacGroupID)),
            ("rbacGroupName", .string(device.rbacGroupName)),
            ("riskScore", .string(machine.riskScore)),
            ("exposureLevel", .null),
            ("isAadJoined", .null),
            ("aadDeviceId", .null),
            ("machineTags", .array(device.allTags.map(JSONValue.string))),
        ])
    }

    public static let propertyNames: [String] = {
        let placeholder = Machine(
            device: Device(
                id: "", tenantID: Alert.placeholder.tenantID, deviceKey: "", computerDnsName: "", osPlatform: nil,
                osVersion: nil, lastIpAddress: nil, rbacGroupName: nil, machineTags: [], firstSeen: Timestamp(ticks: 0),
                lastSeen: Timestamp(ticks: 0)), rbacGroupID: nil, riskScore: "None", healthStatus: "Active")
        guard case .object(let members) = machine(placeholder) else { return [] }
        return members.map(\.0)
    }()

    public static func list(_ machines: [Machine], nextLink: String?, count: Int?, select: [String]?) -> JSONValue {
        var members: [(String, JSONValue)] = [("@odata.context", .string(listContext))]
        if let count { members.append(("@odata.count", .int(Int64(count)))) }
        members.append(("value", .array(machines.map { DefenderAlertJSON.selected(machine($0), select) })))
        if let nextLink { members.append(("@odata.nextLink", .string(nextLink))) }
        return .object(members)
    }
}
