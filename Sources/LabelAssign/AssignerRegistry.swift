/// Every assigner preset, by name, in display order.
public enum AssignerRegistry {
    /// The presets. One line each.
    public static let presets: [AssignerPreset] = [
        AssignerPreset(name: "ota", summary: "OTA (Megvii): focal + 1.5*IoU cost, Sinkhorn eps 0.1, 50 iterations", fixtureKey: "ota", make: { OTAAssigner(.ota) }),
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
