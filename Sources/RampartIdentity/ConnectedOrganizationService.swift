import RampartCore
import RampartStore

/// A customer connects an MSSP's tenant (by id or verified domain), the first step of granting it access.
public struct ConnectedOrganizationService: Sendable {
    let directory: DirectoryRepository
    let organizations: ConnectedOrganizationRepository

    public init(directory: DirectoryRepository, organizations: ConnectedOrganizationRepository) {
        self.directory = directory
        self.organizations = organizations
    }

    public func list(in scope: AccessScope) async throws -> [(Tenant, Timestamp)] {
        try scope.require(.manageDirectory)
        return try await organizations.list(scope)
    }

    /// Connects the tenant named by id or domain; returns it and whether it was newly connected.
    public func add(in scope: AccessScope, reference: String) async throws -> (Tenant, added: Bool) {
        try scope.require(.manageDirectory)
        guard let organization = try await directory.tenant(named: reference) else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "No tenant with id or domain \(reference) exists.")
        }
        guard organization.id != scope.tenantID else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "A tenant cannot connect itself.")
        }
        let added = try await organizations.add(
            organization.id, in: scope,
            audit: .make(
                scope, action: "connectedOrganization.add", target: organization.id.description, details: organization.domain))
        return (organization, added)
    }

    public func remove(in scope: AccessScope, reference: String) async throws {
        try scope.require(.manageDirectory)
        guard let organization = try await directory.tenant(named: reference),
            try await organizations.remove(
                organization.id, in: scope,
                audit: .make(
                    scope, action: "connectedOrganization.remove", target: organization.id.description,
                    details: organization.domain))
        else { throw RampartError.notFound("\(reference) is not a connected organization of this tenant.") }
    }
}
