/// How an assigner treats a scene's ignore regions (`gt_ignore`).
public enum IgnorePolicy: Sendable, Equatable {
    /// The reference keeps ignored priors out of the assignment itself (mmdet ATSS and max-IoU):
    /// the assigner reads the mask while assigning.
    case beforeAssignment(IgnoreRule)
    /// The reference has no ignore regions: after assignment, background priors that `rule`
    /// marks become `-2`; positives stay positive. Applied by `Assigner.assign(_:)`.
    case afterAssignment(IgnoreRule)
}

/// A label-assignment strategy with its configuration.
///
/// Implement `ignorePolicy` and `assignPriors(_:)`; callers use `assign(_:)`, which prepares
/// the scene (validating it once) and applies an after-assignment ignore policy.
public protocol Assigner: Sendable {
    /// How ignore regions are treated.
    var ignorePolicy: IgnorePolicy { get }
    /// The strategy on a prepared scene, without the after-assignment ignore policy. Throws
    /// `LabelAssignError` on input the strategy cannot take (for example a missing `obj_logits`
    /// where the reference needs it).
    func assignPriors(_ scene: PreparedScene) throws -> Assignment
    /// The per-prior outputs its assignments have (`AssignmentOutputs.swift` declares them per type).
    var outputs: AssignmentOutputs { get }
}

extension Assigner {
    /// Assigns every prior of a prepared scene and applies the ignore policy.
    public func assign(_ scene: PreparedScene) throws -> Assignment {
        var result = try assignPriors(scene)
        if case let .afterAssignment(rule) = ignorePolicy, scene.scene.ignoreCount > 0 {
            try IgnoreRegions.apply(IgnoreRegions.mask(scene: scene.scene, rule: rule), to: &result)
        }
        return result
    }

    /// Validates `scene`, then assigns every prior and applies the ignore policy.
    public func assign(_ scene: Scene) throws -> Assignment {
        try assign(PreparedScene(scene))
    }
}

/// One named preset of the registry.
public struct AssignerPreset: Sendable {
    /// The name on the command line (`--assigner`) and in reports.
    public let name: String
    /// What the preset reproduces.
    public let summary: String
    /// The fixture key its outputs are compared with.
    public let fixtureKey: String
    /// The preset's assigner with its reference configuration.
    public let make: @Sendable () -> any Assigner
    /// Every option of the preset with its default (the preset's value).
    public let options: [OptionInfo]
    private let makeWithOptions: @Sendable ([(String, OptionValue)]) throws -> any Assigner
    private let optionsWith: @Sendable ([(String, OptionValue)]) throws -> [OptionInfo]

    /// A preset without options.
    public init(name: String, summary: String, fixtureKey: String, make: @escaping @Sendable () -> any Assigner) {
        self.name = name
        self.summary = summary
        self.fixtureKey = fixtureKey
        self.make = make
        self.options = []
        self.makeWithOptions = { settings in
            if let (option, _) = settings.first {
                throw LabelAssignError.invalidParameter(name: option, reason: "unknown option; preset \(name) has no options")
            }
            return make()
        }
        self.optionsWith = { settings in
            if let (option, _) = settings.first {
                throw LabelAssignError.invalidParameter(name: option, reason: "unknown option; preset \(name) has no options")
            }
            return []
        }
    }

    /// A preset whose assigner is `build(configuration)`; its options are the configuration's.
    public init<C: OptionConfigurable>(name: String, summary: String, fixtureKey: String, configuration: C,
                                       build: @escaping @Sendable (C) -> any Assigner) {
        self.name = name
        self.summary = summary
        self.fixtureKey = fixtureKey
        self.make = { build(configuration) }
        self.options = configuration.optionInfo
        self.makeWithOptions = { settings in build(try configuration.setting(settings)) }
        self.optionsWith = { settings in try configuration.setting(settings).optionInfo }
    }

    /// The preset's assigner with `options` (reference name → value) applied to its configuration,
    /// in order. Throws `invalidParameter` naming an unknown option (listing the valid ones), a
    /// value outside the option's domain, or constants that do not fit together.
    public func make(options: [(String, OptionValue)]) throws -> any Assigner {
        try makeWithOptions(options)
    }

    /// Every option with `options` applied: `defaultValue` holds the configured value (the same
    /// checks and errors as `make(options:)`).
    public func optionInfo(options: [(String, OptionValue)]) throws -> [OptionInfo] {
        try optionsWith(options)
    }
}
