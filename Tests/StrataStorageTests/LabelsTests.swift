import Testing
@testable import StrataStorage

@Suite struct LabelsTests {
    static func labels(_ pairs: [(String, String)]) -> Labels {
        Labels(sorting: pairs.map { Label($0.0, $0.1) })
    }

    @Test func sortsByNameBytes() {
        let l = Self.labels([("b", "2"), ("__name__", "up"), ("B", "x"), ("a", "1")])
        // Byte order: "B" (0x42) < "__name__" (0x5F) < "a" < "b".
        #expect(l.pairs.map(\.name) == ["B", "__name__", "a", "b"])
        #expect(l.metricName == "up")
        #expect(l["a"] == "1")
        #expect(l["zz"] == nil)
        #expect(l.count == 4)
        #expect(Labels(["job": "api", "__name__": "up"]).pairs.map(\.name) == ["__name__", "job"])
    }

    struct ValidationCase: Sendable, CustomTestStringConvertible {
        let pairs: [Label]
        let limits: LabelLimits
        let requireName: Bool
        let error: LabelError?
        var testDescription: String { "\(pairs.map { "\($0.name)=\($0.value)" }) → \(error.map(\.description) ?? "ok")" }
    }

    static let validation: [ValidationCase] = [
        .init(pairs: [Label("__name__", "up"), Label("job", "api")], limits: .default, requireName: true, error: nil),
        .init(pairs: [], limits: .default, requireName: true, error: .empty),
        .init(pairs: [Label("job", "api")], limits: .default, requireName: true, error: .missingMetricName),
        .init(pairs: [Label("job", "api")], limits: .default, requireName: false, error: nil),
        .init(pairs: [Label("__name__", "up"), Label("1job", "x")], limits: .default, requireName: true, error: .invalidName("1job")),
        .init(pairs: [Label("__name__", "up"), Label("jo-b", "x")], limits: .default, requireName: true, error: .invalidName("jo-b")),
        .init(pairs: [Label("__name__", "up"), Label("jöb", "x")], limits: .default, requireName: true, error: .invalidName("jöb")),
        .init(pairs: [Label("__name__", "up"), Label("", "x")], limits: .default, requireName: true, error: .invalidName("")),
        .init(pairs: [Label("__name__", "up:rate5m"), Label("_a9", "x")], limits: .default, requireName: true, error: nil),
        .init(pairs: [Label("__name__", "9up")], limits: .default, requireName: true, error: .invalidName("9up")),
        .init(pairs: [Label("__name__", "")], limits: .default, requireName: true, error: .emptyValue(name: "__name__")),
        .init(pairs: [Label("__name__", "up"), Label("job", "")], limits: .default, requireName: true, error: .emptyValue(name: "job")),
        .init(pairs: [Label("__name__", "up"), Label("a", "1"), Label("a", "2")], limits: .default, requireName: true, error: .duplicateName("a")),
        .init(pairs: [Label("__name__", "up"), Label("b", "1"), Label("a", "2")], limits: .default, requireName: true, error: .unsorted("a")),
        .init(pairs: [Label("__name__", "up"), Label("a", "1"), Label("b", "2")], limits: LabelLimits(maxLabels: 2),
              requireName: true, error: .tooManyLabels(count: 3, limit: 2)),
        .init(pairs: [Label("abc", "1"), Label("abcdef", "1")], limits: LabelLimits(maxNameLength: 5),
              requireName: false, error: .nameTooLong(name: "abcdef", limit: 5)),
        // Length limits count UTF-8 bytes: "é" is 2 bytes.
        .init(pairs: [Label("__name__", "up"), Label("a", "ééé")], limits: LabelLimits(maxValueLength: 5),
              requireName: true, error: .valueTooLong(name: "a", length: 6, limit: 5)),
        .init(pairs: [Label("__name__", "up"), Label("a", "éé")], limits: LabelLimits(maxValueLength: 4), requireName: true, error: nil),
        // Any UTF-8 value is allowed.
        .init(pairs: [Label("__name__", "up"), Label("a", "日本語 \n\"😀\"")], limits: .default, requireName: true, error: nil),
    ]

    @Test(arguments: validation)
    func validate(_ c: ValidationCase) {
        let l = Labels(sortedUnchecked: c.pairs)
        if let e = c.error {
            #expect(throws: e) { try l.validate(limits: c.limits, requireMetricName: c.requireName) }
        } else {
            #expect(throws: Never.self) { try l.validate(limits: c.limits, requireMetricName: c.requireName) }
        }
    }

    @Test func sortingKeepsDuplicatesForValidation() {
        let l = Self.labels([("b", "1"), ("__name__", "x"), ("b", "2")])
        #expect(throws: LabelError.duplicateName("b")) { try l.validate() }
    }

    @Test func identityIsBytes() {
        // NFC é and NFD e+◌́ are == as Swift Strings, but distinct label values.
        let nfc = Label("a", "é"), nfd = Label("a", "e\u{301}")
        #expect(nfc != nfd)
        #expect(Set([nfc, nfd]).count == 2)
        #expect((nfc < nfd) != (nfd < nfc))
        let l1 = Labels(sortedUnchecked: [Label("__name__", "x"), nfc])
        let l2 = Labels(sortedUnchecked: [Label("__name__", "x"), nfd])
        #expect(l1 != l2)
        #expect(l1.stableHash != l2.stableHash)
        #expect(Set([l1, l2, Labels(sortedUnchecked: [Label("__name__", "x"), Label("a", "é")])]).count == 2)
        #expect(Label("a", "1") < Label("a", "2"))
        #expect(Label("a", "9") < Label("b", "1"))
        #expect(!(Label("a", "1") < Label("a", "1")))
    }

    @Test func settingRemovingKeeping() {
        let l = Self.labels([("__name__", "up"), ("job", "api"), ("instance", "h:1")])
        #expect(l.setting("zone", "eu").pairs.map(\.name) == ["__name__", "instance", "job", "zone"])
        #expect(l.setting("a", "1").pairs.map(\.name) == ["__name__", "a", "instance", "job"])
        #expect(l.setting("job", "web")["job"] == "web")
        #expect(l.setting("job", "web").count == 3)
        // An empty value removes the label, as in Prometheus.
        #expect(l.setting("job", "")["job"] == nil)
        #expect(l.setting("job", "").count == 2)
        #expect(l.setting("nope", "") == l)
        #expect(l.removing("job").pairs.map(\.name) == ["__name__", "instance"])
        #expect(l.removing(["job", "instance"]).pairs.map(\.name) == ["__name__"])
        #expect(l.keeping(["job", "nope"]).pairs.map(\.name) == ["job"])
        #expect((try? l.setting("zone", "eu").validate()) != nil)
    }

    @Test func description() {
        #expect(Self.labels([("__name__", "up"), ("job", "api"), ("a", "1")]).description == #"up{a="1", job="api"}"#)
        #expect(Self.labels([("job", "api")]).description == #"{job="api"}"#)
        #expect(Self.labels([("__name__", "up")]).description == "up{}")
        #expect(Self.labels([("a", "q\"b\\s\nx")]).description == #"{a="q\"b\\s\nx"}"#)
        #expect(Labels().description == "{}")
    }

    @Test func stableHashIsPinned() {
        // Word-at-a-time fold with length tags, then Murmur3's finaliser:
        // stable across processes (see Labels.stableHash).
        let l = Self.labels([("__name__", "up"), ("job", "api")])
        #expect(l.stableHash == l.stableHash)
        #expect(l.stableHash == 0x7a33_b468_5d4b_6ab0)  // computed independently (Python)
        #expect(Labels().stableHash == 0x7acd_bb98_b134_4213)
        // The separators keep ("ab","c") and ("a","bc") apart.
        #expect(Self.labels([("ab", "c")]).stableHash != Self.labels([("a", "bc")]).stableHash)
    }

    @Test func errorDescriptions() {
        #expect(LabelError.nameTooLong(name: "abc", limit: 2).description == "label name \"abc\" is longer than 2 bytes")
        let long = String(repeating: "n", count: 100)
        #expect(LabelError.nameTooLong(name: long, limit: 2).description
                == "label name \"\(String(repeating: "n", count: 64))…\" is longer than 2 bytes")
        #expect(LabelError.emptyValue(name: "a").description == "label \"a\" has an empty value")
    }
}
