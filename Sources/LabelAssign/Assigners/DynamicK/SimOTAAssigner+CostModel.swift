import _LabelAssignKernels

extension SimOTAAssigner {
    /// SimOTA's hooks of `DynamicKDriver`: prior centres and box convention by `Arithmetic`, the
    /// candidate region by `CandidateRegion`, class terms `lak_simota_class_terms` and cost rows
    /// `lak_simota_cost_row`.
    struct CostModel: DynamicKCostModel {
        let configuration: Configuration
        /// `obj_logits`, one per prior.
        let objectness: [Float]
        let region: lak_region
        let boxConvention: DynamicCostInput.BoxConvention
        let pairIoU: lak_pair_iou

        init(_ configuration: Configuration, objectness: [Float]) {
            self.configuration = configuration
            self.objectness = objectness
            region = configuration.candidateRegion.region
            boxConvention = configuration.arithmetic.boxConvention
            pairIoU = configuration.arithmetic.pairIoU
        }

        var candidateTopK: Int { configuration.candidateTopK }
        var selectionTies: DynamicKMatching.SelectionTies { configuration.selectionTies }

        /// The BCE terms of `sqrt(σ(cls)·σ(obj))` per candidate: the sum against the all-zero
        /// target, and the zero- and one-target terms at every label slot (slot-major tables).
        struct ClassTerms {
            let negativeSum, negativeAt, positiveAt: UnsafeMutablePointer<Float>
        }

        func priorCentres(_ scene: Scene, into centres: DynamicCostInput.PriorCentres) {
            configuration.arithmetic.priorCentres(scene, radius: configuration.centreRadius, into: centres)
        }

        func classTerms(_ scene: Scene, candidates: UnsafeBufferPointer<Int32>, slots: DynamicCostInput.LabelSlots,
                        workspace: Workspace) throws -> ClassTerms {
            let m = candidates.count, classes = scene.numClasses, size = slots.count * m
            // Every entry is written by the kernel.
            let terms = ClassTerms(negativeSum: workspace.kernelTable(m), negativeAt: workspace.kernelTable(size),
                                   positiveAt: workspace.kernelTable(size))
            let bad = lak_simota_class_terms(scene.clsLogits, objectness, Int64(classes), candidates.baseAddress, Int64(m),
                                             slots.classes, Int64(slots.count), terms.negativeSum, terms.negativeAt,
                                             terms.positiveAt, workspace.kernelTable(2 * classes))
            if bad >= 0 { try DynamicCostInput.reportNonFinite(scene, prior: Int(candidates[Int(bad)]), objectness: true) }
            return terms
        }

        func costRow(_ object: UnsafePointer<lak_object_geometry>, candidates: UnsafePointer<lak_candidates>, count m: Int,
                     terms: ClassTerms, slot: Int, cost: UnsafeMutablePointer<Float>, iou: UnsafeMutablePointer<Float>) {
            let c = configuration, at = slot * m
            lak_simota_cost_row(object, candidates, Int64(m), terms.negativeSum, terms.negativeAt + at, terms.positiveAt + at,
                                Int32(region.rawValue), Int32(pairIoU.rawValue),
                                c.classWeight, c.iouWeight, c.iouEpsilon, c.penalty, cost, iou)
        }
    }
}

extension SimOTAAssigner.CandidateRegion {
    /// The kernels' region.
    var region: lak_region {
        switch self {
        case .boxOrCentre: LAK_REGION_BOX_OR_CENTRE
        case .centre: LAK_REGION_CENTRE
        }
    }
}

extension SimOTAAssigner.Arithmetic {
    /// The convention of the objects' geometry and of the predicted boxes.
    var boxConvention: DynamicCostInput.BoxConvention {
        switch self {
        case .yolox030, .yoloxMain: .centreSize
        case .mmdet: .corners
        }
    }

    /// The IoU of the cost rows.
    var pairIoU: lak_pair_iou {
        switch self {
        case .yolox030, .yoloxMain: LAK_PAIR_IOU_YOLOX
        case .mmdet: LAK_PAIR_IOU_MMDET
        }
    }

    /// Prior centres and centre-square half sides (`radius` strides) as the reference computes
    /// them. YOLOX sees grid shifts `(c − 0.5·s) / s` with `s` the prior's x stride on both axes;
    /// mmdet takes the centres as given and the x and y strides separately.
    func priorCentres(_ scene: Scene, radius r: Float, into c: DynamicCostInput.PriorCentres) {
        let p = scene.priors
        for i in 0..<scene.priorCount {
            let cx = p[4 * i], cy = p[4 * i + 1], sx = p[4 * i + 2], sy = p[4 * i + 3]
            switch self {
            case .yolox030:
                let xs = (cx - 0.5 * sx) / sx, ys = (cy - 0.5 * sx) / sx
                c.x[i] = xs * sx + 0.5 * sx
                c.y[i] = ys * sx + 0.5 * sx
                c.rx[i] = r * sx
                c.ry[i] = r * sx
            case .yoloxMain:
                let xs = (cx - 0.5 * sx) / sx, ys = (cy - 0.5 * sx) / sx
                c.x[i] = (xs + 0.5) * sx
                c.y[i] = (ys + 0.5) * sx
                c.rx[i] = r * sx
                c.ry[i] = r * sx
            case .mmdet:
                c.x[i] = cx
                c.y[i] = cy
                c.rx[i] = r * sx
                c.ry[i] = r * sy
            }
            c.stride[i] = sx
        }
    }
}
