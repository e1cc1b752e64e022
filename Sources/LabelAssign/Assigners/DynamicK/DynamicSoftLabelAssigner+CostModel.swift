import _LabelAssignKernels

extension DynamicSoftLabelAssigner {
    /// The dynamic soft-label hooks of `DynamicKDriver`: priors as given (centre, x stride),
    /// candidates strictly inside a box, mmdet corner boxes, class terms `lak_dsl_class_terms` and
    /// cost rows `lak_dsl_cost_row`.
    struct CostModel: DynamicKCostModel {
        let configuration: Configuration

        init(_ configuration: Configuration) {
            self.configuration = configuration
        }

        var region: lak_region { LAK_REGION_BOX }
        var boxConvention: DynamicCostInput.BoxConvention { .corners }
        var candidateTopK: Int { configuration.candidateTopK }
        var selectionTies: DynamicKMatching.SelectionTies { configuration.selectionTies }

        /// Per candidate the sum of the zero-target terms; at every label slot (slot-major
        /// tables) the logit `x`, `σ(x)` and `log σ(x)`.
        struct ClassTerms {
            let negativeSum, logitAt, sigmoidAt, logSigmoidAt: UnsafeMutablePointer<Float>
        }

        /// Centres as given and the x stride; the centre square is not used.
        func priorCentres(_ scene: Scene, into centres: DynamicCostInput.PriorCentres) {
            let p = scene.priors
            for i in 0..<scene.priorCount {
                centres.x[i] = p[4 * i]
                centres.y[i] = p[4 * i + 1]
                centres.stride[i] = p[4 * i + 2]
            }
        }

        func classTerms(_ scene: Scene, candidates: UnsafeBufferPointer<Int32>, slots: DynamicCostInput.LabelSlots,
                        workspace: Workspace) throws -> ClassTerms {
            let m = candidates.count, classes = scene.numClasses, size = slots.count * m
            // Every entry is written by the kernel.
            let terms = ClassTerms(negativeSum: workspace.kernelTable(m), logitAt: workspace.kernelTable(size),
                                   sigmoidAt: workspace.kernelTable(size), logSigmoidAt: workspace.kernelTable(size))
            let bad = lak_dsl_class_terms(scene.clsLogits, Int64(classes), candidates.baseAddress, Int64(m), slots.classes,
                                          Int64(slots.count), terms.negativeSum, terms.logitAt, terms.sigmoidAt,
                                          terms.logSigmoidAt, workspace.kernelTable(3 * classes))
            if bad >= 0 { try DynamicCostInput.reportNonFinite(scene, prior: Int(candidates[Int(bad)]), objectness: false) }
            return terms
        }

        func costRow(_ object: UnsafePointer<lak_object_geometry>, candidates: UnsafePointer<lak_candidates>, count m: Int,
                     terms: ClassTerms, slot: Int, cost: UnsafeMutablePointer<Float>, iou: UnsafeMutablePointer<Float>) {
            let c = configuration, at = slot * m
            lak_dsl_cost_row(object, candidates, Int64(m), terms.negativeSum, terms.logitAt + at, terms.sigmoidAt + at,
                             terms.logSigmoidAt + at, c.softCentreRadius, c.iouWeight, c.iouEpsilon, cost, iou)
        }
    }
}
