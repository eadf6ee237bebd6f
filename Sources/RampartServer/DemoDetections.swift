import Foundation
import RampartCore

/// Detection templates for the demo, modelled on real sensor output (Suricata EVE, Wazuh, Falco, Defender, OCSF).
struct DemoDetection {
    let sensor: String
    let title: String
    let description: String
    let severity: AlertSeverity
    let category: AlertCategory
    let detectionSource: DetectionSource
    let detectorID: String
    let techniques: [String]
    let evidence: @Sendable (DemoRandom, String) -> [AlertEvidence]
}

/// A small deterministic generator, so the demo world is the same on every machine.
final class DemoRandom: @unchecked Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    func hex(_ length: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<length).map { _ in digits[int(0..<16)] })
    }
    func ip(_ prefix: String) -> String { "\(prefix).\(int(1..<255))" }
}

enum DemoDetections {
    static func ipEvidence(_ address: String) -> AlertEvidence {
        var item = AlertEvidence(entityType: "Ip")
        item.ipAddress = address
        return item
    }

    static func userEvidence(_ name: String, domain: String) -> AlertEvidence {
        var item = AlertEvidence(entityType: "User")
        item.accountName = name
        item.domainName = domain.uppercased()
        return item
    }

    static func processEvidence(_ random: DemoRandom, file: String, path: String, commandLine: String) -> AlertEvidence {
        var item = AlertEvidence(entityType: "Process")
        item.fileName = file
        item.filePath = path
        item.processId = Int64(random.int(1000..<65000))
        item.processCommandLine = commandLine
        item.sha1 = random.hex(40)
        item.sha256 = random.hex(64)
        item.detectionStatus = "Detected"
        return item
    }

    static let all: [DemoDetection] = [
        DemoDetection(
            sensor: "suricata", title: "ET POLICY PsExec service created",
            description: "Suricata signature 2010781 matched SMB traffic that created the PSEXESVC service on a remote host.",
            severity: .medium, category: .lateralMovement, detectionSource: .thirdPartySensors, detectorID: "suricata:2010781",
            techniques: ["T1569.002", "T1021.002"],
            evidence: { random, _ in [ipEvidence(random.ip("10.1.1")), ipEvidence(random.ip("10.1.2"))] }),
        DemoDetection(
            sensor: "suricata", title: "ET POLICY SMB2 NT Create AndX Request For an Executable File",
            description: "An executable file was written over SMB2 (Suricata signature 2025701).",
            severity: .medium, category: .lateralMovement, detectionSource: .thirdPartySensors, detectorID: "suricata:2025701",
            techniques: ["T1570"],
            evidence: { random, _ in
                var file = AlertEvidence(entityType: "File")
                file.fileName = "PSEXESVC.exe"
                file.sha256 = random.hex(64)
                return [file, ipEvidence(random.ip("10.1.1"))]
            }),
        DemoDetection(
            sensor: "suricata", title: "GPL ATTACK_RESPONSE id check returned root",
            description:
                "An HTTP response contained the output of `id` for uid=0 (Suricata signature 2100498): a command may have run as root.",
            severity: .high, category: .execution, detectionSource: .thirdPartySensors, detectorID: "suricata:2100498",
            techniques: ["T1059.004"],
            evidence: { random, _ in [ipEvidence("217.160.0.187"), ipEvidence(random.ip("10.16.1"))] }),
        DemoDetection(
            sensor: "wazuh", title: "sshd: brute force trying to get access to the system. Non existent user.",
            description: "Wazuh rule 5712 (level 10) fired: repeated SSH logins for a user that does not exist.",
            severity: .medium, category: .credentialAccess, detectionSource: .thirdPartySensors, detectorID: "wazuh:5712",
            techniques: ["T1110"],
            evidence: { random, _ in [ipEvidence(random.ip("172.17.1")), userEvidence("paco", domain: "local")] }),
        DemoDetection(
            sensor: "wazuh", title: "Shellshock attack attempt",
            description:
                "Wazuh rule 31166 (level 6): a web request carried a Bash function definition in a header (CVE-2014-6271).",
            severity: .high, category: .initialAccess, detectionSource: .thirdPartySensors, detectorID: "wazuh:31166",
            techniques: ["T1190"],
            evidence: { random, _ in
                var url = AlertEvidence(entityType: "Url")
                url.url = "http://\(random.ip("192.168.33")):80/cgi-bin/status"
                return [url, ipEvidence(random.ip("45.33.32"))]
            }),
        DemoDetection(
            sensor: "falco", title: "Terminal shell in container",
            description: "Falco: a shell was spawned in a container with an attached terminal (user=root).",
            severity: .high, category: .execution, detectionSource: .thirdPartySensors,
            detectorID: "falco:terminal_shell_in_container",
            techniques: ["T1059"],
            evidence: { random, _ in [processEvidence(random, file: "bash", path: "/bin", commandLine: "bash")] }),
        DemoDetection(
            sensor: "falco", title: "Contact K8S API Server From Container",
            description: "Falco: unexpected connection to the Kubernetes API server from a container.",
            severity: .low, category: .discovery, detectionSource: .thirdPartySensors, detectorID: "falco:contact_k8s_api_server",
            techniques: ["T1613"],
            evidence: { random, _ in [ipEvidence(random.ip("10.96.0"))] }),
        DemoDetection(
            sensor: "falco", title: "Disallowed K8s User",
            description: "Falco: a Kubernetes operation was performed by a user not in the allowed list.",
            severity: .medium, category: .privilegeEscalation, detectionSource: .thirdPartySensors,
            detectorID: "falco:disallowed_k8s_user",
            techniques: ["T1078"],
            evidence: { _, _ in [userEvidence("yacht", domain: "cluster")] }),
        DemoDetection(
            sensor: "defender", title: "Low-reputation arbitrary code executed by signed executable",
            description:
                "Binaries signed by Microsoft can be used to run low-reputation arbitrary code. This technique hides the execution of malicious code within a trusted process.",
            severity: .low, category: .execution, detectionSource: .windowsDefenderAtp,
            detectorID: "17e10bbc-3a68-474a-8aad-faef14d43952",
            techniques: ["T1064", "T1085", "T1220"],
            evidence: { random, host in
                [
                    userEvidence("temp123", domain: host.components(separatedBy: ".").dropFirst().first ?? "corp"),
                    processEvidence(
                        random, file: "rundll32.exe", path: "C:\\Windows\\SysWOW64",
                        commandLine: "rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe"),
                ]
            }),
        DemoDetection(
            sensor: "defender", title: "Suspicious PowerShell command line",
            description: "A PowerShell process ran an encoded command often used to download and run code.",
            severity: .medium, category: .execution, detectionSource: .windowsDefenderAtp,
            detectorID: "7f2a5b1c-9d40-4e55-8f1b-2c6a1e0d9b31",
            techniques: ["T1059.001", "T1027"],
            evidence: { random, _ in
                [
                    processEvidence(
                        random, file: "powershell.exe", path: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
                        commandLine: "powershell.exe -NoP -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA")
                ]
            }),
        DemoDetection(
            sensor: "defender", title: "Meterpreter post-exploitation tool",
            description:
                "Malware and unwanted software are undesirable applications that perform annoying, disruptive, or harmful actions.",
            severity: .high, category: .malware, detectionSource: .windowsDefenderAv,
            detectorID: "a0e2d9b1-5c3e-4f7a-b8d6-1e9c4f2a7b50",
            techniques: ["T1055"],
            evidence: { random, _ in
                var file = AlertEvidence(entityType: "File")
                file.fileName = "meter.exe"
                file.filePath = "C:\\Users\\Public"
                file.sha1 = random.hex(40)
                file.sha256 = random.hex(64)
                file.detectionStatus = "Prevented"
                return [file]
            }),
        DemoDetection(
            sensor: "ocsf", title: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
            description:
                "OCSF detection finding (GuardDuty): credentials created exclusively for an EC2 instance were used from an external IP address.",
            severity: .high, category: .exfiltration, detectionSource: .thirdPartySensors,
            detectorID: "guardduty:InstanceCredentialExfiltration",
            techniques: ["T1552.005"],
            evidence: { random, _ in [ipEvidence(random.ip("198.51.100"))] }),
        DemoDetection(
            sensor: "ocsf", title: "Okta: user account locked out after repeated failed sign-ins",
            description: "OCSF detection finding from Okta: many failed authentications for one account from one address.",
            severity: .informational, category: .credentialAccess, detectionSource: .thirdPartySensors,
            detectorID: "okta:account_lockout",
            techniques: ["T1110.003"],
            evidence: { random, _ in [ipEvidence(random.ip("203.0.113")), userEvidence("j.smith", domain: "okta")] }),
    ]
}
