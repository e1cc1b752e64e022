import _LabelAssignKernels

/// What one dynamic-k assigner computes its own way; `DynamicKDriver` runs the stages around it.
///
/// A new flavour is either new constants of an existing model (a `Configuration` preset) or a new
/// model: its candidate region (`lak_region`), its box convention, its prior centres, and a pair
/// of C kernels in `lak_dynamic_cost.h`, one for the class terms per candidate and one for an
/// object's cost and IoU rows (as `lak_simota_*` and `lak_dsl_*`).
protocol DynamicKCostModel {
    /// Per-candidate class-cost tables, written by `classTerms` and read by `costRow`.
    associatedtype ClassTerms
    /// Which priors form an object's candidate region.
    var region: lak_region { get }
    /// The convention of the object geometry and of the candidates' predicted boxes.
    var boxConvention: DynamicCostInput.BoxConvention { get }
    /// How many of the largest IoUs are summed into the dynamic k.
    var candidateTopK: Int { get }
    /// Which candidates an object keeps among equal costs.
    var selectionTies: DynamicKMatching.SelectionTies { get }

    /// Writes every prior's centre columns (all 0 on entry) as the reference computes them.
    func priorCentres(_ scene: Scene, into centres: DynamicCostInput.PriorCentres)
    /// The class terms of `candidates` (prior indices) per candidate and per label slot, in
    /// `workspace` buffers. Throws for a candidate whose class cost is not finite.
    func classTerms(_ scene: Scene, candidates: UnsafeBufferPointer<Int32>, slots: DynamicCostInput.LabelSlots,
                    workspace: Workspace) throws -> ClassTerms
    /// Writes one object's `m` costs and IoUs against the candidates; `slot` is the object's label slot.
    func costRow(_ object: UnsafePointer<lak_object_geometry>, candidates: UnsafePointer<lak_candidates>, count m: Int,
                 terms: ClassTerms, slot: Int, cost: UnsafeMutablePointer<Float>, iou: UnsafeMutablePointer<Float>)
}

/// The stages every dynamic-k assigner runs, named as in YOLOX `get_assignments` and mmdet
/// `SimOTAAssigner.assign` / `DynamicSoftLabelAssigner.assign`, with `Model`'s hooks where the
/// references differ:
///
/// 1. candidates (YOLOX 0.3.0 `get_in_boxes_info`, YOLOX main `get_geometry_constraint`, mmdet
///    `get_in_gt_and_in_center_info`, DSL `is_in_gts`): the priors in at least one object's
///    candidate region;
/// 2. cost (`pair_wise_ious`, the class cost and `cost`): IoU and cost over candidates only, one
///    object's row at a time, the class cost as per-candidate terms (`Model.classTerms`) combined
///    per object (`Model.costRow`);
/// 3. `dynamic_k_matching` (YOLOX main `simota_matching`; `DynamicKMatching.Stream`, fed each row
///    as it is computed: memory O(candidates × (label slots + 1) + objects)), scattered back to
///    every prior (`fg_mask`, mmdet `valid_mask`): `assigned_gt` and `matched_iou`.
///
/// Documented handling: no objects, or no prior in any candidate region → everything background.
struct DynamicKDriver<Model: DynamicKCostModel> {
    let model: Model

    init(_ model: Model) {
        self.model = model
    }

    /// Assigns the priors of a prepared scene.
    func assign(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        let n = scene.priorCount
        if scene.gtCount == 0 { return DynamicCostInput.background(n) }
        return try Workspace.run { workspace in
            let objects = DynamicCostInput.objectGeometry(scene, model.boxConvention)
            let centres = DynamicCostInput.PriorCentres(count: n, workspace: workspace)
            model.priorCentres(scene, into: centres)
            let candidates = candidatePriors(objects, centres: centres, workspace: workspace)
            if candidates.isEmpty { return DynamicCostInput.background(n) }
            let matching = try matchRows(scene, objects: objects, candidates: candidates, centres: centres,
                                         workspace: workspace)
            return scatter(matching, candidates: candidates, priorCount: n)
        }
    }

    /// `get_in_boxes_info`: indices (ascending) of the priors inside at least one object's
    /// candidate region.
    func candidatePriors(_ objects: [lak_object_geometry], centres c: DynamicCostInput.PriorCentres,
                         workspace: Workspace) -> UnsafeBufferPointer<Int32> {
        let n = c.x.count
        let mask = workspace.buffer(n, UInt8(0))
        lak_region_mask(c.x.baseAddress, c.y.baseAddress, c.rx.baseAddress, c.ry.baseAddress, Int64(n),
                        objects, Int64(objects.count), Int32(model.region.rawValue), mask.baseAddress)
        let index = workspace.uninitialisedBuffer(n, of: Int32.self)
        var m = 0
        for i in 0..<n where mask[i] != 0 {
            index[m] = Int32(i)
            m += 1
        }
        return UnsafeBufferPointer(rebasing: index[0..<m])
    }

    /// The cost stage and `dynamic_k_matching`: the candidates' class terms, then one cost and
    /// IoU row per object (every entry written by the row kernel), each fed to the selection
    /// before the next is computed, so memory grows with candidates + objects, not their product.
    func matchRows(_ scene: Scene, objects: [lak_object_geometry], candidates: UnsafeBufferPointer<Int32>,
                   centres: DynamicCostInput.PriorCentres, workspace: Workspace) throws
        -> (result: DynamicKMatching.Result, matchedIoU: [Float]) {
        let m = candidates.count
        try ResourceLimits.checkBuffer("dynamic-k cost and IoU rows (candidate priors × 2)", counts: [m, 2], of: Float.self)
        let columns = DynamicCostInput.CandidateColumns(scene, candidates: candidates, centres: centres,
                                                        boxes: model.boxConvention, workspace: workspace)
        let slots = DynamicCostInput.LabelSlots(scene.gtLabels, classes: scene.numClasses)
        let terms = try model.classTerms(scene, candidates: candidates, slots: slots, workspace: workspace)
        let cost = workspace.uninitialisedBuffer(m, of: Float.self)
        let iou = workspace.uninitialisedBuffer(m, of: Float.self)
        var stream = DynamicKMatching.Stream(candidates: m, candidateTopK: model.candidateTopK, ties: model.selectionTies)
        withUnsafePointer(to: columns.columns) { columns in
            objects.withUnsafeBufferPointer { objects in
                for j in objects.indices {
                    model.costRow(objects.baseAddress! + j, candidates: columns, count: m, terms: terms,
                                  slot: slots.slotOfObject[j], cost: cost.baseAddress!, iou: iou.baseAddress!)
                    stream.add(cost: UnsafeBufferPointer(cost), iou: UnsafeBufferPointer(iou))
                }
            }
        }
        return stream.finish()
    }

    /// The matching scattered back to all priors: a matched candidate gets its object and the
    /// IoU of the pair, every other prior `-1` and 0.
    func scatter(_ matching: (result: DynamicKMatching.Result, matchedIoU: [Float]), candidates: UnsafeBufferPointer<Int32>,
                 priorCount n: Int) -> Assignment {
        var assigned = [Int32](repeating: -1, count: n)
        var matched = [Float](repeating: 0, count: n)
        for (k, obj) in matching.result.matchedObject.enumerated() where obj >= 0 {
            let p = Int(candidates[k])
            assigned[p] = obj
            matched[p] = matching.matchedIoU[k]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched)
    }
}
