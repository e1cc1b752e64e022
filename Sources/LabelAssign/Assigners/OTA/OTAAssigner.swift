import _LabelAssignKernels
import Foundation

/// OTA assignment (Megvii-BaseDetection/OTA `fcos.py` get_ground_truth, docs/ASSIGNERS.md §3):
/// cost = focal class cost + 1.5·(−ln IoU) + 1e6·¬(in-box AND in-centre), background row =
/// focal loss against all-zero targets, supplies from top-20 IoU sums, ε 0.1 log-domain
/// Sinkhorn for 50 iterations, plan rows rescaled by their maximum, argmax per prior.
///
/// The Sinkhorn runs on the entries that can be non-zero (`compactProblem`, in
/// OTAAssigner+CompactProblem.swift): for an object with at least one valid prior, its
/// penalised entries are `exp(−penalty/ε)` below the rest and underflow to exactly zero in
/// float32, so its row holds only its valid priors. An object without any valid prior keeps
/// its full row (its potential grows until penalised priors carry its mass). The background
/// row holds every prior. The kernel checks at every half-iteration that the left-out entries
/// stay at least exp(−100) below every maximum they meet (so the full iteration would add
/// exact zeros); should a configuration break that (a small `penalty`), the full iteration
/// runs instead. `transportProblem` and `assignUsingDenseSinkhorn` (in
/// OTAAssigner+DenseReference.swift) give the full iteration for comparison.
///
/// Outputs: `assigned_gt`, `matched_iou` (IoU of the matched object, 0 for background) and
/// `mu` (supplies, background last). No objects: every prior background, `mu = [N]`.
/// Throws when the supplies exceed the number of priors (the background supply would be
/// negative) or a plan row underflows entirely (the reference would divide 0 by 0).
public struct OTAAssigner: Assigner {
    /// Constants of OTA (Megvii-BaseDetection/OTA, cvpods FCOS variant; docs/ASSIGNERS.md §3).
    public struct Configuration: OptionConfigurable, Equatable {
        /// In-centre radius in strides (hard-coded 2.5 in the reference), clipped to the box.
        public var centerRadius: Float = 2.5
        /// In-box: every (l, t, r, b) distance of the prior point to the box edges must exceed this.
        public var inBoxMargin: Float = 0.01
        /// Weight of `−ln(max(IoU, ε32))` in the cost.
        public var regWeight: Float = 1.5
        /// Cost added where a prior is not (in-box AND in-centre) for an object.
        public var penalty: Float = 1e6
        /// Dynamic k: supply μ_g = max(1, trunc(Σ of the top `topCandidates` IoU·valid)).
        public var topCandidates: Int = 20
        /// Sigmoid focal loss α and γ of the class cost.
        public var focalAlpha: Float = 0.25
        public var focalGamma: Float = 2
        /// Sinkhorn ε and fixed iteration count.
        public var eps: Float = 0.1
        public var iterations: Int = 50

        public init() {}

        /// The reference configuration.
        public static let ota = Configuration()

        static let reference = "OTA (Megvii-BaseDetection/OTA) fcos.py"

        public static let options: [AssignerOption<Configuration>] = [
            .float("center_sampling_radius", \.centerRadius, .positive, doc: "in-centre radius in strides, clipped to the box",
                   reference: reference + " (literal 2.5)"),
            .float("in_gt_margin", \.inBoxMargin, .finite, doc: "prior point inside the box by more than this",
                   reference: reference + " (literal 0.01)"),
            .float("reg_weight", \.regWeight, .nonNegative, doc: "weight of the IoU cost -ln(IoU)", reference: reference + " (OTA.REG_WEIGHT)"),
            .float("inf", \.penalty, .positive, doc: "cost added where a prior is not in-box and in-centre",
                   reference: reference + " (literal 1e6)"),
            .integer("top_candidates", \.topCandidates, .atLeast(1), doc: "dynamic k: supply = trunc(sum of the top IoUs), at least 1",
                     reference: reference + " (OTA.TOP_CANDIDATES)"),
            .float("focal_loss_alpha", \.focalAlpha, .unit, doc: "alpha of the sigmoid focal class cost",
                   reference: reference + " (FCOS.FOCAL_LOSS_ALPHA)"),
            .float("focal_loss_gamma", \.focalGamma, .nonNegative, doc: "gamma of the sigmoid focal class cost",
                   reference: reference + " (FCOS.FOCAL_LOSS_GAMMA)"),
            .float("sinkhorn_eps", \.eps, .positive, doc: "entropic regularisation of the log-domain Sinkhorn",
                   reference: reference + " (OTA.SINKHORN_EPS)"),
            .integer("sinkhorn_iters", \.iterations, OptionBounds(lower: 0, upper: Double(Int32.max)),
                     doc: "fixed Sinkhorn iteration count", reference: reference + " (OTA.SINKHORN_ITER)"),
        ]

        /// Checks every constant.
        public func validate() throws {
            for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
        }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = .ota) {
        self.configuration = configuration
    }

    /// Assigns the priors, then marks background priors whose point lies inside a `gt_ignore`
    /// box as ignored (`-2`); positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// The reference's stages on the compact problem:
    /// 1. candidate priors (in box AND within 2.5 strides of the centre, clipped to the box),
    ///    cost = focal class cost + 1.5·IoU loss (+ 1e6 off the candidates, left out), the
    ///    dynamic-k supplies from the top-20 IoUs and the background supply (`compactProblem`);
    /// 2. Sinkhorn, 50 iterations at ε 0.1 (`compactPlan`; the full iteration if the left-out
    ///    entries cannot be proven zero);
    /// 3. every plan row rescaled by its maximum (`rescaleRows`);
    /// 4. argmax over the rows per prior, background last (`argmaxPerPrior`, `assignment`).
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        try configuration.validate()
        let n = scene.priorCount
        if n == 0 { return Self.noPriorAssignment }
        if scene.gtCount == 0 { return backgroundAssignment(n) }
        let problem = try compactProblem(scene)
        guard var plan = try compactPlan(problem, priorCount: n) else { return try assignUsingDenseSinkhorn(scene) }
        try rescaleRows(&plan, problem)
        let best = argmaxPerPrior(plan, problem, priorCount: n)
        return assignment(best, problem, scene)
    }

    /// A scene without priors: every output empty, as mmdet answers.
    static let noPriorAssignment = Assignment(assignedGT: [], matchedIoU: [], extras: [AssignmentExtra("mu", .floats([]))])

    func backgroundAssignment(_ n: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: n),
                   matchedIoU: [Float](repeating: 0, count: n), extras: [AssignmentExtra("mu", .floats([Float(n)]))])
    }

    func underflow(row: Int, gtCount: Int) -> LabelAssignError {
        .invalidValue(field: "plan", index: row,
                      reason: row == gtCount ? "the background row of the transport plan underflowed to zero"
                          : "the plan row of object \(row) underflowed to zero (cannot rescale by its maximum)")
    }
}

// MARK: cost terms

extension OTAAssigner {
    /// The scene's arrays as buffers, for the per-object loops.
    struct SceneBuffers {
        let priors, gtBoxes, predBoxes, logits: UnsafeBufferPointer<Float>
        let numClasses: Int
    }

    /// Runs `body` with the scene's arrays as buffers.
    static func withBuffers<R>(_ s: Scene, _ body: (SceneBuffers) throws -> R) rethrows -> R {
        try s.priors.withUnsafeBufferPointer { pr in
            try s.gtBoxes.withUnsafeBufferPointer { gb in
                try s.predBoxes.withUnsafeBufferPointer { pb in
                    try s.clsLogits.withUnsafeBufferPointer { lg in
                        try body(SceneBuffers(priors: pr, gtBoxes: gb, predBoxes: pb, logits: lg, numClasses: s.numClasses))
                    }
                }
            }
        }
    }

    /// Per-object geometry of the reference, in float32 and its operation order.
    struct ObjectGeometry {
        let x1, y1, x2, y2, cx, cy: Float
        init(_ b: UnsafeBufferPointer<Float>, _ g: Int) {
            x1 = b[4 * g]; y1 = b[4 * g + 1]; x2 = b[4 * g + 2]; y2 = b[4 * g + 3]
            cx = (x1 + x2) / 2; cy = (y1 + y2) / 2
        }
    }

    /// In-box AND in-centre for prior point (px, py) with stride `s`.
    @inline(__always)
    static func isValid(_ o: ObjectGeometry, _ px: Float, _ py: Float, _ s: Float, _ c: Configuration) -> Bool {
        let d0 = px - o.x1, d1 = py - o.y1, d2 = o.x2 - px, d3 = o.y2 - py
        guard min(min(d0, d1), min(d2, d3)) > c.inBoxMargin else { return false }
        let r = s * c.centerRadius
        let lx = max(o.cx - r, o.x1), ly = max(o.cy - r, o.y1)
        let hx = min(o.cx + r, o.x2), hy = min(o.cy + r, o.y2)
        return min(min(px - lx, py - ly), min(hx - px, hy - py)) > 0
    }

    /// IoU of the predicted box and the object box, both as ltrb distances from the point (§C6 K-O,
    /// `lak_iou_ota_ltrb`).
    @inline(__always)
    static func iou(_ o: ObjectGeometry, _ px: Float, _ py: Float, _ pb: UnsafeBufferPointer<Float>, _ j: Int) -> Float {
        let d0 = px - o.x1, d1 = py - o.y1, d2 = o.x2 - px, d3 = o.y2 - py
        let p0 = px - pb[4 * j], p1 = py - pb[4 * j + 1], p2 = pb[4 * j + 2] - px, p3 = pb[4 * j + 3] - py
        return lak_iou_ota_ltrb(p0, p1, p2, p3, d0, d1, d2, d3)
    }

    /// cls + w·(−ln max(IoU, ε32)) + penalty·(1 − valid), in the reference's order.
    @inline(__always)
    static func pairCost(cls: Float, iou: Float, valid: Bool, _ c: Configuration) -> Float {
        let lreg = -logf(iou < Float.ulpOfOne ? Float.ulpOfOne : iou)
        return (cls + c.regWeight * lreg) + c.penalty * (valid ? 0 : 1)
    }

    /// Σ_c FL(x_c, onehot(label)) as the background sum plus the correction at the label.
    @inline(__always)
    static func classCost(background: Float, logit: Float, _ c: Configuration) -> Float {
        background + (lak_focal_loss_target1(logit, c.focalAlpha, c.focalGamma) - lak_focal_loss_target0(logit, c.focalAlpha, c.focalGamma))
    }

    /// The background row: Σ_c FL(x_c, 0) per prior.
    func backgroundCost(_ scene: Scene) -> [Float] {
        var bg = [Float](repeating: 0, count: scene.priorCount)
        lak_focal_background_sum(scene.clsLogits, Int64(scene.priorCount), Int64(scene.numClasses),
                                configuration.focalAlpha, configuration.focalGamma, &bg)
        return bg
    }

    /// μ_g = max(1, trunc(Σ top-k IoU·valid)) from the positive IoU·valid values of one object.
    func supply(_ validIoUs: inout [Float], priorCount: Int) -> Float {
        let k = min(configuration.topCandidates, priorCount)
        validIoUs.sort(by: >)
        var s: Float = 0
        for t in validIoUs.prefix(k) { s += t }
        let t = s.rounded(.towardZero)
        return max(1, t)
    }

    /// The background supply `N − Σ μ_g`; throws when it would be negative.
    func backgroundSupply(_ mu: [Float], priorCount: Int) throws -> Float {
        var total: Float = 0
        for m in mu { total += m }
        let bg = Float(priorCount) - total
        guard bg >= 0 else {
            throw LabelAssignError.invalidValue(field: "mu", index: mu.count,
                                                reason: "the objects' supplies sum to \(total), more than the \(priorCount) priors: the background supply would be negative")
        }
        return bg
    }
}
