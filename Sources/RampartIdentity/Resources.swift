/// The resources (token audiences) the token service issues tokens for.
public enum TokenResource: Sendable, Equatable {
    /// Defender for Endpoint's API and SIEM API, under each name clients use for it.
    case defender(String)
    /// Microsoft Graph (security alerts).
    case graph(String)
    /// Rampart's own management API.
    case management

    public static let managementIdentifier = "api://rampart"
    static let defenderIdentifiers = [
        "https://api.securitycenter.microsoft.com",
        "https://api.securitycenter.windows.com",
        "https://api.security.microsoft.com",
        "https://securitycenter.onmicrosoft.com/windowsatpservice",
        "https://graph.windows.net",
        "fc780465-2017-40d4-a0c5-307022471b92",
    ]
    static let graphIdentifiers = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]

    /// Recognises a resource identifier, ignoring case and a trailing slash as Entra does.
    public init?(identifier: String) {
        var normalized = identifier.lowercased()
        while normalized.hasSuffix("/") { normalized.removeLast() }
        if let match = Self.defenderIdentifiers.first(where: { $0.lowercased() == normalized }) {
            self = .defender(match)
        } else if let match = Self.graphIdentifiers.first(where: { $0.lowercased() == normalized }) {
            self = .graph(match)
        } else if normalized == Self.managementIdentifier {
            self = .management
        } else {
            return nil
        }
    }

    /// The `aud` claim: the identifier as the client asked for it.
    public var audience: String {
        switch self {
        case .defender(let identifier), .graph(let identifier): identifier
        case .management: Self.managementIdentifier
        }
    }
}
