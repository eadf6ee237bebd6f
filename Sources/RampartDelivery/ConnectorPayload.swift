import RampartCore
import RampartFormats
import RampartStore

/// The syslog message a connector sends for one change: an RFC 5424 header whose structured data carries the
/// tenant, the event kind and a stable event id (receivers drop repeats by it), then the payload in the
/// connector's format.
public enum ConnectorPayload {
    /// Rampart's private SD-ID (RFC 5424 §6.3.2 wants an enterprise number; 32473 is the documentation PEN).
    public static let structuredDataID = "rampart@32473"

    public static func message(
        _ change: AlertChange, format: Connector.Format, hostname: String, portalURL: String, rfc3164: Bool = false
    ) -> String {
        let alert = change.alert
        let kind = change.event.kind
        let body: String =
            switch format {
            case .cef: CEFFormat.event(alert, kind: kind, portalURL: portalURL)
            case .leef: LEEFFormat.event(alert, kind: kind, portalURL: portalURL)
            case .json: DefenderAlertJSON.alert(alert, includeEvidence: true).serialized()
            case .ocsf: OCSFDetectionFinding.event(alert, kind: kind, portalURL: portalURL).serialized()
            }
        if rfc3164 {
            return SyslogFormat.rfc3164(
                priority: SyslogFormat.priority(alert.severity), time: change.event.occurredAt, hostname: hostname,
                message: body)
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

    /// The message for a datagram of at most `limit` bytes: the full one when it fits, else the same record for the
    /// alert without its description, evidence and comments and with a shortened title, so it stays valid in its
    /// format (a cut JSON or CEF text would not parse).
    public static func datagram(
        _ change: AlertChange, format: Connector.Format, hostname: String, portalURL: String, rfc3164: Bool, limit: Int
    ) -> String {
        let full = message(change, format: format, hostname: hostname, portalURL: portalURL, rfc3164: rfc3164)
        guard full.utf8.count > limit else { return full }
        var short = change
        short.alert.description = ""
        short.alert.evidence = []
        short.alert.comments = []
        short.alert.mitreTechniques = []
        for titleLength in [120, 40, 0] {
            short.alert.title = String(change.alert.title.prefix(titleLength))
            let compact = message(short, format: format, hostname: hostname, portalURL: portalURL, rfc3164: rfc3164)
            if compact.utf8.count <= limit { return compact }
        }
        return message(short, format: format, hostname: hostname, portalURL: portalURL, rfc3164: rfc3164)
    }
}
