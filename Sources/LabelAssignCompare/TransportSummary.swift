import LabelAssign
import LabelAssignIO

/// `TransportComparison` over a batch, reduced in image order (identical on any thread count).
public struct TransportSummary: Sendable, Equatable {
    /// What a row measures.
    public enum Plan: Sendable, Equatable {
        /// The exact optimum of OTA's problem.
        case exact
        /// OTA's fixed-iteration Sinkhorn plan (soft).
        case sinkhorn(TransportComparison.Setting)
        /// OTA's decision from that plan (rescaled rows, argmax per prior) read as a plan.
        case decision(TransportComparison.Setting)
        /// A compared assigner's assignment read as a plan.
        case assigner(String)

        /// The name in tables.
        public var label: String {
            switch self {
            case .exact: "exact optimum"
            case .sinkhorn: "sinkhorn plan"
            case .decision: "ota decision"
            case let .assigner(name): "\(name) (as a plan)"
            }
        }

        public var setting: TransportComparison.Setting? {
            switch self {
            case let .sinkhorn(s), let .decision(s): s
            case .exact, .assigner: nil
            }
        }
    }

    /// One plan over the batch: means per image over the images where it was measured.
    public struct Row: Sendable, Equatable {
        public var plan: Plan
        public var images = 0
        public var failedImages = 0
        public var firstError: String?
        /// Mean `Σ P·C` per image, and its gap to the exact plan's on the same images,
        /// `(Σ cost − Σ exact) / Σ exact`.
        public var meanCost: Double?
        public var gap: Double?
        /// The same without the penalty term (`Σ P·(C − penalty·¬valid)`).
        public var meanPenaltyFreeCost: Double?
        public var penaltyFreeGap: Double?
        /// Mean positives (mass, for a soft plan) on penalised entries per image.
        public var penalisedPerImage: Double?
        /// Mean marginal errors per prior (`TransportComparison`).
        public var rowError: Double?
        public var columnError: Double?
        /// Share of all priors whose row differs from the exact plan's (hard plans).
        public var differingShare: Double?
        /// Mean Jaccard of the positive (prior, object) pairs with the exact plan's (hard plans).
        public var jaccard: Double?
    }

    /// Images measured, images whose problem failed (and the first message).
    public var images: Int
    public var failedImages: Int
    public var firstError: String?
    public var rows: [Row]

    init(_ request: TransportComparison.Request, assigners names: [String],
         images outcomes: [(index: Int, result: Result<TransportComparison.Image, LabelAssignError>)]) {
        var measured: [TransportComparison.Image] = []
        failedImages = 0
        for o in outcomes {
            switch o.result {
            case let .success(image): measured.append(image)
            case let .failure(e):
                failedImages += 1
                if firstError == nil { firstError = "image \(o.index): \(e)" }
            }
        }
        images = measured.count
        typealias Pick = (TransportComparison.Image) -> Result<TransportComparison.PlanMeasure, LabelAssignError>?
        func reduce(_ plan: Plan, hard: Bool, _ pick: Pick) -> Row {
            var row = Row(plan: plan)
            var sum = TransportComparison.PlanMeasure(), exact = TransportComparison.PlanMeasure()
            var counted = 0, jaccards = 0
            for image in measured {
                switch pick(image) {
                case nil:
                    row.failedImages += 1
                case let .failure(e)?:
                    row.failedImages += 1
                    if row.firstError == nil { row.firstError = "\(e)" }
                case let .success(m)?:
                    row.images += 1
                    sum.cost += m.cost; sum.penaltyFree += m.penaltyFree; sum.penalised += m.penalised
                    sum.rowError += m.rowError; sum.columnError += m.columnError; sum.differing += m.differing
                    exact.cost += image.exact.cost; exact.penaltyFree += image.exact.penaltyFree
                    counted += image.priors
                    if let j = m.jaccard { sum.jaccard = (sum.jaccard ?? 0) + j; jaccards += 1 }
                }
            }
            guard row.images > 0 else { return row }
            let k = Double(row.images)
            row.meanCost = sum.cost / k
            row.meanPenaltyFreeCost = sum.penaltyFree / k
            row.gap = exact.cost != 0 ? (sum.cost - exact.cost) / abs(exact.cost) : nil
            row.penaltyFreeGap = exact.penaltyFree != 0 ? (sum.penaltyFree - exact.penaltyFree) / abs(exact.penaltyFree) : nil
            row.penalisedPerImage = sum.penalised / k
            row.rowError = sum.rowError / k
            row.columnError = sum.columnError / k
            if hard {
                row.differingShare = counted > 0 ? Double(sum.differing) / Double(counted) : nil
                row.jaccard = sum.jaccard.map { $0 / Double(jaccards) }
            }
            return row
        }
        var rows = [reduce(.exact, hard: true) { .success($0.exact) }]
        for (s, setting) in request.measured.enumerated() {
            rows.append(reduce(.sinkhorn(setting), hard: false) { $0.sinkhorn[s].map(\.plan) })
            rows.append(reduce(.decision(setting), hard: true) { $0.sinkhorn[s].map(\.decision) })
        }
        for (a, name) in names.enumerated() {
            rows.append(reduce(.assigner(name), hard: true) { $0.assigners[a].map { .success($0) } })
        }
        self.rows = rows
    }

    // MARK: renderings

    /// Header and one row per plan.
    func tableRows() -> [[String]] {
        let f = ComparisonSummary.fmt
        var out = [["plan", "eps", "iters", "cost/img", "gap %", "pen/img", "w/o pen", "gap %", "row err", "col err", "!=exact %", "Jaccard"]]
        for r in rows {
            out.append([r.plan.label + (r.failedImages > 0 ? " (\(r.failedImages) failed)" : ""),
                        r.plan.setting.map { "\($0.eps)" } ?? "-", r.plan.setting.map { "\($0.iterations)" } ?? "-",
                        f(r.meanCost, 1), f(r.gap.map { 100 * $0 }, 3), f(r.penalisedPerImage, 3),
                        f(r.meanPenaltyFreeCost, 2), f(r.penaltyFreeGap.map { 100 * $0 }, 3),
                        f(r.rowError, 5), f(r.columnError, 5), f(r.differingShare.map { 100 * $0 }, 2), f(r.jaccard, 3)])
        }
        return out
    }

    /// The section of `ComparisonSummary.table()`.
    public func table() -> String {
        var out = "\nOTA's transport problem (cost, supplies, background row), \(images) images: each plan on OTA's objective\n"
        out += ComparisonSummary.align(tableRows())
        out += "  cost: sum of plan * cost per image (float64); gap: (sum cost - sum exact) / sum exact; pen/img: positives (mass)\n"
        out += "  off in-box AND in-centre, each costing the 1e6 penalty; w/o pen: the cost without the penalty term\n"
        out += "  row/col err: sum |row sum - supply| / N and sum |column sum - 1| / N (a hard assignment missing the supplies is not\n"
        out += "  a feasible plan: its cost can fall below the optimum)\n"
        out += "  !=exact: priors whose row differs from the exact plan's; Jaccard: positive (prior, object) pairs vs the exact plan's\n"
        if let e = firstError { out += "transport: failed on \(failedImages) image(s); first: \(e)\n" }
        for r in rows where r.failedImages > 0 && r.firstError != nil {
            out += "\(r.plan.label): failed on \(r.failedImages) image(s); first: \(r.firstError ?? "")\n"
        }
        return out
    }

    /// The section of `ComparisonReport.html`.
    func html() -> String {
        let table = tableRows()
        var h = "<h2>OTA's transport problem: each plan on OTA's objective</h2>\n"
        h += "<p class=\"note\">\(images) images. Cost: Σ plan·cost per image (float64) on OTA's (G + 1) × N problem; "
        h += "gap: (Σ cost − Σ exact) / Σ exact. Penalised: positives (mass) outside the object's in-box AND in-centre priors, "
        h += "each costing the 1e6 penalty; w/o pen: the cost without the penalty term. "
        h += "Row / column error: Σ |row sum − supply| / N, Σ |column sum − 1| / N. ≠ exact: priors whose row differs "
        h += "from the exact plan's; Jaccard of the positive (prior, object) pairs with the exact plan's. A hard assignment "
        h += "that misses the supplies is not a feasible plan, so its cost can fall below the optimum.</p>\n<table>"
        h += "<tr>" + table[0].map { "<th>\(ComparisonReport.esc($0))</th>" }.joined() + "</tr>\n"
        for row in table.dropFirst() { h += "<tr>" + row.map { "<td>\(ComparisonReport.esc($0))</td>" }.joined() + "</tr>\n" }
        return h + "</table>\n"
    }

    /// The `transport` object of `ComparisonSummary.json()`.
    func write(to w: inout JSONWriter) {
        w.beginObject()
        w.key("images"); w.int(images)
        w.key("failed_images"); w.int(failedImages)
        w.key("plans"); w.beginArray()
        for r in rows {
            w.beginObject()
            w.key("plan"); w.string(r.plan.label)
            if let s = r.plan.setting { w.key("eps"); w.number(Double(s.eps)); w.key("iterations"); w.int(s.iterations) }
            w.key("images"); w.int(r.images)
            w.key("failed_images"); w.int(r.failedImages)
            for (k, v) in [("mean_cost", r.meanCost), ("gap", r.gap), ("penalised_per_image", r.penalisedPerImage),
                           ("mean_penalty_free_cost", r.meanPenaltyFreeCost), ("penalty_free_gap", r.penaltyFreeGap),
                           ("row_error", r.rowError), ("column_error", r.columnError),
                           ("differing_share", r.differingShare), ("jaccard", r.jaccard)] {
                w.key(k); if let v, v.isFinite { w.number(v) } else { w.null() }
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
