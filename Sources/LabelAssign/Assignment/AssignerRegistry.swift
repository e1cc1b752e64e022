/// Every assigner preset, by name, in display order.
public enum AssignerRegistry {
    /// The presets. A preset's name lives here only; its assigner is the reference configuration.
    public static let presets: [AssignerPreset] = [
        AssignerPreset(
            name: "simota",
            summary: "YOLOX 0.3.0 SimOTA (in-box or centre 2.5 strides, penalty 1e5)",
            fixtureKey: "yolox_simota",
            configuration: SimOTAAssigner.Configuration.yolox, build: { SimOTAAssigner($0) }
        ),
        AssignerPreset(
            name: "simota-mmdet",
            summary: "mmdet 3.3 SimOTAAssigner (center_radius 2.5, candidate_topk 10, iou_weight 3, cls_weight 1: the class defaults)",
            fixtureKey: "mmdet_simota",
            configuration: SimOTAAssigner.Configuration.mmdet, build: { SimOTAAssigner($0) }
        ),
        AssignerPreset(
            name: "simota-yolox-latest",
            summary: "YOLOX main SimOTA (centre 1.5 strides only, penalty 1e6)",
            fixtureKey: "yolox_latest_simota",
            configuration: SimOTAAssigner.Configuration.yoloxLatest, build: { SimOTAAssigner($0) }
        ),
        AssignerPreset(
            name: "dsl",
            summary: "mmdet 3.3 DynamicSoftLabelAssigner as RTMDet (soft_center_radius 3, topk 13, iou_weight 3: the class defaults)",
            fixtureKey: "mmdet_dsl",
            configuration: DynamicSoftLabelAssigner.Configuration.rtmdet, build: { DynamicSoftLabelAssigner($0) }
        ),
        AssignerPreset(
            name: "yolov5",
            summary: "YOLOv5 7.0 build_targets (COCO anchors, anchor_t 4, 3 cells per target)",
            fixtureKey: "yolov5_build_targets",
            configuration: YOLOv5Configuration.yolov5, build: { YOLOv5TargetBuilder($0) }
        ),
        AssignerPreset(
            name: "hungarian",
            summary: "DETR HungarianMatcher as main.py trains it (cost_class 1, cost_bbox 5, cost_giou 2; class defaults 1, 1, 1), scipy-exact linear assignment",
            fixtureKey: "detr_hungarian",
            configuration: HungarianConfiguration.detr, build: { HungarianMatcher($0) }
        ),
        AssignerPreset(
            name: "tal",
            summary: "ultralytics 8.4.190 TaskAlignedAssigner as v8DetectionLoss trains (topk 10, alpha 0.5, beta 6; class defaults topk 13, alpha 1)",
            fixtureKey: "ultralytics_tal",
            configuration: TaskAlignedAssigner.Configuration.tal, build: { TaskAlignedAssigner($0) }
        ),
        AssignerPreset(
            name: "tood",
            summary: "mmdet 3.3 TaskAlignedAssigner as TOOD configures it (topk 13; assign() defaults alpha 1, beta 6)",
            fixtureKey: "mmdet_tal",
            configuration: TaskAlignedAssigner.Configuration.tood, build: { TaskAlignedAssigner($0) }
        ),
        AssignerPreset(
            name: "atss",
            summary: "mmdet 3.3 ATSSAssigner (topk 9, ignore_iof_thr -1: the class defaults, as the ATSS configs)",
            fixtureKey: "mmdet_atss",
            configuration: ATSSAssigner.Configuration.atss, build: { ATSSAssigner($0) }
        ),
        AssignerPreset(
            name: "maxiou",
            summary: "mmdet 3.3 MaxIoUAssigner as RetinaNet configures it (pos 0.5, neg 0.4, min_pos_iou 0, ignore_iof_thr -1)",
            fixtureKey: "mmdet_maxiou",
            configuration: MaxIoUAssigner.Configuration.maxiou, build: { MaxIoUAssigner($0) }
        ),
        AssignerPreset(
            name: "ota",
            summary: "OTA (Megvii) fcos.py with its COCO config: focal + 1.5*IoU cost, top 20, Sinkhorn eps 0.1, 50 iterations",
            fixtureKey: "ota",
            configuration: OTAAssigner.Configuration.ota, build: { OTAAssigner($0) }
        ),
        AssignerPreset(
            name: "ota-exact",
            summary: "OTA's transport problem solved exactly (network simplex); this engine's variant, no reference; OTA's options (the Sinkhorn ones unused)",
            fixtureKey: "ota_exact",
            configuration: OTAAssigner.Configuration.ota, build: { ExactOTAAssigner($0) }
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

    /// The preset called `name` with `options` (reference name → value) applied; throws
    /// `invalidParameter` naming an unknown option or a bad value.
    public static func make(_ name: String, options: [(String, OptionValue)]) throws -> any Assigner {
        try preset(name).make(options: options)
    }
}
