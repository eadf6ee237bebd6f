import Foundation
import RampartServer

/// CLI messages from the string catalog, in the language of `LC_ALL`/`LC_MESSAGES`/`LANG` (English or Russian).
struct CLIText {
    let renderer: PortalRenderer?
    let language: String

    init() {
        renderer = try? PortalRenderer()
        let environment = ProcessInfo.processInfo.environment
        let locale = environment["LC_ALL"] ?? environment["LC_MESSAGES"] ?? environment["LANG"] ?? "en"
        language = locale.lowercased().hasPrefix("ru") ? "ru" : "en"
    }

    func format(_ key: String, _ arguments: any CVarArg...) -> String {
        let template = renderer?.text(key, language) ?? key
        return String(format: template, arguments: arguments)
    }
}

enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Unbuffered standard output, so a supervisor reading our pipe sees each line at once.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
