import Foundation
import LabelAssign
import Testing

/// `TorchTopK` against libstdc++ itself: every expected set below is what `std::partial_sort`
/// (when `64·k <= n`) or `std::nth_element` (otherwise) keeps with torch's `topk_impl_loop`
/// comparators, printed by a C++ program built with g++ 12.2 (libstdc++ 12), indices sorted.
@Suite struct TorchTopKTests {
    /// Dense rows with many equal values, both directions, both libstdc++ paths.
    static let zeros80 = [Float](repeating: 0, count: 80)
    static let zeros700 = [Float](repeating: 0, count: 700)
    static let mod128 = (0..<128).map { Float(($0 * 7) % 5) }
    static let mod40 = (0..<40).map { Float(($0 * 7) % 5) }
    static let nan10: [Float] = [3, .nan, 1, 2, .nan, 0, 5, 5, 1, 0]
    static let nan200 = (0..<200).map { $0 % 17 == 3 ? Float.nan : Float(($0 * 13) % 7) }

    static func torch(_ row: [Float], k: Int, _ order: TorchTopK.Order, ties: TorchTopK.Ties = .torch) -> [Int32] {
        row.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: k, order: order, ties: ties) }.sorted()
    }

    @Test func denseRowsMatchLibstdcxx() {
        #expect(Self.torch(Self.zeros80, k: 10, .largest) == Array(50...59))       // nth_element
        #expect(Self.torch(Self.zeros80, k: 10, .smallest) == Array(50...59))
        #expect(Self.torch(Self.zeros700, k: 10, .largest) == Array(0...9))        // partial_sort
        #expect(Self.torch(Self.mod128, k: 2, .largest) == [2, 7])
        #expect(Self.torch(Self.mod128, k: 2, .smallest) == [0, 5])
        #expect(Self.torch(Self.mod40, k: 7, .largest) == [7, 12, 17, 22, 27, 32, 37])
        #expect(Self.torch(Self.mod40, k: 7, .smallest) == [0, 10, 15, 20, 25, 30, 35])
    }

    /// NaN is the largest value for `largest=True` and comes last for `largest=False`.
    @Test func nanPlacementMatchesLibstdcxx() {
        #expect(Self.torch(Self.nan10, k: 3, .largest) == [1, 4, 7])
        #expect(Self.torch(Self.nan10, k: 3, .smallest) == [5, 8, 9])
        #expect(Self.torch(Self.nan200, k: 3, .largest) == [3, 20, 37])
        #expect(Self.torch(Self.nan200, k: 3, .smallest) == [0, 7, 14])
    }

    /// A sparse row (entries plus implicit zeros) selects what the same dense row selects.
    @Test func sparseRowsMatchLibstdcxx() {
        let listed: [(Int32, Float)] = [(3, 0.5), (17, 0.25), (99, 0.5), (250, 0), (251, 0.75), (600, 0.25), (999, 0.5)]
        func sparse(_ n: Int, k: Int, ties: TorchTopK.Ties = .torch) -> [Int32] {
            let entries = listed.filter { Int($0.0) < n }.map { TorchTopK.Element(value: $0.1, index: $0.0) }
            return entries.withUnsafeBufferPointer {
                TorchTopK.indices(ofSparse: $0, count: n, k: k, order: .largest, ties: ties)
            }.sorted()
        }
        func dense(_ n: Int) -> [Float] {
            var row = [Float](repeating: 0, count: n)
            for (i, v) in listed where Int(i) < n { row[Int(i)] = v }
            return row
        }
        #expect(sparse(1000, k: 10) == [1, 3, 4, 7, 8, 17, 99, 251, 600, 999])     // partial_sort
        #expect(sparse(1000, k: 3) == [3, 99, 251])
        #expect(sparse(300, k: 10) == [3, 17, 99, 200, 201, 202, 203, 204, 205, 251])  // nth_element
        #expect(sparse(300, k: 3) == [3, 99, 251])
        for (n, k) in [(1000, 10), (1000, 3), (300, 10), (300, 3), (300, 400)] {
            #expect(sparse(n, k: k) == Self.torch(dense(n), k: k, .largest), "n \(n) k \(k)")
        }
        // Below 64·k the TAL / TOOD rule keeps the lower index among the zeros instead.
        #expect(sparse(300, k: 10, ties: .torchHeapOrLowerIndex) == [0, 1, 2, 3, 4, 5, 6, 17, 99, 251])
        #expect(sparse(1000, k: 10, ties: .torchHeapOrLowerIndex) == sparse(1000, k: 10))
    }

    /// `.lowerIndex` keeps the best values, the lower index first among equals, best first.
    @Test func lowerIndexRule() {
        let row: [Float] = [2, 1, 3, 1, 0, 1, 3]
        let smallest = row.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: 3, order: .smallest, ties: .lowerIndex) }
        #expect(smallest == [4, 1, 3])
        let largest = row.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: 3, order: .largest, ties: .lowerIndex) }
        #expect(largest == [2, 6, 0])
        #expect(row.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: 10, order: .largest) }.count == row.count)
        #expect(row.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: 0, order: .largest) }.isEmpty)
    }

    /// One selector reused over rows of different lengths and directions gives fresh answers.
    @Test func reusedBuffersDoNotLeak() {
        var selection = TorchTopK()
        let first = Self.zeros700.withUnsafeBufferPointer { Array(selection.select($0, k: 10, order: .largest)) }
        let second = Self.mod40.withUnsafeBufferPointer { Array(selection.select($0, k: 7, order: .smallest)) }
        #expect(first.sorted() == Array(0...9))
        #expect(second.sorted() == [0, 10, 15, 20, 25, 30, 35])
    }
}

/// `torchSigmoid` and `torchPow` follow torch's scalar CPU paths.
@Suite struct TorchMathTests {
    static let bases: [Float] = (1...4000).map { Float($0) / 4000 } + [0, 1.5, 7.25, 1e-20, 3e7]

    @Test func powDispatchesLikeTorch() {
        for x in Self.bases {
            #expect(torchPow(x, 0) == 1 && torchPow(x, 1) == x)
            #expect(torchPow(x, 0.5) == x.squareRoot() && torchPow(x, -0.5) == 1 / x.squareRoot())
            #expect(torchPow(x, -1) == 1 / x && torchPow(x, 2) == x * x && torchPow(x, 3) == x * x * x)
            #expect(torchPow(x, -2) == 1 / (x * x))
            #expect(torchPow(x, 1.5) == Float(Foundation.pow(Double(x), 1.5)))
        }
    }

    /// β = 6 takes a shortcut in double; it rounds to what pow in double gives.
    @Test func powSixEqualsPowInDouble() {
        for x in Self.bases { #expect(torchPow(x, 6) == Float(Foundation.pow(Double(x), 6)), "\(x)") }
    }

    @Test func sigmoidSaturates() {
        #expect(torchSigmoid(0) == 0.5)
        #expect(torchSigmoid(-100) == 0 && torchSigmoid(100) == 1)
        #expect(torchSigmoid(2) == 1 / (1 + expf(-2)))
    }
}
