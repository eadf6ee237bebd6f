import Foundation
import RampartCore
import RampartStore

/// Turns a bearer token into an access scope, checking the grant as it stands now at every request.
public struct BearerAuthenticator: Sendable {
    let keys: SigningKeys
    let directory: DirectoryRepository
    let apps: AppRepository
    let rbac: RBACRepository
    let issuerBase: String
    let clock: WallClock

    public init(
        keys: SigningKeys, directory: DirectoryRepository, apps: AppRepository, rbac: RBACRepository, issuerBase: String,
        clock: WallClock = .system
    ) {
        self.keys = keys
        self.directory = directory
        self.apps = apps
        self.rbac = rbac
        self.issuerBase = issuerBase
        self.clock = clock
    }

    /// The scope of the token, or `unauthorized` for a missing, bad, expired or foreign token.
    public func scope(authorization header: String?, accepting accepts: (TokenResource) -> Bool) async throws(RampartError)
        -> AccessScope
    {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw .unauthorized("Authorization header with a bearer token is missing.")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token)
        } catch {
            throw .unauthorized("The access token is invalid or expired.")
        }
        guard let tenantID = TenantID(claims.tid), claims.iss == "\(issuerBase)/\(tenantID)/v2.0",
            let resource = TokenResource(identifier: claims.aud), accepts(resource)
        else { throw .unauthorized("The access token is not valid for this API.") }
        do {
            guard try await directory.tenant(id: tenantID) != nil else { throw RampartError.unauthorized("Unknown tenant.") }
            if claims.isUserToken {
                guard let oid = claims.oid.flatMap(ObjectID.init), let user = try await directory.user(id: oid),
                    user.tenantID == tenantID, let scope = try await rbac.scope(for: user, now: clock.now())
                else { throw RampartError.unauthorized("The user of this token no longer has access.") }
                // Delegated permissions narrow what the user may do; they never widen it.
                guard let delegated = DelegatedPermissions.capabilities(scp: claims.scp) else { return scope }
                return AccessScope(
                    tenantID: scope.tenantID, principal: scope.principal,
                    capabilities: scope.capabilities.intersection(delegated), deviceGroups: scope.deviceGroups,
                    groupIDs: scope.groupIDs)
            }
            guard let clientID = ObjectID(claims.appid) else { throw RampartError.unauthorized("Malformed token.") }
            let granted = try await apps.permissions(clientID: clientID, tenantID: tenantID)
            guard let app = try await apps.app(clientID: clientID) else {
                throw RampartError.unauthorized("The application of this token no longer exists.")
            }
            let scope = AccessScope.app(
                clientID: clientID, homeTenantID: app.homeTenantID, tenantID: tenantID, grantedNow: granted,
                tokenRoles: Set(claims.roles ?? []))
            guard let limited = try await apps.deviceGroupRestriction(clientID: clientID, tenantID: tenantID) else {
                return scope
            }
            return AccessScope(
                tenantID: tenantID, principal: scope.principal, capabilities: scope.capabilities, deviceGroups: .only(limited))
        } catch let error as RampartError {
            throw error
        } catch {
            throw .unauthorized("The access token could not be checked.")
        }
    }
}
