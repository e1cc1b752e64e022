/// Every assigner preset, by name, in display order.
public enum AssignerRegistry {
    /// The presets. One line each.
    public static let presets: [AssignerPreset] = [
        AssignerPreset(name: "tal", summary: "ultralytics 8.4 TaskAlignedAssigner as trained (topk 10, alpha 0.5, beta 6)", fixtureKey: "ultralytics_tal", make: { TaskAlignedAssigner(.tal) }),
        AssignerPreset(name: "tood", summary: "mmdet TOOD TaskAlignedAssigner (topk 13, alpha 1, beta 6)", fixtureKey: "mmdet_tal", make: { TaskAlignedAssigner(.tood) }),
        AssignerPreset(name: "atss", summary: "mmdet ATSSAssigner (topk 9)", fixtureKey: "mmdet_atss", make: { ATSSAssigner(.atss) }),
        AssignerPreset(name: "maxiou", summary: "RetinaNet MaxIoUAssigner (0.5 / 0.4)", fixtureKey: "mmdet_maxiou", make: { MaxIoUAssigner(.maxiou) }),
    ]

    /// The preset names in display order.
    public static var names: [String] { presets.map(\.name) }

    /// The preset called `name`.
    public static func preset(_ name: String) throws -> AssignerPreset {
        guard let p = presets.first(where: { $0.name == name }) else {
            throw LabelAssignError.unknownAssigner(name: name, known: names)
        }
        return p
    }

    /// A fresh assigner for the preset called `name`.
    public static func make(_ name: String) throws -> any Assigner {
        try preset(name).make()
    }
}
