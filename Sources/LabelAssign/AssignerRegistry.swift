/// Every assigner preset, by name, in display order.
public enum AssignerRegistry {
    /// The presets. One line each.
    public static let presets: [AssignerPreset] = [
        AssignerPreset(name: "yolov5", summary: "YOLOv5 7.0 build_targets (COCO anchors, anchor_t 4, 3 cells per target)", fixtureKey: "yolov5_build_targets", make: { YOLOv5TargetBuilder(.yolov5) }),
        AssignerPreset(name: "hungarian", summary: "DETR Hungarian matcher (class 1, L1 5, GIoU 2) solved by scipy-exact linear assignment", fixtureKey: "detr_hungarian", make: { HungarianMatcher(.detr) }),
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
