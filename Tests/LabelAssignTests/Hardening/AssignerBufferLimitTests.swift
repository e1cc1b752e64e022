import Foundation
import LabelAssign
import LabelAssignTestSupport
import Testing

/// Every buffer an assigner sizes by objects × priors is checked against `maxBufferBytes` before
/// it is allocated: a crowded scene under a tight limit is `resourceExhausted` naming the buffer,
/// and the same scene under the default limit is assigned.
@Suite struct AssignerBufferLimitTests {
    /// 1,024 priors (a 256 × 256 image, stride 8) and 200 objects of 60 × 60 px in one corner,
    /// each holding about 50 priors; small predictions keep every dynamic k at 1, so OTA's
    /// supplies stay below the prior count.
    static let crowded: Scene = {
        let boxes = (0..<200).flatMap { k -> [Float] in
            let d = Float(k % 8)
            return [d, d, 60 + d, 60 + d]
        }
        return SceneBuilder.grid(width: 256, height: 256, strides: [8], classes: 2)
            .objects(boxes, labels: (0..<200).map { Int32($0 % 2) })
            .objectness(0)
            .scene
    }()

    /// 16 KiB: below every buffer of the objects' pairs (≥ 10,000 pairs), above every per-prior buffer.
    static let tight = ResourceLimits(maxBufferBytes: 16 << 10)

    /// The `resourceExhausted` error of `body` under `tight`, or nil.
    static func exhausted(_ body: () throws -> Void) -> (resource: String, setting: String)? {
        let e = ResourceLimits.withLimits(tight) { Hardening.typedError(body) }
        guard case let .resourceExhausted(resource, _, _, setting)? = e else { return nil }
        return (resource, setting)
    }

    @Test(arguments: [
        ("ota", "OTA transport problem entries"), ("tal", "task-aligned candidate pairs"),
        ("hungarian", "DETR matching cost"),
    ])
    func crowdedSceneIsBoundedByTheBufferLimit(preset: String, buffer: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let e = try #require(Self.exhausted { _ = try assigner.assign(Self.crowded) }, "\(preset) allocated past the limit")
        #expect(e.resource.hasPrefix(buffer), "\(preset): \(e.resource)")
        #expect(e.setting == ResourceLimits.bufferVariable)
        // The default limit lets the same scene through.
        let assignment = try assigner.assign(Self.crowded)
        #expect(assignment.assignedGT.count == Self.crowded.priorCount)
    }

    /// The dynamic-k presets keep one object's cost row at a time (memory in candidates, not
    /// objects × candidates): under the limit that stops every objects × priors buffer they still
    /// assign the crowded scene, exactly as under the default limit.
    @Test(arguments: ["simota", "simota-mmdet", "simota-yolox-latest", "dsl"])
    func dynamicKPresetsNeedNoObjectsTimesPriorsBuffer(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let tight = try ResourceLimits.withLimits(Self.tight) { try assigner.assign(Self.crowded) }
        let free = try assigner.assign(Self.crowded)
        #expect(tight.assignedGT == free.assignedGT)
        #expect(tight.matchedIoU == free.matchedIoU)
        #expect(free.assignedGT.contains { $0 >= 0 })
        // A limit below the two rows of the candidates (about 80 here: 640 bytes) is still enforced.
        let rows = ResourceLimits(maxBufferBytes: 64)
        let e = ResourceLimits.withLimits(rows) { Hardening.typedError { _ = try assigner.assign(Self.crowded) } }
        guard case let .resourceExhausted(resource, _, _, _)? = e else { Issue.record("\(preset): \(String(describing: e))"); return }
        #expect(resource.hasPrefix("dynamic-k cost and IoU rows"))
    }

    @Test func yolov5TargetRowsAreBounded() throws {
        var scene = SceneBuilder.grid(width: 256, height: 256, strides: [8, 16, 32], classes: 2).scene
        scene.gtBoxes = Self.crowded.gtBoxes
        scene.gtLabels = Self.crowded.gtLabels
        let e = try #require(Self.exhausted { _ = try YOLOv5TargetBuilder(.yolov5).assign(scene) })
        #expect(e.resource.hasPrefix("YOLOv5 target entries"))
        #expect(try YOLOv5TargetBuilder(.yolov5).assign(scene).assignedGT.count == scene.priorCount)
    }

    @Test func otaDenseProblemIsBounded() throws {
        let e = try #require(Self.exhausted { _ = try OTAAssigner(.ota).transportProblem(Self.crowded) })
        #expect(e.resource.hasPrefix("OTA dense transport cost"))
    }

    @Test func pairwiseOverlapIsBounded() throws {
        let boxes = [Float]((0..<100).flatMap { k in [0, 0, Float(k + 1), Float(k + 1)] })
        let e = try #require(Self.exhausted { _ = try pairwiseOverlap(boxes, boxes, kind: .iou, convention: .mmdet) })
        #expect(e.resource.hasPrefix("pairwise overlap matrix"))
        #expect(try pairwiseOverlap(boxes, boxes, kind: .iou, convention: .mmdet).count == 10_000)
    }

    @Test func parallelMapIsBounded() throws {
        let e = try #require(Self.exhausted { _ = try Parallel.map(count: 10_000, threads: 1) { $0 } })
        #expect(e.resource.hasPrefix("results of a parallel map"))
        #expect(Hardening.typedError { _ = try Parallel.map(count: Int.max, threads: 2) { $0 } } != nil)
    }

    /// `targets(_:)` reads an unvalidated scene: a zero stride is an error naming it, not a division trap.
    @Test func yolov5TargetsRejectAZeroStride() throws {
        var scene = SceneBuilder.grid(width: 64, height: 64, strides: [8, 16, 32], classes: 2)
            .objects([8, 8, 40, 40], labels: [0]).scene
        scene.strides = [0, 16, 32]
        let e = try #require(Hardening.typedError { _ = try YOLOv5TargetBuilder(.yolov5).targets(scene) })
        guard case let .invalidValue(field, index, _) = e else { Issue.record("\(e)"); return }
        #expect(field == "strides" && index == 0)
    }
}
