/// The stored JSON of an evidence item, written and read by hand: evidence is written for every alert ingested and
/// read for every alert a SIEM page or push connector sends. The text is what `JSONEncoder` writes for the same
/// value (members in declaration order, absent ones left out), so either side can read the other's.
extension AlertEvidence {
    public func jsonText() -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        /// A member when the value is present; numbers are written bare, text as a JSON string.
        func member(_ key: String, _ text: String?, number: Int64? = nil) {
            guard text != nil || number != nil else { return }
            output.append(output.isEmpty ? 0x7B : 0x2C)
            JSONText.appendString(key, to: &output)
            output.append(0x3A)
            if let number { output.append(contentsOf: String(number).utf8) }
            if let text { JSONText.appendString(text, to: &output) }
        }
        member("entityType", entityType)
        member("evidenceCreationTime", evidenceCreationTime?.description)
        member("sha1", sha1)
        member("sha256", sha256)
        member("fileName", fileName)
        member("filePath", filePath)
        member("processId", nil, number: processId)
        member("processCommandLine", processCommandLine)
        member("processCreationTime", processCreationTime?.description)
        member("parentProcessId", nil, number: parentProcessId)
        member("parentProcessCreationTime", parentProcessCreationTime?.description)
        member("parentProcessFileName", parentProcessFileName)
        member("parentProcessFilePath", parentProcessFilePath)
        member("ipAddress", ipAddress)
        member("url", url)
        member("registryKey", registryKey)
        member("registryHive", registryHive)
        member("registryValueType", registryValueType)
        member("registryValue", registryValue)
        member("accountName", accountName)
        member("domainName", domainName)
        member("userSid", userSid)
        member("aadUserId", aadUserId)
        member("userPrincipalName", userPrincipalName)
        member("detectionStatus", detectionStatus)
        output.append(0x7D)
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads the stored text; nil when it is not a flat object with an `entityType` and values of the right types.
    public init?(jsonText: String) {
        guard let members = FlatJSONObject.parse(jsonText) else { return nil }
        var evidence = AlertEvidence(entityType: "")
        var typed = false
        for (key, value) in members {
            if case .null = value { continue }
            switch key {
            case "entityType":
                guard case .string(let text) = value else { return nil }
                evidence.entityType = text
                typed = true
            case "processId", "parentProcessId":
                guard case .integer(let number) = value else { return nil }
                if key == "processId" { evidence.processId = number } else { evidence.parentProcessId = number }
            case "evidenceCreationTime", "processCreationTime", "parentProcessCreationTime":
                guard case .string(let text) = value, let time = Timestamp(iso8601: text) else { return nil }
                switch key {
                case "evidenceCreationTime": evidence.evidenceCreationTime = time
                case "processCreationTime": evidence.processCreationTime = time
                default: evidence.parentProcessCreationTime = time
                }
            default:
                guard case .string(let text) = value else { return nil }
                evidence.setText(text, for: key)
            }
        }
        guard typed else { return nil }
        self = evidence
    }

    /// Unknown members are passed over: a newer Rampart may have written them.
    mutating func setText(_ text: String, for key: String) {
        switch key {
        case "sha1": sha1 = text
        case "sha256": sha256 = text
        case "fileName": fileName = text
        case "filePath": filePath = text
        case "processCommandLine": processCommandLine = text
        case "parentProcessFileName": parentProcessFileName = text
        case "parentProcessFilePath": parentProcessFilePath = text
        case "ipAddress": ipAddress = text
        case "url": url = text
        case "registryKey": registryKey = text
        case "registryHive": registryHive = text
        case "registryValueType": registryValueType = text
        case "registryValue": registryValue = text
        case "accountName": accountName = text
        case "domainName": domainName = text
        case "userSid": userSid = text
        case "aadUserId": aadUserId = text
        case "userPrincipalName": userPrincipalName = text
        case "detectionStatus": detectionStatus = text
        default: break
        }
    }
}
