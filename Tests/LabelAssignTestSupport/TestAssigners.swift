import LabelAssign
import LabelAssignCompare

/// A test strategy with the name it is reported under in a comparison.
public protocol NamedTestAssigner: Assigner {
    var name: String { get }
}

extension NamedTestAssigner {
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }
}

/// Runs a comparison of test strategies, each under its own name.
public func compare(_ source: some SceneSource, _ assigners: [any NamedTestAssigner],
                    options: Comparison.Options = .init()) throws -> ComparisonSummary {
    try Comparison.run(source: source, assigners: assigners.map { Comparison.Entry($0.name, $0) }, options: options)
}

/// A registry preset under its preset name.
public struct PresetUnderTest: NamedTestAssigner {
    public let name: String
    let inner: any Assigner

    public init(_ name: String) throws {
        self.name = name
        inner = try AssignerRegistry.make(name)
    }

    public var ignorePolicy: IgnorePolicy { inner.ignorePolicy }
    public func assignPriors(_ scene: PreparedScene) throws -> Assignment { try inner.assignPriors(scene) }
}

/// An assigner that returns what a closure decides (a test double with known answers).
public struct ScriptedAssigner: NamedTestAssigner {
    public let name: String
    public let decide: @Sendable (Scene) throws -> [Int32]

    public init(name: String, decide: @escaping @Sendable (Scene) throws -> [Int32]) {
        self.name = name
        self.decide = decide
    }

    public func assignPriors(_ scene: PreparedScene) throws -> Assignment { Assignment(assignedGT: try decide(scene.scene)) }
}

/// Centre sampling: a prior is positive for the smallest-area object whose box strictly contains its
/// centre, on the levels where the object's longer side is between 2 and 16 strides (an FCOS-like rule).
public struct CentreInsideAssigner: NamedTestAssigner {
    public var name = "centre-inside"

    public init() {}

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        var out = [Int32](repeating: -1, count: scene.priorCount)
        let g = scene.gtCount
        for i in 0..<scene.priorCount {
            let x = scene.priors[4 * i], y = scene.priors[4 * i + 1], s = scene.priors[4 * i + 2]
            var best = Float.infinity
            for j in 0..<g {
                let b = Array(scene.gtBoxes[(4 * j)..<(4 * j + 4)])
                let side = max(b[2] - b[0], b[3] - b[1])
                guard x > b[0], x < b[2], y > b[1], y < b[3], side >= 2 * s || s == 8, side <= 16 * s || s == 32 else { continue }
                let area = (b[2] - b[0]) * (b[3] - b[1])
                if area < best { best = area; out[i] = Int32(j) }
            }
        }
        return Assignment(assignedGT: out)
    }
}
