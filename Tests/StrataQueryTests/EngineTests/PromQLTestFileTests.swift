import Foundation
import Testing
@testable import StrataQuery

/// Runs every `.test` script in `Tests/StrataQueryTests/testdata/`.
@Suite struct PromQLTestFileTests {
    static let directory: String = {
        // Tests/StrataQueryTests/EngineTests/<this file> → Tests/StrataQueryTests/testdata
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("testdata").path
    }()

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".test") }.sorted()
    }()

    @Test func thereAreScripts() {
        #expect(Self.files.count >= 10)
    }

    @Test(arguments: Self.files)
    func script(_ file: String) async throws {
        let text = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
        let script = try PromQLTestScript(text)
        let result = try await PromQLTestRunner.run(script, name: file)
        #expect(result.evalCount > 0)
        for f in result.failures { Issue.record(Comment(rawValue: f)) }
    }
}
