import RampartCore

/// Delegated permissions (`scp`) per resource, as Entra names them, and what each lets a user token do. A user token
/// never does more than its user may in the tenant: these only narrow it further.
public enum DelegatedPermissions {
    public static func all(for resource: TokenResource) -> [String] {
        switch resource {
        case .defender:
            [
                "Alert.Read", "Alert.ReadWrite", "Incident.Read", "Incident.ReadWrite", "Machine.Read", "File.Read.All",
                "Ip.Read.All", "URL.Read.All", "User.Read.All",
            ]
        case .graph: ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"]
        case .management: ["user_impersonation"]
        }
    }

    /// The capabilities a `scp` claim allows; nil when it does not narrow (`user_impersonation`, or none given).
    public static func capabilities(scp: String?) -> Set<Capability>? {
        guard let scp else { return nil }
        let names = scp.split(separator: " ").map(String.init)
        if names.isEmpty || names.contains("user_impersonation") { return nil }
        var result: Set<Capability> = []
        for name in names {
            switch name {
            case "Alert.Read", "SecurityAlert.Read.All": result.insert(.readAlerts)
            case "Alert.ReadWrite", "SecurityAlert.ReadWrite.All": result.formUnion([.readAlerts, .writeAlerts])
            case "Incident.Read": result.insert(.readIncidents)
            case "Incident.ReadWrite": result.formUnion([.readIncidents, .writeIncidents])
            case "Machine.Read": result.insert(.readMachines)
            case "File.Read.All": result.insert(.readFileProfiles)
            case "Ip.Read.All": result.insert(.readIPProfiles)
            case "URL.Read.All": result.insert(.readURLProfiles)
            case "User.Read.All": result.insert(.readUserProfiles)
            default: continue
            }
        }
        return result
    }

    /// The `scp` for a requested scope string: everything of the resource for `.default`, else the named
    /// permissions, which must belong to the resource.
    public static func scp(for resource: TokenResource, requested: [String]) throws(OAuthError) -> String {
        let known = all(for: resource)
        if requested.isEmpty || requested.contains(".default") || requested.contains("user_impersonation") {
            return known.joined(separator: " ")
        }
        for name in requested where !known.contains(name) {
            throw OAuthError(
                .invalidScope, "The scope '\(name)' does not exist on this resource; known: \(known.joined(separator: ", ")).")
        }
        return requested.joined(separator: " ")
    }
}
