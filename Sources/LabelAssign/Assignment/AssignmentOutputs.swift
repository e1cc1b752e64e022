/// Which per-prior outputs an assigner's assignments have (the C ABI's `LA_OUTPUT_*` flags, same bits).
public struct AssignmentOutputs: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `assigned_gt`: every assigner.
    public static let assignedGT = AssignmentOutputs(rawValue: 1 << 0)
    /// `matched_iou` (`Assignment.matchedIoU`).
    public static let matchedIoU = AssignmentOutputs(rawValue: 1 << 1)
    /// `target_scores` (the quality target of ultralytics TAL).
    public static let targetScores = AssignmentOutputs(rawValue: 1 << 2)
    /// `assign_metrics` (the quality target of mmdet TOOD).
    public static let assignMetrics = AssignmentOutputs(rawValue: 1 << 3)

    /// The outputs' fixture names, in `Assignment.namedOutputs` order (`assigned_gt` first).
    public var names: [String] {
        [(AssignmentOutputs.assignedGT, "assigned_gt"), (.matchedIoU, "matched_iou"),
         (.targetScores, QualityTarget.Name.targetScores.rawValue), (.assignMetrics, QualityTarget.Name.assignMetrics.rawValue)]
            .filter { contains($0.0) }.map(\.1)
    }

    /// The outputs `assignment` holds.
    public init(of assignment: Assignment) {
        self = .assignedGT
        if assignment.matchedIoU != nil { insert(.matchedIoU) }
        switch assignment.quality?.name {
        case .targetScores?: insert(.targetScores)
        case .assignMetrics?: insert(.assignMetrics)
        case nil: break
        }
    }
}

extension Assigner {
    /// `assigned_gt` only, unless the type declares more below.
    public var outputs: AssignmentOutputs { .assignedGT }
}

// The declarations, one per assigner type (a test checks them against what `assign` returns).

extension SimOTAAssigner {
    public var outputs: AssignmentOutputs { [.assignedGT, .matchedIoU] }
}

extension DynamicSoftLabelAssigner {
    public var outputs: AssignmentOutputs { [.assignedGT, .matchedIoU] }
}

extension OTAAssigner {
    public var outputs: AssignmentOutputs { [.assignedGT, .matchedIoU] }
}

extension ExactOTAAssigner {
    public var outputs: AssignmentOutputs { [.assignedGT, .matchedIoU] }
}

extension ATSSAssigner {
    public var outputs: AssignmentOutputs { [.assignedGT, .matchedIoU] }
}

extension TaskAlignedAssigner {
    public var outputs: AssignmentOutputs {
        [.assignedGT, configuration.variant == .ultralytics ? .targetScores : .assignMetrics]
    }
}
