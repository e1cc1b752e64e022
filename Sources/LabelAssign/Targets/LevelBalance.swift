import Foundation

// Balancing the pyramid levels: per-level loss means (UMOP's averaging, YOLOv5's per-level
// objectness) and UMOP's progressive focal loss (docs/ASSIGNERS.md §9).

/// Per-level reductions of per-prior values.
public enum LevelBalance {

    static func checkRanges(_ ranges: [Range<Int>], count: Int) throws {
        for (l, r) in ranges.enumerated() where r.lowerBound < 0 || r.upperBound > count {
            throw LabelAssignError.invalidValue(field: "levelRanges", index: l, reason: "\(r) outside 0..<\(count)")
        }
    }

    /// Mean of `values` (one per prior, or `width` per prior) over each level's priors:
    /// `m_l = Σ_{i ∈ level l} v_i / (|level l| · width)`. An empty level gives 0, not NaN.
    public static func levelMeans(_ values: [Float], levelRanges: [Range<Int>], width: Int = 1) throws -> [Float] {
        guard width > 0, values.count % width == 0 else {
            throw LabelAssignError.invalidParameter(name: "width", reason: "\(values.count) values do not form rows of \(width)")
        }
        try checkRanges(levelRanges, count: values.count / width)
        return values.withUnsafeBufferPointer { b in
            levelRanges.map { r in
                if r.isEmpty { return 0 }
                var s = 0.0
                for i in (r.lowerBound * width)..<(r.upperBound * width) { s += Double(b[i]) }
                return Float(s / Double(r.count * width))
            }
        }
    }

    /// Per-level sums of `values` (one per prior).
    public static func levelSums(_ values: [Float], levelRanges: [Range<Int>]) throws -> [Float] {
        try checkRanges(levelRanges, count: values.count)
        return levelRanges.map { r in Losses.sum(Array(values[r])) }
    }

    /// The level-averaged loss: each level's mean, then the mean over the levels that have priors,
    /// so every level counts once whatever its size (the reading of UMOP in docs/DESIGN-NOTES.md, Level imbalance).
    public static func levelAveraged(_ values: [Float], levelRanges: [Range<Int>], width: Int = 1) throws -> Float {
        let means = try levelMeans(values, levelRanges: levelRanges, width: width)
        let used = zip(means, levelRanges).filter { !$0.1.isEmpty }.map(\.0)
        return used.isEmpty ? 0 : Float(used.reduce(0.0) { $0 + Double($1) } / Double(used.count))
    }

    /// Weighted sum of level values: `Σ_l weights[l] · values[l]` (YOLOv5 `balance`).
    public static func balanced(_ levelValues: [Float], weights: [Float]) throws -> Float {
        guard levelValues.count == weights.count else {
            throw LabelAssignError.shapeMismatch(field: "weights", expected: levelValues.count, actual: weights.count)
        }
        var total: Float = 0
        for l in levelValues.indices { total += weights[l] * levelValues[l] }
        return total
    }
}

/// UMOP progressive focal loss (zimoqingfeng/UMOP `pfocal_loss.py`, `level_resampling_head.py`).
///
/// Per level l: the statistic `s_l` = mean of `−ln σ(x)` over the positive (prior, class) entries
/// whose value is > 0 (a probability of exactly 1 gives 0 and is left out), or `fallbackStatistic`
/// (2.0) when there are none; `γ_l = clamp(s_l, γ_c − δ, γ_c + δ)`, `α_l = w / γ_l`. The level's loss is
/// the mmcv sigmoid focal loss with (γ_l, α_l), positive entries `−α(1 − p)^γ·ln(max(p, FLT_MIN))`,
/// negative entries `−(1 − α)·p^γ·ln(max(1 − p, FLT_MIN))`, times the label weight, summed and divided
/// by the one global normaliser `max(N_pos, 1)` (no eps; mmdet's `avg_factor + float32 eps` differs by
/// 1e-7 relative). Defaults γ_c 2, δ 0.5, w 0.5.
public struct ProgressiveFocalLoss: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// γ_c, the centre of the γ range.
        public var gammaCentre: Float
        /// δ, half the width of the γ range.
        public var delta: Float
        /// w in α = w / γ.
        public var weight: Float
        /// The statistic of a level without positive entries.
        public var fallbackStatistic: Float

        public init(gammaCentre: Float = 2, delta: Float = 0.5, weight: Float = 0.5, fallbackStatistic: Float = 2) {
            self.gammaCentre = gammaCentre; self.delta = delta; self.weight = weight; self.fallbackStatistic = fallbackStatistic
        }

        func validate() throws {
            guard delta.isFinite, delta >= 0 else { throw LabelAssignError.invalidParameter(name: "delta", reason: "must be >= 0, got \(delta)") }
            guard gammaCentre.isFinite, gammaCentre - delta > 0 else {
                throw LabelAssignError.invalidParameter(name: "gammaCentre", reason: "γ_c − δ must be > 0 (α = w/γ), got \(gammaCentre) − \(delta)")
            }
            guard weight.isFinite, weight > 0 else { throw LabelAssignError.invalidParameter(name: "weight", reason: "must be > 0, got \(weight)") }
            guard fallbackStatistic.isFinite else { throw LabelAssignError.invalidParameter(name: "fallbackStatistic", reason: "must be finite") }
        }
    }

    /// What one level contributed.
    public struct Level: Sendable, Equatable {
        /// Prior index range of the level.
        public var range: Range<Int>
        /// Positive entries with −ln p > 0 that entered the statistic.
        public var positiveEntries: Int
        /// s_l (may be +∞ when a positive's probability underflows to 0; γ then clamps to γ_c + δ).
        public var statistic: Float
        /// Whether `statistic` is the fallback value.
        public var usedFallback: Bool
        public var gamma: Float
        public var alpha: Float
        /// Σ focal / normaliser for this level.
        public var loss: Float
    }

    public struct Result: Sendable, Equatable {
        public var levels: [Level]
        /// max(number of positive priors, 1).
        public var normaliser: Float
        /// Σ_l levels[l].loss.
        public var total: Float
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The progressive focal loss over `logits` (`N × C`) with labels in `[0, C]` (`C` background)
    /// and per-prior label weights (1, or 0 for ignored priors).
    public func callAsFunction(logits: [Float], labels: [Int32], weights: [Float]? = nil, numClasses: Int,
                               levelRanges: [Range<Int>]) throws -> Result {
        try configuration.validate()
        let n = labels.count, c = numClasses
        try Losses.requireLabels(labels, numClasses: c, rows: n, logitCount: logits.count)
        try Losses.requireFinite(logits, field: "logits", width: c)
        let w = weights ?? [Float](repeating: 1, count: n)
        guard w.count == n else { throw LabelAssignError.shapeMismatch(field: "weights", expected: n, actual: w.count) }
        try Losses.requireFinite(w, field: "weights")
        try LevelBalance.checkRanges(levelRanges, count: n)
        let positives = labels.reduce(0) { $0 + (Int($1) < c ? 1 : 0) }
        let normaliser = Float(max(positives, 1))
        let cfg = configuration
        var levels: [Level] = []
        var total: Float = 0
        logits.withUnsafeBufferPointer { x in
            for r in levelRanges {
                // Statistic: mean of −ln σ(x) over positive entries with a positive value.
                var sum = 0.0, count = 0
                for i in r where Int(labels[i]) < c {
                    let v = -logf(torchSigmoid(x[i * c + Int(labels[i])])) * w[i]
                    if v > 0 { sum += Double(v); count += 1 }
                }
                let used = count == 0
                let s = used ? cfg.fallbackStatistic : Float(sum / Double(count))
                let gamma = min(max(s, cfg.gammaCentre - cfg.delta), cfg.gammaCentre + cfg.delta)
                let alpha = cfg.weight / gamma
                var loss = 0.0
                for i in r where w[i] != 0 {
                    let label = Int(labels[i])
                    var rowLoss: Float = 0
                    for k in 0..<c {
                        let p = torchSigmoid(x[i * c + k])
                        if k == label {
                            rowLoss += -alpha * powf(1 - p, gamma) * logf(max(p, .leastNormalMagnitude))
                        } else {
                            rowLoss += -(1 - alpha) * powf(p, gamma) * logf(max(1 - p, .leastNormalMagnitude))
                        }
                    }
                    loss += Double(rowLoss * w[i])
                }
                let levelLoss = Float(loss / Double(normaliser))
                total += levelLoss
                levels.append(Level(range: r, positiveEntries: count, statistic: s, usedFallback: used,
                                    gamma: gamma, alpha: alpha, loss: levelLoss))
            }
        }
        return Result(levels: levels, normaliser: normaliser, total: total)
    }

    /// The progressive focal loss of an assignment on its scene (labels and weights from
    /// `TrainingTargets.labels`, levels from the scene).
    public func callAsFunction(_ assignment: Assignment, scene: Scene) throws -> Result {
        let t = try TrainingTargets.labels(assignment, scene: scene)
        return try self(logits: scene.clsLogits, labels: t.labels, weights: t.weights, numClasses: scene.numClasses,
                        levelRanges: scene.levelRanges)
    }
}
