import LabelAssign

/// OTA's own objective under the plans that compete for it, image by image: the exact optimum
/// (`ExactOTAAssigner`), OTA's fixed-iteration Sinkhorn plan at one or more (ε, iterations)
/// settings with the decision OTA takes from it (rows rescaled by their maximum, argmax per
/// prior), and the compared SimOTA assigners' assignments read as plans (prior `j` carries its
/// unit in its object's row, background and ignored priors in the background row).
///
/// Measured on OTA's `(G + 1) × N` problem (`OTAAssigner.transportProblem`) with costs summed in
/// float64:
/// - cost `Σ P·C` and the same without the penalty term (the penalty, 1e6 per unit, dominates
///   any cost that carries it), each with its gap to the exact plan's, `(Σ cost − Σ exact) / Σ exact`
///   over the batch (the penalty-free cost of the exact plan is not a lower bound);
/// - the marginal errors `Σ_i |Σ_j P_ij − μ_i| / N` (rows) and `Σ_j |Σ_i P_ij − 1| / N`
///   (columns): 0 for the exact plan; for a hard assignment the column error is 0 and the row
///   error counts the priors by which each object's positives miss its supply;
/// - positives on penalised entries (priors outside the object's in-box AND in-centre set);
/// - for a Sinkhorn setting, the share of priors whose OTA decision differs from the exact row;
///   for every plan, the Jaccard of its positive (prior, object) pairs with the exact plan's.
///
/// A hard assignment whose rows miss the supplies is not a feasible plan, so its cost may fall
/// below the exact optimum; the row error says by how much it misses.
public enum TransportComparison {
    /// One Sinkhorn setting.
    public struct Setting: Sendable, Equatable, Hashable {
        public var eps: Float
        public var iterations: Int

        public init(eps: Float, iterations: Int) {
            self.eps = eps
            self.iterations = iterations
        }
    }

    /// The sweep of `compare --ota-sweep`: ε 0.05, 0.1, 0.2, 0.5 × 10, 50, 200 iterations.
    public static let sweep: [Setting] = [Float(0.05), 0.1, 0.2, 0.5].flatMap { eps in
        [10, 50, 200].map { Setting(eps: eps, iterations: $0) }
    }

    /// What to measure: OTA's constants and the Sinkhorn settings (nil: the constants' own).
    public struct Request: Sendable {
        public var configuration: OTAAssigner.Configuration
        public var settings: [Setting]?

        public init(configuration: OTAAssigner.Configuration = .ota, settings: [Setting]? = nil) {
            self.configuration = configuration
            self.settings = settings
        }

        /// The settings measured.
        public var measured: [Setting] {
            settings ?? [Setting(eps: configuration.eps, iterations: configuration.iterations)]
        }
    }

    /// The request for `entries`: the sweep when `sweep` is set, else OTA's own setting when the
    /// entries hold both an `OTAAssigner` and an `ExactOTAAssigner`, else nil. OTA's constants are
    /// the first `OTAAssigner`'s (else the first `ExactOTAAssigner`'s, else `.ota`).
    public static func request(for entries: [Comparison.Entry], sweep: Bool) -> Request? {
        let ota = entries.lazy.compactMap { $0.assigner as? OTAAssigner }.first?.configuration
        let exact = entries.lazy.compactMap { $0.assigner as? ExactOTAAssigner }.first?.configuration
        if sweep { return Request(configuration: ota ?? exact ?? .ota, settings: Self.sweep) }
        guard let ota, exact != nil else { return nil }
        return Request(configuration: ota)
    }

    /// Measures one scene of a comparison; the exact rows are taken from an `ExactOTAAssigner`
    /// entry with the request's constants when one assigned the scene.
    static func measure(_ scene: Scene, _ request: Request, assigners: [Comparison.Entry],
                        assignments: [[Int32]?]) -> Result<Image, LabelAssignError> {
        let g = Int32(scene.gtCount)
        let exactRows = zip(assigners, assignments).lazy.compactMap { entry, a -> [Int32]? in
            guard let x = entry.assigner as? ExactOTAAssigner, x.configuration == request.configuration, let a else { return nil }
            return a.map { $0 >= 0 ? $0 : g }
        }.first
        let simOTA = zip(assigners, assignments).filter { $0.0.assigner is SimOTAAssigner }.map(\.1)
        do {
            return .success(try measure(scene, request, assignments: simOTA, exactRows: exactRows))
        } catch let e as LabelAssignError {
            return .failure(e)
        } catch {
            return .failure(.io("\(error)"))
        }
    }

    /// One plan on one image.
    struct PlanMeasure: Sendable {
        var cost = 0.0
        /// The cost without the penalty term (`Σ P·(C − penalty·¬valid)`).
        var penaltyFree = 0.0
        var rowError = 0.0
        var columnError = 0.0
        var penalised = 0.0
        var differing = 0
        var jaccard: Double?
    }

    /// One image: the exact cost, then per setting the Sinkhorn plan and OTA's decision, then
    /// per compared assigner its assignment (nil where it failed).
    struct Image: Sendable {
        var priors = 0
        var exact = PlanMeasure()
        var sinkhorn: [Result<(plan: PlanMeasure, decision: PlanMeasure), LabelAssignError>] = []
        var assigners: [PlanMeasure?] = []
    }

    /// Measures one scene. `assignments` are the compared assigners' `assigned_gt` (nil where one
    /// failed); `exactRows`, when given, the rows of an exact plan already found (ota-exact's).
    static func measure(_ scene: Scene, _ request: Request, assignments: [[Int32]?],
                        exactRows: [Int32]? = nil) throws -> Image {
        let ota = OTAAssigner(request.configuration)
        let problem = try ota.transportProblem(scene)
        let n = problem.priorCount, g = problem.gtCount
        let exact: [Int32]
        if let exactRows { exact = exactRows } else if g == 0 {
            exact = [Int32](repeating: 0, count: n)
        } else {
            exact = try ExactOTAAssigner.rows(of: ExactOTAAssigner.solve(problem).plan, rows: g + 1, columns: n)
        }
        var image = Image(priors: n)
        image.exact = hard(exact, problem, exact: exact, penalty: request.configuration.penalty)
        for s in request.measured {
            do {
                let plan = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu,
                                                        eps: s.eps, iterations: s.iterations).plan
                let rows = try ota.decision(plan, problem)
                image.sinkhorn.append(.success((soft(plan, problem, penalty: request.configuration.penalty), hard(rows, problem, exact: exact, penalty: request.configuration.penalty))))
            } catch let e as LabelAssignError {
                image.sinkhorn.append(.failure(e))
            }
        }
        image.assigners = assignments.map { a in
            a.map { ag in hard(ag.map { $0 >= 0 ? $0 : Int32(g) }, problem, exact: exact, penalty: request.configuration.penalty) }
        }
        return image
    }

    /// A hard assignment (`rows[j]`: the row of prior `j`, `G` for background) as a plan.
    static func hard(_ rows: [Int32], _ p: OTATransportProblem, exact: [Int32], penalty: Float) -> PlanMeasure {
        let n = p.priorCount, g = p.gtCount
        var m = PlanMeasure()
        var count = [Double](repeating: 0, count: g + 1)
        var inter = 0, positives = 0, exactPositives = 0
        for j in 0..<n {
            let r = Int(rows[j])
            let c = Double(p.cost[r * n + j])
            m.cost += c
            count[r] += 1
            let penalised = r < g && !p.valid[r * n + j]
            m.penaltyFree += penalised ? c - Double(penalty) : c
            if penalised { m.penalised += 1 }
            if r < g { positives += 1 }
            if exact[j] < Int32(g) { exactPositives += 1 }
            if r < g && rows[j] == exact[j] { inter += 1 }
            if rows[j] != exact[j] { m.differing += 1 }
        }
        for r in 0...g { m.rowError += abs(count[r] - Double(p.mu[r])) }
        m.rowError /= Double(n)
        let union = positives + exactPositives - inter
        m.jaccard = union > 0 ? Double(inter) / Double(union) : nil
        return m
    }

    /// A soft plan: cost, both marginal errors, and the mass on penalised entries.
    static func soft(_ plan: [Float], _ p: OTATransportProblem, penalty: Float) -> PlanMeasure {
        let n = p.priorCount, g = p.gtCount
        var m = PlanMeasure()
        var columns = [Double](repeating: 0, count: n)
        var penalisedMass = 0.0
        for r in 0...g {
            var row = 0.0
            for j in 0..<n {
                let x = Double(plan[r * n + j]), c = Double(p.cost[r * n + j])
                let penalised = r < g && !p.valid[r * n + j]
                m.cost += x * c
                m.penaltyFree += x * (penalised ? c - Double(penalty) : c)
                row += x
                columns[j] += x
                if penalised { penalisedMass += x }
            }
            m.rowError += abs(row - Double(p.mu[r]))
        }
        m.rowError /= Double(n)
        m.columnError = columns.reduce(0) { $0 + abs($1 - 1) } / Double(n)
        m.penalised = penalisedMass
        return m
    }
}
