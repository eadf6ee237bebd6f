import Foundation
import PropertyBased
import Testing

@testable import RampartStore

@Suite struct StoredJSONTests {
    @Test func stringArraysSurviveTheRoundTrip() async throws {
        let alphabet = Gen.element(of: Array("ab,\"\\/ .-\u{1}\u{1F}Жé[]"))
        await propertyCheck(count: 1000, input: alphabet.array(of: 0...12).array(of: 0...5)) { (characters: [[Character?]]) in
            let strings = characters.map { String($0.compactMap { $0 }) }
            let text = AlertRepository.json(strings)
            #expect((try? JSONDecoder().decode([String].self, from: Data(text.utf8))) == strings)
            #expect((try? AlertRepository.stringArray(text)) == strings)
        }
    }
}
