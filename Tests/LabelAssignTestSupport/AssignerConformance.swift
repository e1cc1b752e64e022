import Foundation
import LabelAssign
import LabelAssignIO

// MARK: - What is compared

/// How one field of a fixture expectation is compared with the output of the same name.
public enum FieldComparison: Sendable {
    /// The same number of values, each equal (integers, and float32 values that must be exact).
    case exact
    /// The same number of values, each within `|got − expected| <= tolerance`.
    case absolute(Double)
    /// The same number of values, each within `|got − expected| <= tolerance · |expected|`.
    case relative(Double)
    /// A table: the same rows in the same order, each of the same length, its first
    /// `exactColumns` entries equal and the others within `absolute`.
    case rows(exactColumns: Int, absolute: Double)
}

/// One field of a fixture expectation and how it is compared.
public struct FieldCheck: Sendable {
    public var name: String
    public var comparison: FieldComparison
    /// Compared on the scenes whose expectation holds it, not required of every scene (OTA's `mu`).
    public var optional: Bool

    public init(_ name: String, _ comparison: FieldComparison, optional: Bool = false) {
        self.name = name
        self.comparison = comparison
        self.optional = optional
    }

    /// `assigned_gt`: every prior equal.
    public static let assignedGT = FieldCheck("assigned_gt", .exact)
    /// `matched_iou` within 1e-4.
    public static let matchedIoU = FieldCheck("matched_iou", .absolute(1e-4))
}

/// How many scenes must hold a key.
public enum SceneCount: Sendable, CustomStringConvertible {
    case atLeast(Int)
    case exactly(Int)

    public func admits(_ n: Int) -> Bool {
        switch self {
        case let .atLeast(m): n >= m
        case let .exactly(m): n == m
        }
    }

    public var description: String {
        switch self {
        case let .atLeast(m): "at least \(m)"
        case let .exactly(m): "exactly \(m)"
        }
    }
}

/// Which scene fixtures may lack a key.
public enum AbsentKeyRule: Sendable {
    /// The reference ran on every scene: a scene without the key names it in `fragile` (a tiny
    /// perturbation changed the reference's answer there, so it was left out).
    case onlyWhenFragile
    /// Only scenes without objects lack the key.
    case onlyWithoutObjects
    /// The count guard only.
    case anyScene
}

/// A further fixture file with reference cases for the same preset, under `key`.
public struct ExtraFixtureFile: Sendable {
    public var file: String
    public var key: String
    /// How many of its scenes hold `key`.
    public var scenes: Int
    /// Every one of those scenes has ignore boxes (`gt_ignore`).
    public var withIgnoreBoxes: Bool
    /// The preset's options that the reference ran with (reference name → value).
    public var options: [(String, OptionValue)]

    public init(_ file: String, key: String, scenes: Int, withIgnoreBoxes: Bool = false, options: [(String, OptionValue)] = []) {
        self.file = file
        self.key = key
        self.scenes = scenes
        self.withIgnoreBoxes = withIgnoreBoxes
        self.options = options
    }
}

/// What a preset's output must match on every fixture scene that holds its fixture key.
public struct PresetExpectation: Sendable {
    public var fixtureKey: String
    /// The compared fields.
    public var fields: [FieldCheck]
    /// Fixture fields that configure the assigner (Hungarian `queries`); they may also be compared.
    public var inputs: [String]
    /// Compared fields that are not outputs of `assign` but computed by `derive` (Hungarian `cost`).
    public var derived: [String]
    /// Outputs of `assign` that the fixture does not hold (YOLOv5 `row_gt`).
    public var outputsBeyondFixture: [String]
    public var scenes: SceneCount
    public var absent: AbsentKeyRule
    public var extraFiles: [ExtraFixtureFile]
    /// A preset without reference outputs of its own (an engine variant) runs on the scenes of
    /// this reference key and compares only the fields it shares with it; nil: its own key.
    public var variantOf: String?
    /// The reference's fixture fields that the variant computes differently by design (not compared).
    public var notShared: [String]
    /// The assigner for one fixture expectation, from the preset's (default: the preset's own).
    public var configure: (@Sendable (_ preset: any Assigner, _ expected: JSONValue) throws -> any Assigner)?
    /// Values of the `derived` fields.
    public var derive: (@Sendable (_ assigner: any Assigner, _ scene: Scene) throws -> [String: AssignmentValue])?
    /// Further checks of the output against the fixture and itself; returns the failures.
    public var consistency: (@Sendable (_ scene: Scene, _ expected: JSONValue, _ result: Assignment) -> [String])?

    public init(fixtureKey: String, fields: [FieldCheck], inputs: [String] = [], derived: [String] = [],
                outputsBeyondFixture: [String] = [], scenes: SceneCount, absent: AbsentKeyRule,
                extraFiles: [ExtraFixtureFile] = [], variantOf: String? = nil, notShared: [String] = [],
                configure: (@Sendable (_ preset: any Assigner, _ expected: JSONValue) throws -> any Assigner)? = nil,
                derive: (@Sendable (_ assigner: any Assigner, _ scene: Scene) throws -> [String: AssignmentValue])? = nil,
                consistency: (@Sendable (_ scene: Scene, _ expected: JSONValue, _ result: Assignment) -> [String])? = nil) {
        self.fixtureKey = fixtureKey
        self.fields = fields
        self.inputs = inputs
        self.derived = derived
        self.outputsBeyondFixture = outputsBeyondFixture
        self.scenes = scenes
        self.absent = absent
        self.extraFiles = extraFiles
        self.variantOf = variantOf
        self.notShared = notShared
        self.configure = configure
        self.derive = derive
        self.consistency = consistency
    }

    /// The fewest (scene, field) comparisons a check of this entry makes: the required fields on
    /// the fewest scenes the count guards admit, in the fixture scenes and the extra files.
    public var minimumComparisons: Int {
        let required = fields.filter { !$0.optional }.count
        let least: Int = switch scenes {
        case let .atLeast(n), let .exactly(n): n
        }
        return required * (least + extraFiles.map(\.scenes).reduce(0, +))
    }

    /// The output names `labelassign assign` prints after `assigner`.
    public var printedFields: Set<String> {
        Set(fields.map(\.name)).subtracting(derived).union(outputsBeyondFixture)
    }
}

// MARK: - The table

extension PresetExpectation {
    /// One entry per fixture key of the registry. Tolerances as in `Tests/Fixtures/README.md`.
    public static let table: [PresetExpectation] = [
        PresetExpectation(fixtureKey: "yolox_simota", fields: [.assignedGT, .matchedIoU],
                          scenes: .atLeast(15), absent: .onlyWhenFragile),
        PresetExpectation(fixtureKey: "mmdet_simota", fields: [.assignedGT, .matchedIoU],
                          scenes: .atLeast(15), absent: .onlyWhenFragile),
        PresetExpectation(fixtureKey: "yolox_latest_simota", fields: [.assignedGT, .matchedIoU],
                          scenes: .atLeast(15), absent: .onlyWhenFragile),
        PresetExpectation(fixtureKey: "mmdet_dsl", fields: [.assignedGT, .matchedIoU],
                          scenes: .atLeast(15), absent: .onlyWhenFragile),
        PresetExpectation(fixtureKey: "ota", fields: [.assignedGT, .matchedIoU, FieldCheck("mu", .exact, optional: true)],
                          scenes: .atLeast(16), absent: .onlyWhenFragile),
        // No reference: OTA's problem solved exactly. On OTA's scenes the supplies are OTA's and
        // each object gets exactly its supply (Tests/LabelAssignTests/Assigners/ExactOTATests.swift
        // checks optimality).
        PresetExpectation(fixtureKey: "ota_exact", fields: [FieldCheck("mu", .exact, optional: true)],
                          outputsBeyondFixture: ["assigned_gt", "matched_iou"],
                          scenes: .atLeast(16), absent: .onlyWhenFragile, variantOf: "ota",
                          notShared: ["assigned_gt", "matched_iou"], consistency: exactOTAConsistency),
        PresetExpectation(fixtureKey: "ultralytics_tal", fields: [.assignedGT, FieldCheck("target_scores", .absolute(1e-4))],
                          scenes: .atLeast(15), absent: .onlyWhenFragile,
                          extraFiles: [ExtraFixtureFile("tal-zero-ties.jsonl", key: "ultralytics_tal", scenes: 3)]),
        PresetExpectation(fixtureKey: "mmdet_tal", fields: [.assignedGT, FieldCheck("assign_metrics", .absolute(1e-4))],
                          scenes: .atLeast(15), absent: .onlyWhenFragile,
                          extraFiles: [ExtraFixtureFile("tal-zero-ties.jsonl", key: "mmdet_tal", scenes: 3)]),
        PresetExpectation(fixtureKey: "mmdet_atss", fields: [.assignedGT, .matchedIoU],
                          scenes: .atLeast(15), absent: .onlyWhenFragile,
                          extraFiles: [ExtraFixtureFile("tal-zero-ties.jsonl", key: "mmdet_atss", scenes: 3),
                                       ExtraFixtureFile("atss-distance-ties.jsonl", key: "mmdet_atss", scenes: 3),
                                       ExtraFixtureFile("mmdet-ignore.jsonl", key: "mmdet_atss_ignore", scenes: 3, withIgnoreBoxes: true,
                                                        options: [("ignore_iof_thr", .number(0.5))])]),
        PresetExpectation(fixtureKey: "mmdet_maxiou", fields: [.assignedGT],
                          scenes: .atLeast(15), absent: .onlyWhenFragile,
                          extraFiles: [ExtraFixtureFile("tal-zero-ties.jsonl", key: "mmdet_maxiou", scenes: 3),
                                       ExtraFixtureFile("mmdet-ignore.jsonl", key: "mmdet_maxiou_ignore", scenes: 3, withIgnoreBoxes: true,
                                                        options: [("ignore_iof_thr", .number(0.5))])]),
        PresetExpectation(fixtureKey: "yolov5_build_targets", fields: [FieldCheck("rows", .rows(exactColumns: 5, absolute: 1e-4))],
                          outputsBeyondFixture: ["assigned_gt", "row_gt"],
                          scenes: .exactly(14), absent: .anyScene,
                          consistency: yolov5Consistency),
        PresetExpectation(fixtureKey: "detr_hungarian",
                          fields: [FieldCheck("queries", .exact), FieldCheck("cost", .relative(1e-4)),
                                   FieldCheck("rows", .exact), FieldCheck("cols", .exact), FieldCheck("total", .relative(1e-6))],
                          inputs: ["queries"], derived: ["cost"], outputsBeyondFixture: ["assigned_gt"],
                          scenes: .exactly(17), absent: .onlyWithoutObjects,
                          configure: hungarianWithFixtureQueries, derive: hungarianCost, consistency: hungarianConsistency),
    ]

    /// YOLOv5: every entry's cell holds the lowest object index landing there and nothing else is
    /// positive; each entry's class is its object's label.
    @Sendable static func yolov5Consistency(scene: Scene, expected: JSONValue, result: Assignment) -> [String] {
        guard case let .rows(rows)? = result["rows"], case let .ints(rowGT)? = result["row_gt"] else {
            return ["\(scene.name): output lacks rows or row_gt"]
        }
        var failures: [String] = []
        if rows.count != rowGT.count { failures.append("\(scene.name): \(rows.count) rows, \(rowGT.count) row_gt") }
        var expectedGT = [Int32](repeating: -1, count: scene.priorCount)
        let ranges = scene.levelRanges
        for (r, g) in zip(rows, rowGT) {
            let level = Int(r[0]), cols = scene.imageWidth / Int(scene.strides[level])
            let p = ranges[level].lowerBound + Int(r[2]) * cols + Int(r[3])
            if expectedGT[p] < 0 || expectedGT[p] > g { expectedGT[p] = g }
            if scene.gtLabels[Int(g)] != Int32(r[4]) { failures.append("\(scene.name): row of object \(g) has class \(r[4])") }
        }
        if result.assignedGT != expectedGT { failures.append("\(scene.name): assigned_gt is not the lowest object per row cell") }
        return failures
    }

    /// OTA solved exactly: the plan is integral, so object `g` has exactly `mu[g]` positives, each
    /// with a finite `matched_iou` in [0, 1].
    @Sendable static func exactOTAConsistency(scene: Scene, expected: JSONValue, result: Assignment) -> [String] {
        guard case let .floats(mu)? = result["mu"], mu.count == scene.gtCount + 1 else {
            return ["\(scene.name): output lacks mu of \(scene.gtCount + 1) values"]
        }
        var count = [Float](repeating: 0, count: scene.gtCount)
        for g in result.assignedGT where g >= 0 { count[Int(g)] += 1 }
        var failures: [String] = []
        for g in 0..<scene.gtCount where count[g] != mu[g] {
            failures.append("\(scene.name): object \(g) has \(count[g]) positives, supply \(mu[g])")
        }
        if let bad = result.matchedIoU?.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            failures.append("\(scene.name): matched_iou[\(bad)] outside [0, 1]")
        }
        return failures
    }

    /// DETR: the preset's matcher restricted to the fixture's query subset.
    @Sendable static func hungarianWithFixtureQueries(_ preset: any Assigner, _ expected: JSONValue) throws -> any Assigner {
        guard var matcher = preset as? HungarianMatcher else {
            throw LabelAssignError.invalidParameter(name: "preset", reason: "detr_hungarian needs a HungarianMatcher, got \(type(of: preset))")
        }
        guard let queries = expected["queries"]?.doubles else { throw LabelAssignError.missingField("queries") }
        matcher.configuration.queries = queries.map { Int($0) }
        return matcher
    }

    /// DETR: the `Q × G` cost matrix of the matcher's queries.
    @Sendable static func hungarianCost(_ assigner: any Assigner, _ scene: Scene) throws -> [String: AssignmentValue] {
        guard let m = assigner as? HungarianMatcher else { return [:] }
        let queries = m.configuration.queries ?? Array(0..<scene.priorCount)
        return ["cost": .floats(try HungarianMatcher.cost(scene, queries: queries, configuration: m.configuration))]
    }

    /// DETR: `min(Q, G)` positives, each matched query's prior carrying its object; the cost matrix
    /// has one column per object.
    @Sendable static func hungarianConsistency(scene: Scene, expected: JSONValue, result: Assignment) -> [String] {
        var failures: [String] = []
        let queries = (expected["queries"]?.doubles ?? []).map { Int($0) }
        if let columns = expected["cost"]?.matrix?.columns, columns != scene.gtCount {
            failures.append("\(scene.name): fixture cost has \(columns) columns, scene \(scene.gtCount) objects")
        }
        if result.positiveCount != min(queries.count, scene.gtCount) {
            failures.append("\(scene.name): \(result.positiveCount) positives, expected \(min(queries.count, scene.gtCount))")
        }
        guard case let .ints(rows)? = result["rows"], case let .ints(cols)? = result["cols"] else {
            return failures + ["\(scene.name): output lacks rows or cols"]
        }
        for (r, c) in zip(rows, cols) where !(Int(r) < queries.count && result.assignedGT[queries[Int(r)]] == c) {
            failures.append("\(scene.name): matched query \(r) does not carry object \(c)")
        }
        return failures
    }
}

// MARK: - The check

/// Compares registry presets with their fixtures, as described by `PresetExpectation.table`.
public enum AssignerConformance {
    /// What a check compared and what differed.
    public struct Outcome: Sendable {
        /// Scenes compared (fixture scenes and extra files).
        public var scenes = 0
        /// Fields compared: one per (scene, field).
        public var comparisons = 0
        public var failures: [String] = []

        public init() {}

        mutating func add(_ other: Outcome) {
            scenes += other.scenes
            comparisons += other.comparisons
            failures += other.failures
        }
    }

    /// Checks `preset` against every fixture scene that holds its fixture key and against the
    /// entry's extra files: the count guards, the absent-key rule, every field of every scene,
    /// the printed field names and the entry's own consistency checks.
    public static func check(_ preset: AssignerPreset, table entries: [PresetExpectation] = PresetExpectation.table) throws -> Outcome {
        var out = Outcome()
        guard let table = entries.first(where: { $0.fixtureKey == preset.fixtureKey }) else {
            out.failures.append("\(preset.name): no conformance table entry for fixture key \(preset.fixtureKey)")
            return out
        }
        let key = table.variantOf ?? preset.fixtureKey
        let cases = try Fixtures.scenes(expecting: key)
        if cases.isEmpty {
            out.failures.append("\(preset.name): no fixture holds key \(key)")
            return out
        }
        if !table.scenes.admits(cases.count) {
            out.failures.append("\(preset.name): \(cases.count) fixture scenes hold \(key), expected \(table.scenes)")
        }
        out.failures += try absentKeyFailures(key: key, rule: table.absent)
        for c in cases { out.add(compare(preset, table, c)) }

        for extra in table.extraFiles {
            let extraCases = try Fixtures.scenes(expecting: extra.key, in: extra.file)
            if extraCases.count != extra.scenes {
                out.failures.append("\(preset.name): \(extraCases.count) scenes of \(extra.file) hold \(extra.key), expected \(extra.scenes)")
            }
            if extra.withIgnoreBoxes, let c = extraCases.first(where: { $0.scene.ignoreCount == 0 }) {
                out.failures.append("\(preset.name): \(c.file) \(c.scene.name) has no ignore boxes")
            }
            for c in extraCases { out.add(compare(preset, table, c, options: extra.options)) }
        }
        return out
    }

    /// Scenes that lack `key` against `rule`, and scenes that both hold `key` and list it as fragile.
    static func absentKeyFailures(key: String, rule: AbsentKeyRule) throws -> [String] {
        var failures: [String] = []
        for e in try Fixtures.scenes() {
            let holds = e.extras["expected"]?[key] != nil
            let fragile = (e.extras["fragile"]?.array ?? []).contains { $0.string == key }
            if holds && fragile { failures.append("\(e.scene.name): holds \(key) and lists it as fragile") }
            if holds { continue }
            switch rule {
            case .onlyWhenFragile where !fragile:
                failures.append("\(e.scene.name): lacks \(key) without listing it as fragile")
            case .onlyWithoutObjects where e.scene.gtCount > 0:
                failures.append("\(e.scene.name): lacks \(key) although it has \(e.scene.gtCount) objects")
            default:
                break
            }
        }
        return failures
    }

    /// One fixture case: the preset's (configured) assigner against every field.
    static func compare(_ preset: AssignerPreset, _ table: PresetExpectation, _ c: FixtureCase,
                        options: [(String, OptionValue)] = []) -> Outcome {
        var out = Outcome()
        out.scenes = 1
        let label = "\(preset.name) \(c.file) \(c.scene.name)"
        do {
            let base = try preset.make(options: options)
            let assigner = try table.configure?(base, c.expected) ?? base
            let result = try assigner.assign(c.scene)
            let derived = try table.derive?(assigner, c.scene) ?? [:]

            let covered = Set(table.fields.map(\.name)).union(table.inputs).union(table.notShared)
            for name in (c.expected.object?.keys.sorted() ?? []) where !covered.contains(name) {
                out.failures.append("\(label): fixture field \(name) is not compared")
            }
            let fields = FixtureCheck.fields(result, with: c.expected, fields: table.fields, derived: derived, label: label)
            out.comparisons += fields.comparisons
            out.failures += fields.failures

            let printed = try parseJSON(Array(result.json(assigner: preset.name).utf8))
            if printed["assigner"]?.string != preset.name { out.failures.append("\(label): printed assigner name") }
            let names = Set(printed.object.map { Array($0.keys) } ?? []).subtracting(["assigner"])
            if names != table.printedFields {
                out.failures.append("\(label): prints \(names.sorted()), expected \(table.printedFields.sorted())")
            }
            out.failures += table.consistency?(c.scene, c.expected, result) ?? []
        } catch {
            out.failures.append("\(label): \(error)")
        }
        return out
    }
}
