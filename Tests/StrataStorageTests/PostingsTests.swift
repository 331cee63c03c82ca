import Testing
import PropertyBased
@testable import StrataStorage

/// Postings operations against a `Set` reference, for both id widths, with
/// list sizes that exercise the merge and the galloping paths.
@Suite struct PostingsTests {
    /// Sorted unique lists from raw generated values. `spread` scales the id
    /// range so lists are sometimes dense (many common ids) and sometimes sparse.
    static func lists<T: FixedWidthInteger & UnsignedInteger>(_ raw: [[UInt32]], spread: UInt32, as: T.Type) -> [[T]] {
        raw.map { Array(Set($0.map { T($0 % spread) })).sorted() }
    }

    /// Up to 6 lists; a list is short (≤ 40) or long (≤ 3000), so size
    /// ratios above `Postings.gallopRatio` are common.
    static let rawLists = zip(Gen.uint32(in: 0...100_000).array(of: 0...40),
                              Gen.uint32(in: 0...100_000).array(of: 0...3000),
                              Gen.bool)
        .map { t in t.2 ? t.1 : t.0 }
        .array(of: 0...6)
    static let spreads = Gen.int(in: 0...2).map { [UInt32(50), 5_000, 100_000][$0] }

    static func reference<T: Hashable & Comparable>(_ lists: [[T]]) -> (inter: [T], union: [T]) {
        guard let first = lists.first else { return ([], []) }
        var inter = Set(first)
        var uni = Set<T>()
        for l in lists {
            inter.formIntersection(l)
            uni.formUnion(l)
        }
        return (inter.sorted(), uni.sorted())
    }

    static func check<T: FixedWidthInteger & UnsignedInteger>(_ lists: [[T]]) {
        let (inter, uni) = reference(lists)
        // Output buffers start dirty and with spare capacity: results must
        // not depend on what was there.
        var out: [T] = Array(repeating: 7, count: 5000)
        Postings.intersect(lists, into: &out)
        #expect(out == inter)
        out = [1, 2, 3]
        Postings.union(lists, into: &out)
        #expect(out == uni)
        #expect(Postings.isSortedUnique(out))

        // The UnsafeBufferPointer forms agree with the array forms.
        withBuffers(lists) { bufs in
            var o: [T] = [42]
            Postings.intersect(bufs, into: &o)
            #expect(o == inter)
            var scratch: [T] = Array(repeating: 9, count: 3)
            Postings.union(bufs, into: &o, scratch: &scratch)
            #expect(o == uni)
        }

        // Subtract and the in-place forms, pairwise.
        for a in lists {
            for b in lists {
                let diff = Set(a).subtracting(b).sorted()
                var o: [T] = Array(repeating: 5, count: 10)
                Postings.subtract(a, b, into: &o)
                #expect(o == diff)
                var inPlace = a
                b.withUnsafeBufferPointer { Postings.formSubtraction(&inPlace, $0) }
                #expect(inPlace == diff)
                var both = a
                b.withUnsafeBufferPointer { Postings.formIntersection(&both, $0) }
                #expect(both == Set(a).intersection(b).sorted())
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        var o2: [T] = []
                        Postings.intersect(pa, pb, into: &o2)
                        #expect(o2 == both)
                    }
                }
            }
        }
    }

    /// Gives buffer pointers for a few lists through nested closures.
    static func withBuffers<T>(_ lists: [[T]], _ body: ([UnsafeBufferPointer<T>]) -> Void) {
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<T>]) {
            if i == lists.count { return body(acc) }
            lists[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
        }
        go(0, [])
    }

    @Test func operationsMatchSetReference32() async {
        await propertyCheck(count: 150, input: Self.rawLists, Self.spreads) { raw, spread in
            Self.check(Self.lists(raw, spread: spread, as: UInt32.self))
        }
    }

    @Test func operationsMatchSetReference64() async {
        await propertyCheck(count: 150, input: Self.rawLists, Self.spreads) { raw, spread in
            // Shift into the upper half so 64-bit ids are really used.
            let lists = Self.lists(raw, spread: spread, as: UInt64.self).map { $0.map { $0 | (1 << 40) } }
            Self.check(lists)
        }
    }

    @Test func unionOfManyLists() async {
        // k-way union over up to 70 lists: odd counts and several merge rounds.
        await propertyCheck(count: 60, input: Gen.uint32(in: 0...5000).array(of: 0...50).array(of: 0...70)) { raw in
            let lists = raw.map { Array(Set($0)).sorted() }
            var out: [UInt32] = []
            Postings.union(lists, into: &out)
            #expect(out == Set(lists.joined()).sorted())
            var scratch: [UInt32] = []
            var out2: [UInt32] = [1]
            Self.withBuffers(Array(lists.prefix(20))) { bufs in
                Postings.union(bufs, into: &out2, scratch: &scratch)
            }
            #expect(out2 == Set(lists.prefix(20).joined()).sorted())
            // Spread the ids far apart: too sparse for the bitmap, so this
            // takes the merge tree with up to 7 rounds.
            let sparse = lists.map { $0.map { UInt64($0) << 30 } }
            var out3: [UInt64] = [5]
            Postings.union(sparse, into: &out3)
            #expect(out3 == Set(sparse.joined()).sorted())
        }
    }

    @Test func unionTakesBothPaths() {
        let dense: [[UInt32]] = [[1, 5], [2], [7, 9]]
        let sparse: [[UInt64]] = [[1, 1 << 40], [2], [7]]
        #expect(Postings.bitmapRange(count: 3, total: 5, first: { dense[$0].first! }, last: { dense[$0].last! }) != nil)
        #expect(Postings.bitmapRange(count: 3, total: 4, first: { sparse[$0].first! }, last: { sparse[$0].last! }) == nil)
        #expect(Postings.bitmapRange(count: 2, total: 3, first: { dense[$0].first! }, last: { dense[$0].last! }) == nil)
        var out32: [UInt32] = []
        Postings.union(dense, into: &out32)
        #expect(out32 == [1, 2, 5, 7, 9])
        var out64: [UInt64] = []
        Postings.union(sparse, into: &out64)
        #expect(out64 == [1, 2, 7, 1 << 40])
        // Ids at the very top of the range.
        Postings.union([[UInt32.max - 2], [UInt32.max], [UInt32.max - 1, UInt32.max]], into: &out32)
        #expect(out32 == [UInt32.max - 2, UInt32.max - 1, UInt32.max])
    }

    @Test func edgeCases() {
        var out: [UInt32] = [1, 2, 3]
        Postings.intersect([[UInt32]](), into: &out)
        #expect(out.isEmpty)
        out = [9]
        Postings.union([[UInt32]](), into: &out)
        #expect(out.isEmpty)
        Postings.intersect([[1, 5, 9]], into: &out)
        #expect(out == [1, 5, 9])
        Postings.union([[], [3], []], into: &out)
        #expect(out == [3])
        Postings.intersect([[1, 2], [], [2]], into: &out)
        #expect(out.isEmpty)
        Postings.subtract([], [1], into: &out)
        #expect(out.isEmpty)
        Postings.subtract([1, 2], [], into: &out)
        #expect(out == [1, 2])
        // Extremes of the id type.
        Postings.intersect([[0, UInt32.max], [UInt32.max]], into: &out)
        #expect(out == [UInt32.max])
        var big: [UInt64] = []
        Postings.union([[0, .max], [1, .max]], into: &big)
        #expect(big == [0, 1, .max])
        // The output keeps its capacity across calls.
        var reused: [UInt32] = []
        reused.reserveCapacity(10_000)
        let cap = reused.capacity
        Postings.union([Array(0..<5000), Array(2500..<7500)], into: &reused)
        #expect(reused.count == 7500)
        Postings.intersect([Array(0..<5000), Array(2500..<7500)], into: &reused)
        #expect(reused == Array(2500..<5000))
        #expect(reused.capacity == cap)
        #expect(Postings.isSortedUnique([1, 2, 3] as [UInt32]))
        #expect(!Postings.isSortedUnique([1, 1] as [UInt32]))
        #expect(!Postings.isSortedUnique([2, 1] as [UInt32]))
    }

    @Test func skewedSizesUseGallopingCorrectly() {
        // One id of the short list in each gap, at both ends and past the end.
        let long = Array(stride(from: UInt32(10), to: 100_000, by: 3))
        let short: [UInt32] = [0, 10, 11, 13, 50_000, 50_002, 99_997, 99_999, 200_000]
        var out: [UInt32] = []
        Postings.intersect([long, short], into: &out)
        #expect(out == [10, 13, 50_002, 99_997])
        Postings.subtract(short, long, into: &out)
        #expect(out == [0, 11, 50_000, 99_999, 200_000])
        Postings.subtract(long, short, into: &out)
        #expect(out == Set(long).subtracting(short).sorted())
    }
}
