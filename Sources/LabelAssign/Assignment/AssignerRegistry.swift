/// Every assigner preset, by name, in display order.
public enum AssignerRegistry {
    /// The presets. A preset's name lives here only; its assigner is the reference configuration.
    public static let presets: [AssignerPreset] = [
        AssignerPreset(
            name: "simota",
            summary: "YOLOX 0.3.0 SimOTA (in-box or centre 2.5 strides, penalty 1e5)",
            fixtureKey: "yolox_simota",
            make: { SimOTAAssigner(.yolox) }
        ),
        AssignerPreset(
            name: "simota-mmdet",
            summary: "mmdet 3.3 SimOTAAssigner",
            fixtureKey: "mmdet_simota",
            make: { SimOTAAssigner(.mmdet) }
        ),
        AssignerPreset(
            name: "simota-yolox-latest",
            summary: "YOLOX main SimOTA (centre 1.5 strides only, penalty 1e6)",
            fixtureKey: "yolox_latest_simota",
            make: { SimOTAAssigner(.yoloxLatest) }
        ),
        AssignerPreset(
            name: "dsl",
            summary: "RTMDet DynamicSoftLabelAssigner (mmdet 3.3)",
            fixtureKey: "mmdet_dsl",
            make: { DynamicSoftLabelAssigner(.rtmdet) }
        ),
        AssignerPreset(
            name: "yolov5",
            summary: "YOLOv5 7.0 build_targets (COCO anchors, anchor_t 4, 3 cells per target)",
            fixtureKey: "yolov5_build_targets",
            make: { YOLOv5TargetBuilder(.yolov5) }
        ),
        AssignerPreset(
            name: "hungarian",
            summary: "DETR Hungarian matcher (class 1, L1 5, GIoU 2) solved by scipy-exact linear assignment",
            fixtureKey: "detr_hungarian",
            make: { HungarianMatcher(.detr) }
        ),
        AssignerPreset(
            name: "tal",
            summary: "ultralytics 8.4 TaskAlignedAssigner as trained (topk 10, alpha 0.5, beta 6)",
            fixtureKey: "ultralytics_tal",
            make: { TaskAlignedAssigner(.tal) }
        ),
        AssignerPreset(
            name: "tood",
            summary: "mmdet TOOD TaskAlignedAssigner (topk 13, alpha 1, beta 6)",
            fixtureKey: "mmdet_tal",
            make: { TaskAlignedAssigner(.tood) }
        ),
        AssignerPreset(
            name: "atss",
            summary: "mmdet ATSSAssigner (topk 9)",
            fixtureKey: "mmdet_atss",
            make: { ATSSAssigner(.atss) }
        ),
        AssignerPreset(
            name: "maxiou",
            summary: "RetinaNet MaxIoUAssigner (0.5 / 0.4)",
            fixtureKey: "mmdet_maxiou",
            make: { MaxIoUAssigner(.maxiou) }
        ),
        AssignerPreset(
            name: "ota",
            summary: "OTA (Megvii): focal + 1.5*IoU cost, Sinkhorn eps 0.1, 50 iterations",
            fixtureKey: "ota",
            make: { OTAAssigner(.ota) }
        ),
        AssignerPreset(
            name: "ota-exact",
            summary: "OTA's transport problem solved exactly (network simplex); this engine's variant, no reference",
            fixtureKey: "ota_exact",
            make: { ExactOTAAssigner(.ota) }
        ),
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
