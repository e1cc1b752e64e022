/// The network simplex of POT 0.9.7's `ot.emd` (`ot/lp/network_simplex_simple.h`: Bonneel's
/// adaptation of LEMON's `NetworkSimplex`), on the complete bipartite graph of a transport
/// problem whose masses are all positive. `ExactTransport` prepares the problem as POT's Python
/// and `EMD_wrap` do and reads the result back; this type is the solver in between.
///
/// Everything that decides a pivot is POT's, in its order and in float64 with its operations:
/// - node numbering reversed (`_node_id(k) = N − 1 − k`): demand node `c` (`0 ..< m`) is kept
///   column `m − 1 − c`, supply node `m + r` is kept row `n − 1 − r`; real arc `e = r·m + c`
///   runs from `m + r` to `c` (POT's arc `nm − 1 − e`), artificial arc `nm + u` joins node `u`
///   and the root `N`;
/// - the starting tree: every node hangs from the root by its artificial arc (cost 0 from a
///   supply node, `ART_COST = (max cost + 1)·N` to a demand node), potentials 0 and `ART_COST`;
/// - the initial pivots: for each demand node in turn, its cheapest incoming arc (first
///   minimum over rows), entered when its reduced cost is negative;
/// - block search pricing: blocks of `max(⌊√(nm)⌋, 10)` arcs from where the last search
///   stopped, wrapping around; the block's most negative reduced cost `(C + π_s) − π_t`
///   (first on ties) enters once it is below `−2.2204460492503131e-15 · max(|π_s|, |π_t|, |C|)`;
/// - LEMON's leaving-arc rule (the last blocking arc on the cycle, so the tree stays strongly
///   feasible), tree update and potential update;
/// - `numItermax`: the search stops, without pivoting, when the `numItermax`-th entering arc is
///   found (0: no limit);
/// - at the end an artificial arc still carrying more than 1e-8 makes the problem infeasible
///   (smaller remainders are zeroed), and the potentials are shifted so that their maximum is 0.
///
/// Only the pricing is arranged differently (`NetworkSimplex+Pricing.swift`): the costs are kept
/// in arc order with `+∞` on tree arcs (POT multiplies by the arc state, 0 on tree arcs: neither
/// can enter), tiles of 32 arcs whose bound `(min cost + π_s) − max π_t` shows that none of them
/// can improve on the block's best are skipped, and the others are evaluated four at a time.
/// The chosen arc is the same.
///
/// Capacities are infinite, so an arc leaves the tree with exactly zero flow and no real arc is
/// ever at an upper bound; the solver reports `.unbounded` should one be (it cannot happen with
/// finite costs). Memory: about 16.3 bytes per arc (costs, flows, tile bounds) and 85 per node.
final class NetworkSimplex {
    enum Outcome: Equatable {
        case optimal, maxIterReached
        /// POT's `INFEASIBLE` from `init()`: the supplies sum to this, not 0 to 1e-8.
        case unbalanced(Double)
        /// POT's `INFEASIBLE` from `start()`: an artificial arc ends with this flow (> 1e-8).
        case infeasible(remainder: Double)
        /// POT's `UNBOUNDED`: a cycle without a blocking arc (or a real arc left at an upper
        /// bound); neither happens with finite costs.
        case unbounded
    }

    static let epsilon = 2.2204460492503131e-15
    static let feasibilityTolerance = 1e-8

    let n: Int, m: Int, nodeCount: Int, arcCount: Int, root: Int
    let blockSize: Int
    let maxIterations: Int
    private(set) var artCost = 0.0
    /// Main-loop pivots performed.
    private(set) var pivots = 0

    /// The cost matrix of the caller (`columns` wide) and the kept row and column of each node.
    let matrix: UnsafePointer<Double>
    let columns: Int
    let rowOf: UnsafeMutablePointer<Int>
    let colOf: UnsafeMutablePointer<Int>
    /// Arc costs in arc order, `+∞` on the arcs of the tree.
    let scan: UnsafeMutablePointer<Double>
    let flow: UnsafeMutablePointer<Double>
    let supply: UnsafeMutablePointer<Double>
    let pi: UnsafeMutablePointer<Double>
    let parent, pred, revThread, succNum, lastSucc, dirtyRevs: UnsafeMutablePointer<Int>
    /// The preorder thread, 32-bit: the potential update walks it once per pivot over the
    /// moved subtree, and half the footprint keeps more of it in cache.
    let thread: UnsafeMutablePointer<Int32>
    let forward: UnsafeMutablePointer<Bool>

    /// Pricing bounds (`NetworkSimplex+Pricing.swift`): the arcs of a row are grouped in tiles of
    /// 32 consecutive columns; `tileMin` is a lower bound of each tile's `scan` entries (exact
    /// after an arc of the tile enters the tree, lowered when one leaves it), `columnMax` the
    /// largest potential of each tile of demand nodes, recomputed when `columnDirty`.
    static let tileShift = 5
    let tilesPerRow: Int
    let tileMin: UnsafeMutablePointer<Double>
    let columnMax: UnsafeMutablePointer<Double>
    let columnDirty: UnsafeMutablePointer<Bool>

    // The current pivot.
    var inArc = 0, join = 0, uIn = 0, vIn = 0, uOut = 0, delta = 0.0
    var nextArc = 0
    /// Set if a real arc would be left at an upper bound (impossible with infinite capacities).
    var leftAtUpperBound = false

    /// `rows` / `cols`: the kept rows and columns of `matrix` (ascending), with masses `a`, `b` > 0.
    init(matrix: UnsafePointer<Double>, columns: Int, rows keptRows: [Int], cols keptCols: [Int],
         a: [Double], b: [Double], maxIterations: Int) {
        n = keptRows.count; m = keptCols.count
        nodeCount = n + m; arcCount = n * m; root = nodeCount
        blockSize = max(Int(1.0 * Double(arcCount).squareRoot()), 10)
        self.maxIterations = maxIterations
        self.matrix = matrix; self.columns = columns
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            p.initialize(repeating: value, count: max(count, 1))
            return p
        }
        rowOf = buffer(n, 0); colOf = buffer(m, 0)
        for r in 0..<n { rowOf[r] = keptRows[n - 1 - r] }
        for c in 0..<m { colOf[c] = keptCols[m - 1 - c] }
        scan = buffer(arcCount, 0.0)
        flow = buffer(arcCount + nodeCount, 0.0)
        supply = buffer(nodeCount + 1, 0.0); pi = buffer(nodeCount + 1, 0.0)
        parent = buffer(nodeCount + 1, 0); pred = buffer(nodeCount + 1, 0)
        thread = buffer(nodeCount + 1, Int32(0)); revThread = buffer(nodeCount + 1, 0)
        succNum = buffer(nodeCount + 1, 0); lastSucc = buffer(nodeCount + 1, 0)
        dirtyRevs = buffer(nodeCount + 1, 0); forward = buffer(nodeCount + 1, false)
        tilesPerRow = (m + (1 << Self.tileShift) - 1) >> Self.tileShift
        tileMin = buffer(n * tilesPerRow, Double.infinity)
        // Indexed by node >> tileShift: entries past the demand tiles are written, never read.
        columnMax = buffer((nodeCount >> Self.tileShift) + 1, 0.0)
        columnDirty = buffer((nodeCount >> Self.tileShift) + 1, true)
        for c in 0..<m { supply[c] = -b[m - 1 - c] }
        for r in 0..<n { supply[m + r] = a[n - 1 - r] }
    }

    deinit {
        thread.deallocate()
        for p in [rowOf, colOf, parent, pred, revThread, succNum, lastSucc, dirtyRevs] { p.deallocate() }
        for p in [scan, flow, supply, pi, tileMin, columnMax] { p.deallocate() }
        forward.deallocate(); columnDirty.deallocate()
    }

    // MARK: arcs

    @inline(__always) func source(_ e: Int) -> Int {
        if e < arcCount { return m + e / m }
        let u = e - arcCount
        return u < m ? root : u
    }

    @inline(__always) func target(_ e: Int) -> Int {
        if e < arcCount { return e % m }
        let u = e - arcCount
        return u < m ? u : root
    }

    /// The cost of arc `e` (POT's `getCostForArc`).
    @inline(__always) func cost(_ e: Int) -> Double {
        if e < arcCount {
            let r = e / m
            return matrix[rowOf[r] * columns + colOf[e - r * m]]
        }
        return e - arcCount < m ? artCost : 0
    }

    // MARK: run

    /// POT's `run()`: `init()` then `start()`.
    func run() -> Outcome {
        guard initialise() else { return .unbalanced(supplyImbalance) }
        return start()
    }

    private var supplyImbalance = 0.0

    /// POT's `init()` for equality constraints: the artificial starting tree.
    private func initialise() -> Bool {
        var total = 0.0
        for u in 0..<nodeCount { total += supply[u] }
        supplyImbalance = total
        if abs(total) > Self.feasibilityTolerance { return false }
        // Costs in arc order; the maximum as POT's dense cost pointer finds it (first entry, then `>`).
        var maxCost = matrix[rowOf[n - 1] * columns + colOf[m - 1]]
        for r in 0..<n {
            let row = matrix + rowOf[r] * columns, out = scan + r * m, tiles = tileMin + r * tilesPerRow
            for c in 0..<m {
                let x = row[colOf[c]]
                out[c] = x
                if x > maxCost { maxCost = x }
                if x < tiles[c >> Self.tileShift] { tiles[c >> Self.tileShift] = x }
            }
        }
        artCost = (maxCost + 1) * Double(nodeCount)
        parent[root] = -1; pred[root] = -1
        thread[root] = 0; revThread[0] = root
        succNum[root] = nodeCount + 1; lastSucc[root] = root - 1
        supply[root] = 0; pi[root] = 0
        for u in 0..<nodeCount {
            parent[u] = root; pred[u] = arcCount + u
            thread[u] = Int32(u + 1); revThread[u + 1] = u
            succNum[u] = 1; lastSucc[u] = u
            if supply[u] >= 0 {
                forward[u] = true; pi[u] = 0; flow[arcCount + u] = supply[u]
            } else {
                forward[u] = false; pi[u] = artCost; flow[arcCount + u] = -supply[u]
            }
        }
        return true
    }

    /// POT's `start()` with the block search pivot rule.
    private func start() -> Outcome {
        guard initialPivots() else { return .unbounded }
        var outcome = Outcome.optimal
        var found = 0
        while findEnteringArc() {
            if maxIterations > 0 {
                found += 1
                if found >= maxIterations { outcome = .maxIterReached; break }
            }
            guard pivot() else { return .unbounded }
            pivots += 1
        }
        if outcome == .optimal {
            for e in arcCount..<(arcCount + nodeCount) where flow[e] != 0 {
                if abs(flow[e]) > Self.feasibilityTolerance { return .infeasible(remainder: flow[e]) }
                flow[e] = 0
            }
        }
        // Shift the potentials for the GEQ form of the optimality conditions.
        var maxPotential = -Double.greatestFiniteMagnitude
        for u in 0..<nodeCount where pi[u] > maxPotential { maxPotential = pi[u] }
        if maxPotential > 0 { for u in 0..<nodeCount { pi[u] -= maxPotential } }
        return outcome
    }

    /// One pivot on `inArc`; false when the cycle has no blocking arc (unbounded).
    private func pivot() -> Bool {
        findJoinNode()
        let change = findLeavingArc()
        if delta >= .greatestFiniteMagnitude { return false }
        changeFlow(change)
        if change {
            updateTreeStructure()
            updatePotential()
        }
        return !leftAtUpperBound
    }

    /// POT's `initialPivots()`: the cheapest incoming arc of every demand node, in node order.
    private func initialPivots() -> Bool {
        var candidates: [Int] = []
        if n == 1 && m == 1 {
            candidates = [0]   // POT's search from the sink reaches the source by its only arc
        } else {
            // First minimum over rows, rows in node order (a row-wise sweep of the same scan).
            var best = [Double](repeating: .greatestFiniteMagnitude, count: m)
            var bestArc = [Int](repeating: -1, count: m)
            for r in 0..<n {
                for c in 0..<m where scan[r * m + c] < best[c] { best[c] = scan[r * m + c]; bestArc[c] = r * m + c }
            }
            candidates = bestArc.filter { $0 >= 0 }
        }
        for e in candidates {
            inArc = e
            if scan[e] + pi[source(e)] - pi[target(e)] >= 0 { continue }
            guard pivot() else { return false }
        }
        return true
    }
}
