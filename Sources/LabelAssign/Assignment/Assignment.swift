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

/// What an assigner decided for one image.
public struct Assignment: Sendable, Equatable {
    /// Per prior: the index of the assigned ground-truth object, `-1` background, `-2` ignored.
    public var assignedGT: [Int32]
    /// Further outputs in order, keyed by their fixture field names.
    public var outputs: [(name: String, value: AssignmentValue)]

    public init(assignedGT: [Int32], outputs: [(name: String, value: AssignmentValue)] = []) {
        self.assignedGT = assignedGT
        self.outputs = outputs
    }

    /// All priors background.
    public static func background(priorCount: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: priorCount))
    }

    /// The output called `name`, if present.
    public subscript(name: String) -> AssignmentValue? {
        outputs.first { $0.name == name }?.value
    }

    /// A per-prior float output called `name`, if present.
    public func floats(_ name: String) -> [Float]? {
        if case let .floats(v)? = self[name] { return v }
        return nil
    }

    /// Sets (or replaces) an output.
    public mutating func set(_ name: String, _ value: AssignmentValue) {
        if let i = outputs.firstIndex(where: { $0.name == name }) { outputs[i].value = value } else { outputs.append((name, value)) }
    }

    /// Number of positive priors (assigned to an object).
    public var positiveCount: Int { assignedGT.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Positives per object, for `gtCount` objects.
    public func positivesPerObject(gtCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: gtCount)
        for g in assignedGT where g >= 0 && Int(g) < gtCount { counts[Int(g)] += 1 }
        return counts
    }

    public static func == (lhs: Assignment, rhs: Assignment) -> Bool {
        lhs.assignedGT == rhs.assignedGT && lhs.outputs.count == rhs.outputs.count
            && zip(lhs.outputs, rhs.outputs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A label-assignment strategy with its configuration.
public protocol Assigner: Sendable {
    /// The preset name (`--assigner` on the command line).
    var name: String { get }
    /// Assigns every prior of a validated scene. Throws `LabelAssignError` on input the
    /// strategy cannot take (for example a missing `obj_logits` where the reference needs it).
    func assign(_ scene: Scene) throws -> Assignment
}

/// One named preset of the registry.
public struct AssignerPreset: Sendable {
    public let name: String
    /// What the preset reproduces.
    public let summary: String
    /// The fixture key its outputs are compared with.
    public let fixtureKey: String
    public let make: @Sendable () -> any Assigner

    public init(name: String, summary: String, fixtureKey: String, make: @escaping @Sendable () -> any Assigner) {
        self.name = name
        self.summary = summary
        self.fixtureKey = fixtureKey
        self.make = make
    }
}
