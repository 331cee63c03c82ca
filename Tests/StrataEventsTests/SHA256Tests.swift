import Foundation
import Testing
@testable import StrataEvents

@Suite struct SHA256Tests {
    func hex(_ s: String) -> String { SHA256.hash(Array(s.utf8)).hex }

    /// FIPS 180-4 / NIST CSRC example values.
    @Test func fipsExamples() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func millionAs() {
        var s = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { s.update(chunk) }
        #expect(s.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every padding boundary (55, 56, 63, 64 … bytes) and every split of the input agree with coreutils.
    @Test func splitsAndLengthsAgreeWithSha256sum() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return }
        let bytes = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200] {
            let input = Array(bytes.prefix(n))
            let whole = SHA256.hash(input)
            for split in Set([0, n / 3, n / 2, max(0, n - 1), n]) {
                var s = SHA256()
                s.update(Array(input[..<split]))
                s.update(Array(input[split...]))
                #expect(s.finalize() == whole, "length \(n) split \(split)")
            }
            let path = NSTemporaryDirectory() + "sha-\(n)-\(getpid())"
            FileManager.default.createFile(atPath: path, contents: Data(input))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            p.arguments = [path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            p.waitUntilExit()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(out.hasPrefix(whole.hex), "length \(n)")
        }
    }

    @Test func digestHexAndBytesRoundTrip() {
        let d = SHA256.hash(Array("strata".utf8))
        #expect(SHA256.Digest(hex: d.hex) == d)
        #expect(SHA256.Digest(bytes: d.bytes) == d)
        #expect(SHA256.Digest(hex: "zz") == nil)
    }
}
