import LabelAssign
import LabelAssignCABI
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// A scene with zero priors gives an empty assignment for every preset, with and without
/// objects and ignore boxes, through every path (as mmdet's assigners do).
@Suite struct ZeroPriorTests {
    static func scene(objects: Bool, ignore: Bool) -> Scene {
        Scene(name: "empty", imageWidth: 64, imageHeight: 64, strides: [8, 16, 32], numClasses: 3, priors: [],
              gtBoxes: objects ? [4, 4, 30, 40, 10, 20, 60, 50] : [], gtLabels: objects ? [0, 2] : [],
              predBoxes: [], clsLogits: [], objLogits: [], gtIgnore: ignore ? [0, 0, 20, 20] : [])
    }

    static let variants = [(false, false), (true, false), (false, true), (true, true)]

    /// Every output field empty (Hungarian's `total` 0).
    static func isEmpty(_ r: Assignment) -> Bool {
        r.assignedGT.isEmpty && r.namedOutputs.allSatisfy { o in
            switch o.value {
            case let .floats(v): v.isEmpty
            case let .ints(v): v.isEmpty
            case let .rows(v): v.isEmpty
            case let .number(v): v == 0
            }
        }
    }

    @Test(arguments: AssignerRegistry.names)
    func everyPresetAssignsNothing(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let reference = try assigner.assign(Self.scene(objects: true, ignore: false))
        for (objects, ignore) in Self.variants {
            let r = try assigner.assign(Self.scene(objects: objects, ignore: ignore))
            #expect(Self.isEmpty(r), "\(preset) objects \(objects) ignore \(ignore): \(r)")
            #expect(r.namedOutputs.map(\.name) == reference.namedOutputs.map(\.name))
        }
        // Options that apply ignore boxes change nothing either.
        if try AssignerRegistry.preset(preset).options.contains(where: { $0.name == "ignore_iof_thr" }) {
            let ignoring = try AssignerRegistry.make(preset, options: [("ignore_iof_thr", .number(0.5))])
            #expect(Self.isEmpty(try ignoring.assign(Self.scene(objects: true, ignore: true))))
        }
    }

    /// Zero priors is valid input; the rest of the scene is still validated.
    @Test func validationStillNamesBadFields() throws {
        try Self.scene(objects: true, ignore: true).validate()
        var bad = Self.scene(objects: true, ignore: false)
        bad.gtBoxes[0] = .nan
        #expect(throws: LabelAssignError.self) { try bad.validate() }
        bad = Self.scene(objects: true, ignore: false)
        bad.predBoxes = [0, 0, 1, 1]
        #expect(throws: LabelAssignError.self) { try bad.validate() }
    }

    /// A prior grid of an image smaller than every stride has no priors.
    @Test func gridOfAnImageSmallerThanEveryStrideIsEmpty() throws {
        #expect(try PriorGrid.points(width: 7, height: 7, strides: [8, 16]).isEmpty)
        #expect(try PriorGrid.points(width: 8, height: 7, strides: [8, 16]).isEmpty)
        #expect(try PriorGrid.points(width: 8, height: 8, strides: [8, 16]).count == 4)
    }

    @Test func sceneFilesCLikeAndJSONPathsAcceptZeroPriors() throws {
        let s = Self.scene(objects: true, ignore: true)
        let text = SceneFile.json(s)
        let parsed = try #require(SceneFile.parse(Array(text.utf8)).first?.scene)
        #expect(parsed.priorCount == 0 && parsed.gtCount == 2 && parsed.ignoreCount == 1)
        let raw = #"{"image": [64, 64], "strides": [8], "num_classes": 1, "priors": [], "gt_bboxes": [[1, 1, 9, 9]], "gt_labels": [0], "pred_bboxes": [], "cls_logits": []}"#
        #expect(try SceneFile.parse(Array(raw.utf8)).first?.scene.priorCount == 0)

        var err = [CChar](repeating: 0, count: 256)
        for name in AssignerRegistry.names {
            let handle = CABI.Handle(name)
            let got = CABI.assign(handle.pointer, s) { layout, image, outputs in
                layout.priors = nil
                image.predBoxes = nil
                image.clsLogits = nil
                outputs.assignedGT = nil
            }
            #expect(got.rc == 0 && got.positives == [0, 0], "\(name): \(got.error)")
            var result: UnsafeMutablePointer<CChar>? = nil
            #expect(la_assign_json(name, nil, text, &result, &err, 256) == 0, "\(name): \(String(cString: err))")
            let json = try parseJSON(Array(try #require(result.map { String(cString: $0) }).utf8))
            la_free(result)
            #expect(json["assigned_gt"] == .array([]), "\(name)")
        }
    }
}
