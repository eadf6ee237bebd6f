import ArgumentParser

@main
struct RampartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rampart",
        abstract: "Rampart: a multi-tenant endpoint-security alert platform for MSSPs.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, DemoCommand.self, TenantCommand.self, UserCommand.self,
            GroupCommand.self, AppCommand.self, KeysCommand.self, RoleCommand.self, DeviceGroupCommand.self,
            ConnectedOrganizationCommand.self, AccessPackageCommand.self, AccessRequestCommand.self, NotificationRuleCommand.self,
            ConnectorCommand.self, IngestCommand.self,
            AccessAssignmentCommand.self, AuditCommand.self,
            BenchCommand.self,
        ])
}
