import RampartCore
import RampartFormats
import RampartStore

/// The syslog message a connector sends for one change: an RFC 5424 header whose structured data carries the
/// tenant, the event kind and a stable event id (receivers drop repeats by it), then the payload in the
/// connector's format.
public enum ConnectorPayload {
    /// Rampart's private SD-ID (RFC 5424 §6.3.2 wants an enterprise number; 32473 is the documentation PEN).
    public static let structuredDataID = "rampart@32473"

    public static func message(_ change: AlertChange, format: Connector.Format, hostname: String, portalURL: String) -> String {
        let alert = change.alert
        let kind = change.event.kind
        let body: String =
            switch format {
            case .cef: CEFFormat.event(alert, kind: kind, portalURL: portalURL)
            case .leef: LEEFFormat.event(alert, kind: kind, portalURL: portalURL)
            case .json: DefenderAlertJSON.alert(alert, includeEvidence: true).serialized()
            case .ocsf: OCSFDetectionFinding.event(alert, kind: kind, portalURL: portalURL).serialized()
            }
        return SyslogFormat.rfc5424(
            priority: SyslogFormat.priority(alert.severity), time: change.event.occurredAt, hostname: hostname,
            messageID: "alert-\(kind)",
            structuredData: [
                (
                    id: structuredDataID,
                    parameters: [
                        ("tenant", alert.tenantID.description), ("kind", kind), ("alert", alert.id),
                        ("event", "\(change.event.position.tx).\(change.event.position.seq)"),
                    ]
                )
            ], message: body)
    }
}
