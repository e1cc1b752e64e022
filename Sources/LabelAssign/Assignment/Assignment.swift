/// A named output of an assignment, in the field names that the fixtures use.
public enum AssignmentValue: Sendable, Equatable {
    /// One float per prior (e.g. `matched_iou`, `target_scores`).
    case floats([Float])
    /// Integers (e.g. Hungarian `rows` / `cols`).
    case ints([Int32])
    /// A table (e.g. YOLOv5 `rows`).
    case rows([[Double]])
    /// One number (e.g. a matching's `total`).
    case number(Double)
}

/// The per-prior soft target an assigner's reference returns, under the reference's name.
public struct QualityTarget: Sendable, Equatable {
    /// The reference's name for the target.
    public enum Name: String, Sendable, CaseIterable {
        /// ultralytics `TaskAlignedAssigner`: the normalised alignment metric at the assigned class.
        case targetScores = "target_scores"
        /// mmdet `TaskAlignedAssigner`: `assign_metrics`, the alignment metric of the assigned pair.
        case assignMetrics = "assign_metrics"
    }

    public var name: Name
    /// One value per prior (0 for background).
    public var values: [Float]

    public init(_ name: Name, _ values: [Float]) {
        self.name = name
        self.values = values
    }
}

/// A further named output (OTA's `mu`, YOLOv5's `rows`, Hungarian `rows` / `cols` / `total`).
public struct AssignmentExtra: Sendable, Equatable {
    /// The fixture field name.
    public var name: String
    public var value: AssignmentValue

    public init(_ name: String, _ value: AssignmentValue) {
        self.name = name
        self.value = value
    }
}

/// What an assigner decided for one image.
///
/// The typed core is mmdet's `AssignResult`: the object of every prior and, where the reference
/// returns one, the IoU of the matched pair; the per-prior quality target under its reference
/// name; then named extras in the reference's order.
public struct Assignment: Sendable, Equatable {
    /// Per prior: the index of the assigned ground-truth object, `-1` background, `-2` ignored.
    public var assignedGT: [Int32]
    /// Per prior: the IoU of the prior's prediction (or anchor) with its assigned object, 0 for
    /// background. Present where the reference returns it (SimOTA, OTA, ATSS, DSL).
    public var matchedIoU: [Float]?
    /// The per-prior soft target (`target_scores`, `assign_metrics`), where the reference has one.
    public var quality: QualityTarget?
    /// Further outputs in order, under their fixture names.
    public var extras: [AssignmentExtra]

    public init(assignedGT: [Int32], matchedIoU: [Float]? = nil, quality: QualityTarget? = nil,
                extras: [AssignmentExtra] = []) {
        self.assignedGT = assignedGT
        self.matchedIoU = matchedIoU
        self.quality = quality
        self.extras = extras
    }

    /// All priors background.
    public static func background(priorCount: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: priorCount))
    }

    /// Every output after `assigned_gt` under its fixture name, in order: `matched_iou`, the
    /// quality target, the extras.
    public var namedOutputs: [AssignmentExtra] {
        var out: [AssignmentExtra] = []
        if let matchedIoU { out.append(AssignmentExtra("matched_iou", .floats(matchedIoU))) }
        if let quality { out.append(AssignmentExtra(quality.name.rawValue, .floats(quality.values))) }
        return out + extras
    }

    /// The output whose fixture name is `name` (`assigned_gt` included), if present.
    public subscript(name: String) -> AssignmentValue? {
        if name == "assigned_gt" { return .ints(assignedGT) }
        return namedOutputs.first { $0.name == name }?.value
    }

    /// A per-prior float output called `name`, if present.
    public func floats(_ name: String) -> [Float]? {
        if case let .floats(v)? = self[name] { return v }
        return nil
    }

    /// Number of positive priors (assigned to an object).
    public var positiveCount: Int { assignedGT.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Positives per object, for `gtCount` objects.
    public func positivesPerObject(gtCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: gtCount)
        for g in assignedGT where g >= 0 && Int(g) < gtCount { counts[Int(g)] += 1 }
        return counts
    }
}
