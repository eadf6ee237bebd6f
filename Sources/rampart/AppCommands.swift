import ArgumentParser
import Foundation
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore

struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app", abstract: "App registrations: client ids, secrets, permissions.",
        subcommands: [
            Create.self, List.self, AddSecret.self, Grant.self, AddRedirect.self, Authorize.self, Deauthorize.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an app in a tenant.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Display name.") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await withServices(storage) { services in
                let app = try await services.admin.createApp(in: try await tenant.scope(services), displayName: name)
                if json {
                    try Output.json(app)
                } else {
                    print(CLIText().format("cli_app_created", app.displayName, app.clientID.description))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's apps.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Flag(help: "Print JSON.") var json = false

        struct Listing: Encodable {
            let app: AppRegistration
            let permissions: [String]
            let secrets: [AppSecretInfo]
        }

        func run() async throws {
            try await withServices(storage) { services in
                let scope = try await tenant.scope(services)
                var listings: [Listing] = []
                for app in try await services.apps.apps(in: scope) {
                    listings.append(
                        Listing(
                            app: app,
                            permissions: try await services.apps.permissions(clientID: app.clientID, tenantID: scope.tenantID)
                                .map(\.rawValue).sorted(),
                            secrets: try await services.apps.secrets(clientID: app.clientID)))
                }
                if json {
                    try Output.json(listings)
                } else {
                    for listing in listings {
                        print(
                            "\(listing.app.clientID)  \(listing.app.displayName)  [\(listing.permissions.joined(separator: ", "))]  secrets: \(listing.secrets.map(\.hint).joined(separator: ", "))"
                        )
                    }
                }
            }
        }
    }

    struct AddSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-secret", abstract: "Add a client secret; it is shown once.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Client id.") var app: String
        @Option(help: "Days until the secret expires (default 730).") var days: Int = 730
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let clientID = ObjectID(app) else { throw ValidationError("--app must be a client id (GUID)") }
            try await withServices(storage) { services in
                let created = try await services.admin.addSecret(
                    in: try await tenant.scope(services), clientID: clientID, days: days)
                if json {
                    try Output.json([
                        "id": created.info.id.description, "secret": created.secret,
                        "expiresAt": created.info.expiresAt.description,
                    ])
                } else {
                    print(CLIText().format("cli_secret_created", created.secret, created.info.expiresAt.description))
                }
            }
        }
    }

    struct AddRedirect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-redirect",
            abstract: "Register a redirect URI for the app's authorization-code sign-ins (e.g. an MSSP token script's).")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Client id.") var app: String
        @Option(help: "https://…, or http:// on localhost.") var uri: String

        func run() async throws {
            guard let clientID = ObjectID(app) else { throw ValidationError("--app must be a client id (GUID)") }
            try await withServices(storage) { services in
                let all = try await services.admin.setRedirectURI(
                    in: try await tenant.scope(services), clientID: clientID, uri: uri)
                Console.line(CLIText().format("cli_redirects", all.joined(separator: ", ")))
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant application permissions in the tenant.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Client id.") var app: String
        @Option(
            name: .customLong("permission"),
            help: "Alert.Read.All, Alert.ReadWrite.All, Machine.Read.All or Alert.Ingest; repeatable.")
        var permissions: [String]
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let clientID = ObjectID(app) else { throw ValidationError("--app must be a client id (GUID)") }
            try await withServices(storage) { services in
                let granted = try await services.admin.grant(
                    in: try await tenant.scope(services), clientID: clientID, permissions: permissions)
                let names = granted.map(\.rawValue).sorted()
                if json {
                    try Output.json(["permissions": names])
                } else {
                    print(CLIText().format("cli_granted", names.joined(separator: ", ")))
                }
            }
        }
    }
}

extension AppCommand {
    struct Authorize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let an app of any tenant (an MSSP's SIEM app) into this tenant with these permissions.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Application (client) id.") var app: String
        @Option(name: .customLong("permission"), help: "Application permission; repeatable.") var permissions: [String]
        @Option(name: .customLong("device-group"), help: "Limit the app to this device group (id or name); repeatable.")
        var deviceGroups: [String] = []

        func run() async throws {
            guard let clientID = ObjectID(app) else { throw ValidationError("--app must be a client id (GUID)") }
            try await withServices(storage) { services in
                let authorization = try await services.appAuthorizations.authorize(
                    in: try await tenant.scope(services), clientID: clientID, permissions: permissions, deviceGroups: deviceGroups
                )
                Console.line(
                    CLIText().format(
                        "cli_app_authorized", authorization.app.displayName,
                        authorization.permissions.map(\.rawValue).sorted().joined(separator: ", ")))
            }
        }
    }

    struct Deauthorize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an app's authorization in this tenant.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "Application (client) id.") var app: String

        func run() async throws {
            guard let clientID = ObjectID(app) else { throw ValidationError("--app must be a client id (GUID)") }
            try await withServices(storage) { services in
                try await services.appAuthorizations.remove(
                    in: try await tenant.scope(services), clientID: clientID)
                Console.line(CLIText().format("cli_deleted", clientID.description))
            }
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Token-signing keys.", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new signing key active; old keys stay published until their tokens expire.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await withServices(storage) { services in
                print(CLIText().format("cli_key_rotated", try await services.keys.rotate()))
            }
        }
    }
}
