import _LabelAssignKernels
import Foundation

// Element-wise classification and box losses over contiguous Float arrays.
//
// Every loss takes logits (or probabilities where the reference does) and returns one
// value per element, or one value per prior where the reference sums over classes.
// The float32 operation order follows the PyTorch / torchvision / mmdet code named on
// each function, so values match those references to float32 rounding.
//
// Numerics. BCE with logits is computed as PyTorch 2.x does it,
// `(1 − t)·x − logσ(x)` with `logσ(x) = min(x, 0) − ln(1 + e^{−|x|})`, which never
// overflows; σ(x) and ln σ(x) come from a vectorised C kernel (`lak_sigmoid_log_sigmoid`,
// Cephes-style exp/log within about 1 ulp, as PyTorch's own vectorised math is). The
// probability BCE clamps each log at −100 as `F.binary_cross_entropy` does.
// Non-finite inputs are rejected with a typed error naming the field and index, so no
// loss returns NaN.

/// The vectorised σ / ln σ pass shared by the losses (scalar σ and `torch.pow` are `torchSigmoid`
/// and `torchPow`, `Exactness/TorchMath.swift`).
package enum LossMath {
    /// σ(x) and ln σ(x) of every logit, by the vectorised C kernel (about 1 ulp). The kernel also
    /// scans for NaN / ±∞; one is reported as a typed error naming `field` and its row.
    static func sigmoidTerms(_ logits: [Float], field: String = "logits", width: Int = 1) throws -> (p: [Float], logSigmoid: [Float]) {
        let n = logits.count
        if n == 0 { return ([], []) }
        var ls: [Float] = []
        var flagged: Int32 = 0
        let p = [Float](unsafeUninitializedCapacity: n) { pp, pCount in
            ls = [Float](unsafeUninitializedCapacity: n) { l, lCount in
                flagged = logits.withUnsafeBufferPointer { x in
                    lak_sigmoid_log_sigmoid(x.baseAddress, Int64(n), pp.baseAddress, l.baseAddress)
                }
                lCount = n
            }
            pCount = n
        }
        if flagged != 0 { try Losses.requireFinite(logits, field: field, width: width) }
        return (p, ls)
    }

}

/// The IoU-family regression losses.
public enum BoxLossKind: Sendable, CaseIterable {
    /// 1 − IoU.
    case iou
    /// 1 − GIoU.
    case giou
    /// 1 − DIoU.
    case diou
    /// 1 − CIoU (YOLOv5 `lbox`, ultralytics `BboxLoss`).
    case ciou
    /// −ln(max(IoU, eps)) (mmdet `IoULoss(linear=False)`, UnitBox).
    case logIoU
}

/// Classification and box losses over contiguous Float arrays (see each function for its reference).
public enum Losses {

    // MARK: - Input checks

    package static func requireFinite(_ values: [Float], field: String, width: Int = 1) throws {
        let bad = values.withUnsafeBufferPointer { b -> Int? in
            // Branch-free scan (vectorises): an all-ones exponent marks NaN or ±∞.
            var flagged: UInt32 = 0
            for i in 0..<b.count { flagged |= (b[i].bitPattern & 0x7f80_0000) == 0x7f80_0000 ? 1 : 0 }
            if flagged == 0 { return nil }
            for i in 0..<b.count where !b[i].isFinite { return i }
            return nil
        }
        if let i = bad {
            throw LabelAssignError.invalidValue(field: field, index: i / max(width, 1), reason: "\(values[i]) is not finite")
        }
    }

    static func requireSameCount(_ a: [Float], _ b: [Float], field: String) throws {
        guard a.count == b.count else { throw LabelAssignError.shapeMismatch(field: field, expected: a.count, actual: b.count) }
    }

    /// Checks `labels` (one per prior, `numClasses` = background) and the logit matrix shape.
    static func requireLabels(_ labels: [Int32], numClasses: Int, rows: Int, logitCount: Int, field: String = "labels") throws {
        guard numClasses > 0 else { throw LabelAssignError.invalidParameter(name: "numClasses", reason: "must be positive, got \(numClasses)") }
        guard logitCount == rows * numClasses else {
            throw LabelAssignError.shapeMismatch(field: "logits", expected: rows * numClasses, actual: logitCount)
        }
        for (i, l) in labels.enumerated() where l < 0 || Int(l) > numClasses {
            throw LabelAssignError.invalidValue(field: field, index: i, reason: "label \(l) outside [0, \(numClasses)] (\(numClasses) = background)")
        }
    }

    package static func requireNonNegative(_ value: Float, name: String) throws {
        guard value.isFinite, value >= 0 else { throw LabelAssignError.invalidParameter(name: name, reason: "must be finite and >= 0, got \(value)") }
    }

    // MARK: - Per-prior sums over one-hot labels

    /// Per-prior sums for one-hot style targets: `negative` fills every entry of `N × C` with its
    /// negative-target loss from (x, σ(x), ln σ(x)) in one vectorisable pass; the entry at each
    /// prior's label is then replaced by `positive(i, j)`; rows are summed with four interleaved
    /// accumulators (the reference's own reduction order is unspecified; all terms are ≥ 0).
    @inline(__always) static func labelRowSums(logits: [Float], labels: [Int32], numClasses c: Int,
                                               negative: (_ x: Float, _ p: Float, _ logSigmoid: Float) -> Float,
                                               positive: (_ row: Int, _ x: Float, _ p: Float, _ logSigmoid: Float) -> Float) throws -> [Float] {
        let (p, firstLogSigmoid) = try LossMath.sigmoidTerms(logits, width: c)
        var elem = firstLogSigmoid
        var out = [Float](repeating: 0, count: labels.count)
        logits.withUnsafeBufferPointer { x in
            p.withUnsafeBufferPointer { p in
                elem.withUnsafeMutableBufferPointer { e in
                    var posValues = [Float](repeating: 0, count: labels.count)
                    for i in 0..<labels.count where Int(labels[i]) < c {
                        let j = i * c + Int(labels[i])
                        posValues[i] = positive(i, x[j], p[j], e[j])
                    }
                    for j in 0..<e.count { e[j] = negative(x[j], p[j], e[j]) }
                    out.withUnsafeMutableBufferPointer { o in
                        for i in 0..<o.count {
                            if Int(labels[i]) < c { e[i * c + Int(labels[i])] = posValues[i] }
                            o[i] = rowSum(UnsafeBufferPointer(rebasing: e[(i * c)..<(i * c + c)]))
                        }
                    }
                }
            }
        }
        return out
    }

    /// Sum of a short row with four interleaved accumulators (independent add chains).
    @inline(__always) package static func rowSum(_ r: UnsafeBufferPointer<Float>) -> Float {
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var k = 0
        while k + 4 <= r.count { a0 += r[k]; a1 += r[k + 1]; a2 += r[k + 2]; a3 += r[k + 3]; k += 4 }
        while k < r.count { a0 += r[k]; k += 1 }
        return (a0 + a1) + (a2 + a3)
    }

    // MARK: - Binary cross-entropy

    /// Element-wise BCE with logits (PyTorch `F.binary_cross_entropy_with_logits`, reduction none):
    /// `ℓ = (1 − t)·x − (1 + (w − 1)·t)·logσ(x)`, with `logσ(x) = min(x, 0) − ln(1 + e^{−|x|})`.
    /// `posWeight` w = 1 gives the plain form `max(x, 0) − x·t + ln(1 + e^{−|x|})` (docs/ASSIGNERS.md §C5).
    /// PyTorch's operation order is kept on purpose: for t = 0 and x ≪ 0 the subtraction cancels and
    /// the result carries an absolute error of about ulp(x) (1e-6 at x = −10), exactly as the
    /// reference's does; the focal-family fixtures reproduce to 1e-4 only with that rounding.
    public static func bceWithLogits(logits: [Float], targets: [Float], posWeight: Float = 1) throws -> [Float] {
        let wm1 = posWeight - 1
        return try denseElementwise(logits: logits, targets: targets, validate: {
            guard posWeight.isFinite else { throw LabelAssignError.invalidParameter(name: "posWeight", reason: "must be finite") }
        }, { x, t, _, l in (1 - t) * x - (wm1 * t + 1) * l })
    }

    /// The dense (logits-shaped target) form shared by the element-wise losses: checks that `targets`
    /// matches `logits` and is finite, runs `validate` (the loss's own parameters), then
    /// `out[i] = element(x_i, t_i, σ(x_i), log σ(x_i))`.
    @inline(__always) static func denseElementwise(logits: [Float], targets: [Float], validate: () throws -> Void,
                                                   _ element: (Float, Float, Float, Float) -> Float) throws -> [Float] {
        try requireSameCount(logits, targets, field: "targets")
        try requireFinite(targets, field: "targets")
        try validate()
        var (out, ls) = try LossMath.sigmoidTerms(logits)
        logits.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                ls.withUnsafeMutableBufferPointer { l in
                    out.withUnsafeMutableBufferPointer { o in
                        for i in 0..<x.count { o[i] = element(x[i], t[i], o[i], l[i]) }
                    }
                }
            }
        }
        return out
    }

    /// Element-wise BCE on probabilities (PyTorch `F.binary_cross_entropy`):
    /// `ℓ = (t − 1)·max(ln(1 − p), −100) − t·max(ln p, −100)`. Each log is clamped at −100, so
    /// p = 0 or 1 gives a finite loss. Probabilities outside [0, 1] are an error, as in PyTorch.
    public static func binaryCrossEntropy(probabilities: [Float], targets: [Float]) throws -> [Float] {
        try requireSameCount(probabilities, targets, field: "targets")
        try requireFinite(targets, field: "targets")
        for (i, p) in probabilities.enumerated() where !(p >= 0 && p <= 1) {
            throw LabelAssignError.invalidValue(field: "probabilities", index: i, reason: "\(p) is outside [0, 1]")
        }
        var out = [Float](repeating: 0, count: probabilities.count)
        for i in out.indices { out[i] = bceProbability(probabilities[i], targets[i]) }
        return out
    }

    @inline(__always) static func bceProbability(_ p: Float, _ t: Float) -> Float {
        (t - 1) * max(log1pf(-p), -100) - t * max(logf(p), -100)
    }

    // MARK: - Focal loss (torchvision)

    /// One element of torchvision `sigmoid_focal_loss`:
    /// `p = σ(x)`, `ce = BCEWithLogits(x, t)`, `p_t = p·t + (1 − p)(1 − t)`,
    /// `ℓ = α_t · ce · (1 − p_t)^γ` with `α_t = α·t + (1 − α)(1 − t)` (no α factor when α < 0).
    @inline(__always) static func focalElement(_ x: Float, _ t: Float, p: Float, logSigmoid: Float, alpha: Float, gamma: Float) -> Float {
        let ce = (1 - t) * x - logSigmoid
        let pt = p * t + (1 - p) * (1 - t)
        var loss = ce * torchPow(1 - pt, Double(gamma))
        if alpha >= 0 { loss = (alpha * t + (1 - alpha) * (1 - t)) * loss }
        return loss
    }

    /// Element-wise sigmoid focal loss (torchvision `ops.sigmoid_focal_loss`, reduction none) for
    /// dense (possibly soft) targets of the same shape as `logits`. Defaults α 0.25, γ 2.
    public static func sigmoidFocal(logits: [Float], targets: [Float], alpha: Float = 0.25, gamma: Float = 2) throws -> [Float] {
        try denseElementwise(logits: logits, targets: targets, validate: { try requireNonNegative(gamma, name: "gamma") }) { x, t, p, l in
            focalElement(x, t, p: p, logSigmoid: l, alpha: alpha, gamma: gamma)
        }
    }

    /// Per-prior sigmoid focal loss against one-hot targets, summed over the classes:
    /// torchvision `sigmoid_focal_loss(x, onehot(label)[:, :C]).sum(-1)`. `logits` is `N × C`,
    /// `labels[i]` in `[0, C]` with `C` = background (all-zero target row). No `N × C` target is built.
    public static func sigmoidFocal(logits: [Float], labels: [Int32], numClasses: Int,
                                    alpha: Float = 0.25, gamma: Float = 2) throws -> [Float] {
        try requireLabels(labels, numClasses: numClasses, rows: labels.count, logitCount: logits.count)
        try requireNonNegative(gamma, name: "gamma")
        let oneMinusAlpha = 1 - alpha
        let positive = { (_: Int, x: Float, p: Float, l: Float) -> Float in
            focalElement(x, 1, p: p, logSigmoid: l, alpha: alpha, gamma: gamma)
        }
        // t = 0: p_t = 1 − p, so the modulating factor is (1 − (1 − p))^γ, as torchvision computes it.
        if gamma == 2 && alpha >= 0 {
            return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses, negative: { x, p, l in
                let m = 1 - (1 - p)
                return oneMinusAlpha * ((x - l) * (m * m))
            }, positive: positive)
        }
        return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses, negative: { x, p, l in
            focalElement(x, 0, p: p, logSigmoid: l, alpha: alpha, gamma: gamma)
        }, positive: positive)
    }

    // MARK: - Quality focal loss (GFL)

    /// Per-prior quality focal loss, mmdet `quality_focal_loss` (β 2), summed over the classes:
    /// every entry is a negative, `BCEWithLogits(x, 0)·σ(x)^β`, except the entry at the prior's
    /// label, `BCEWithLogits(x, y)·|y − σ(x)|^β` with the quality `y = scores[i]`.
    /// `labels[i] == numClasses` is background (its score is unused).
    public static func qualityFocal(logits: [Float], labels: [Int32], scores: [Float], numClasses: Int,
                                    beta: Float = 2) throws -> [Float] {
        try requireLabels(labels, numClasses: numClasses, rows: labels.count, logitCount: logits.count)
        guard scores.count == labels.count else { throw LabelAssignError.shapeMismatch(field: "scores", expected: labels.count, actual: scores.count) }
        try requireFinite(scores, field: "scores")
        try requireNonNegative(beta, name: "beta")
        let positive = { (i: Int, x: Float, p: Float, l: Float) -> Float in
            let y = scores[i]
            return ((1 - y) * x - l) * torchPow(abs(y - p), Double(beta))
        }
        if beta == 2 {
            return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses,
                                negative: { x, p, l in qualityFocalNegative(x, p: p, logSigmoid: l, beta: 2) }, positive: positive)
        }
        return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses,
                            negative: { x, p, l in qualityFocalNegative(x, p: p, logSigmoid: l, beta: beta) }, positive: positive)
    }

    /// One negative entry of mmdet `quality_focal_loss`: `BCEWithLogits(x, 0) · σ(x)^β`
    /// = `(x − ln σ(x)) · p^β` (`torchPow`). A constant `beta` of 2 compiles to `p · p`.
    @inline(__always) package static func qualityFocalNegative(_ x: Float, p: Float, logSigmoid: Float, beta: Float) -> Float {
        (x - logSigmoid) * torchPow(p, Double(beta))
    }

    /// Per-prior quality focal loss on probabilities, mmdet `quality_focal_loss_with_prob`
    /// (TOOD, `activated=True`): as `qualityFocal(logits:…)` with `p` given and
    /// `F.binary_cross_entropy` (logs clamped at −100) in place of BCE with logits.
    public static func qualityFocal(probabilities: [Float], labels: [Int32], scores: [Float], numClasses: Int,
                                    beta: Float = 2) throws -> [Float] {
        try requireLabels(labels, numClasses: numClasses, rows: labels.count, logitCount: probabilities.count)
        guard scores.count == labels.count else { throw LabelAssignError.shapeMismatch(field: "scores", expected: labels.count, actual: scores.count) }
        for (i, p) in probabilities.enumerated() where !(p >= 0 && p <= 1) {
            throw LabelAssignError.invalidValue(field: "probabilities", index: i / numClasses, reason: "\(p) is outside [0, 1]")
        }
        try requireFinite(scores, field: "scores")
        try requireNonNegative(beta, name: "beta")
        let c = numClasses
        var out = [Float](repeating: 0, count: labels.count)
        for i in 0..<labels.count {
            let label = Int(labels[i])
            var s: Float = 0
            for k in 0..<c {
                let p = probabilities[i * c + k]
                if k == label {
                    let y = scores[i]
                    s += bceProbability(p, y) * torchPow(abs(y - p), Double(beta))
                } else {
                    s += bceProbability(p, 0) * torchPow(p, Double(beta))
                }
            }
            out[i] = s
        }
        return out
    }

    // MARK: - Varifocal loss (VFNet)

    /// One element of mmdet `varifocal_loss`: weight `q` (or 1 when not IoU-weighted) for `q > 0`,
    /// `α·|σ(x) − q|^γ` for `q ≤ 0`; `ℓ = BCEWithLogits(x, q)·weight`.
    @inline(__always) static func varifocalElement(_ x: Float, _ q: Float, p: Float, logSigmoid: Float, alpha: Float, gamma: Float,
                                                   iouWeighted: Bool) -> Float {
        let weight: Float
        if q > 0 { weight = iouWeighted ? q : 1 } else { weight = alpha * torchPow(abs(p - q), Double(gamma)) }
        return ((1 - q) * x - logSigmoid) * weight
    }

    /// Element-wise varifocal loss, mmdet `varifocal_loss` (α 0.75, γ 2, IoU-weighted), reduction
    /// none, for a dense target `q` of the logits' shape (IoU at the positive's class, 0 elsewhere).
    public static func varifocal(logits: [Float], targets: [Float], alpha: Float = 0.75, gamma: Float = 2,
                                 iouWeighted: Bool = true) throws -> [Float] {
        try denseElementwise(logits: logits, targets: targets, validate: { try requireNonNegative(gamma, name: "gamma") }) { x, t, p, l in
            varifocalElement(x, t, p: p, logSigmoid: l, alpha: alpha, gamma: gamma, iouWeighted: iouWeighted)
        }
    }

    /// Per-prior varifocal loss summed over the classes, for the target `q = onehot(label)·score`
    /// (mmdet `varifocal_loss(x, q).sum(-1)`). `labels[i] == numClasses` is background.
    public static func varifocal(logits: [Float], labels: [Int32], scores: [Float], numClasses: Int,
                                 alpha: Float = 0.75, gamma: Float = 2, iouWeighted: Bool = true) throws -> [Float] {
        try requireLabels(labels, numClasses: numClasses, rows: labels.count, logitCount: logits.count)
        guard scores.count == labels.count else { throw LabelAssignError.shapeMismatch(field: "scores", expected: labels.count, actual: scores.count) }
        try requireFinite(scores, field: "scores")
        try requireNonNegative(gamma, name: "gamma")
        let positive = { (i: Int, x: Float, p: Float, l: Float) -> Float in
            varifocalElement(x, scores[i], p: p, logSigmoid: l, alpha: alpha, gamma: gamma, iouWeighted: iouWeighted)
        }
        if gamma == 2 {
            return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses,
                                negative: { x, p, l in (x - l) * (alpha * (p * p)) }, positive: positive)
        }
        return try labelRowSums(logits: logits, labels: labels, numClasses: numClasses,
                            negative: { x, p, l in (x - l) * (alpha * torchPow(p, Double(gamma))) }, positive: positive)
    }

    // MARK: - Box losses

    /// Element-wise IoU-family box loss between predicted and target boxes (`x1,y1,x2,y2` rows):
    /// `1 − IoU | 1 − GIoU | 1 − DIoU | 1 − CIoU` through `alignedOverlap` in `convention`
    /// (default ultralytics 8.4 `bbox_iou`, eps 1e-7, as its `BboxLoss`; `.yolov5` for YOLOv5's
    /// `lbox`), or `−ln(max(IoU, eps))` for `.logIoU`
    /// (mmdet `IoULoss(linear=False)` clamps at 1e-6; pass `convention: .mmdet` for its IoU).
    public static func box(predicted: [Float], targets: [Float], kind: BoxLossKind,
                           convention: OverlapConvention = .ultralytics, eps: Float = 1e-6) throws -> [Float] {
        try requireSameCount(predicted, targets, field: "targets")
        try requireFinite(predicted, field: "predicted", width: 4)
        try requireFinite(targets, field: "targets", width: 4)
        guard eps > 0, eps.isFinite else { throw LabelAssignError.invalidParameter(name: "eps", reason: "must be positive, got \(eps)") }
        let overlapKind: OverlapKind
        switch kind {
        case .iou, .logIoU: overlapKind = .iou
        case .giou: overlapKind = .giou
        case .diou: overlapKind = .diou
        case .ciou: overlapKind = .ciou
        }
        var v = try alignedOverlap(predicted, targets, kind: overlapKind, convention: convention)
        if let i = v.firstIndex(where: { $0.isNaN }) {
            throw LabelAssignError.invalidValue(field: "predicted", index: i, reason: "overlap is undefined (0/0) under the \(convention) convention")
        }
        if kind == .logIoU {
            for i in v.indices { v[i] = -logf(max(v[i], eps)) }
        } else {
            for i in v.indices { v[i] = 1 - v[i] }
        }
        return v
    }

    // MARK: - Reductions

    /// Sum of all values (accumulated in Double).
    public static func sum(_ values: [Float]) -> Float {
        values.withUnsafeBufferPointer { b in
            var s = 0.0
            for v in b { s += Double(v) }
            return Float(s)
        }
    }

    /// Mean of all values (accumulated in Double); 0 for an empty array instead of PyTorch's NaN.
    public static func mean(_ values: [Float]) -> Float {
        values.isEmpty ? 0 : Float(Double(sum(values)) / Double(values.count))
    }

    /// Sum divided by `max(normaliser, 1)`: the usual `avg_factor` reduction (number of positives),
    /// which stays finite for an image without positives.
    public static func normalisedSum(_ values: [Float], by normaliser: Float) -> Float {
        Float(Double(sum(values)) / Double(max(normaliser, 1)))
    }

    /// Sums each row of a row-major `rows × width` matrix (e.g. per-prior loss over classes).
    public static func rowSums(_ values: [Float], width: Int) throws -> [Float] {
        guard width > 0, values.count % width == 0 else {
            throw LabelAssignError.invalidParameter(name: "width", reason: "\(values.count) values do not form rows of \(width)")
        }
        let rows = values.count / width
        var out = [Float](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { b in
            for r in 0..<rows {
                var s: Float = 0
                for k in 0..<width { s += b[r * width + k] }
                out[r] = s
            }
        }
        return out
    }
}
