import Foundation
import RampartCore

/// The entities related to an alert (`/api/alerts/{id}/user|files|ips|domains`), drawn from its evidence and related
/// user, in Defender's shapes; what no sensor reported is null.
public enum DefenderRelatedJSON {
    static let metadata = "https://api.securitycenter.microsoft.com/api/$metadata"

    public static func user(_ alert: Alert) -> JSONValue? {
        let fromEvidence = alert.evidence.first { $0.accountName != nil }
        guard let name = alert.relatedUser?.userName ?? fromEvidence?.accountName else { return nil }
        let domain = alert.relatedUser?.domainName ?? fromEvidence?.domainName
        return .object([
            ("@odata.context", .string("\(metadata)#Users/$entity")),
            ("id", .string(domain.map { "\($0)\\\(name)" } ?? name)),
            ("accountName", .string(name)),
            ("accountDomain", .string(domain)),
            ("accountSid", .string(fromEvidence?.userSid)),
            ("firstSeen", .null), ("lastSeen", .null), ("mostPrevalentMachineId", .string(alert.machineID)),
            ("leastPrevalentMachineId", .string(alert.machineID)), ("logonTypes", .null), ("logOnMachinesCount", .null),
            ("isDomainAdmin", .null), ("isOnlyNetworkUser", .null),
        ])
    }

    public static func files(_ alert: Alert) -> JSONValue {
        var seen: Set<String> = []
        let files: [JSONValue] = alert.evidence.compactMap { item in
            guard let key = item.sha256 ?? item.sha1, seen.insert(key).inserted else { return nil }
            return .object([
                ("sha1", .string(item.sha1)), ("sha256", .string(item.sha256)), ("md5", .null),
                ("globalPrevalence", .null), ("globalFirstObserved", .null), ("globalLastObserved", .null), ("size", .null),
                ("fileType", .null), ("isPeFile", .null), ("filePublisher", .null), ("fileProductName", .null),
                ("signer", .null), ("issuer", .null), ("signerHash", .null), ("isValidCertificate", .null),
                ("determinationType", .null), ("determinationValue", .null),
            ])
        }
        return .object([("@odata.context", .string("\(metadata)#Files")), ("value", .array(files))])
    }

    public static func ips(_ alert: Alert) -> JSONValue {
        var seen: Set<String> = []
        let ips = alert.evidence.compactMap(\.ipAddress).filter { seen.insert($0).inserted }
        return .object([
            ("@odata.context", .string("\(metadata)#Ips")),
            ("value", .array(ips.map { .object([("id", .string($0))]) })),
        ])
    }

    public static func domains(_ alert: Alert) -> JSONValue {
        var seen: Set<String> = []
        let hosts = alert.evidence.compactMap(\.url).compactMap { text -> String? in
            (URLComponents(string: text)?.host ?? URLComponents(string: "http://" + text)?.host)?.lowercased()
        }.filter { seen.insert($0).inserted }
        return .object([
            ("@odata.context", .string("\(metadata)#Domains")),
            ("value", .array(hosts.map { .object([("host", .string($0))]) })),
        ])
    }
}
