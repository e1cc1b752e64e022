import _LabelAssignKernels

/// What the dynamic-k cost kernels (`lak_dynamic_cost.h`) read, in their layouts: object
/// geometry, prior centres, candidate columns and label slots; and the pieces of the result and
/// of the checks that SimOTA and the dynamic soft-label assigner share.
enum DynamicCostInput {
    /// Every prior background, matched IoU 0.
    static func background(_ n: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: n),
                   matchedIoU: [Float](repeating: 0, count: n))
    }

    /// Throws `invalidParameter` naming `name` unless `holds`: "must be `rule`, got `value`".
    static func requireParameter(_ holds: Bool, _ name: String, _ value: Any, _ rule: String) throws {
        if !holds { throw LabelAssignError.invalidParameter(name: name, reason: "must be \(rule), got \(value)") }
    }

    /// Throws the error naming the non-finite input of `prior`.
    static func reportNonFinite(_ scene: Scene, prior: Int, objectness: Bool) throws {
        if objectness, let obj = scene.objLogits, !obj[prior].isFinite {
            throw LabelAssignError.invalidValue(field: "obj_logits", index: prior, reason: "\(obj[prior]) is not finite")
        }
        throw LabelAssignError.invalidValue(field: "cls_logits", index: prior, reason: "a logit is not finite")
    }
}

// MARK: - Boxes

extension DynamicCostInput {
    /// Whose box convention the object geometry, the predicted boxes and their areas follow.
    enum BoxConvention {
        /// YOLOX: a box goes to `cx, cy, w, h` (`cx = (x1 + x2) / 2`, `w = x2 − x1`) and back as
        /// `c ∓ w/2`; the area is `w · h`.
        case centreSize
        /// mmdet: `x1, y1, x2, y2` as given; the area is `(x2 − x1) · (y2 − y1)`.
        case corners
    }

    /// The objects' region edges, centres and IoU boxes in `convention`.
    static func objectGeometry(_ scene: Scene, _ convention: BoxConvention) -> [lak_object_geometry] {
        let b = scene.gtBoxes
        switch convention {
        case .centreSize:
            // YOLOX: region edges `cx ∓ 0.5·w`, IoU box `cx ∓ w/2`.
            return (0..<scene.gtCount).map { j in
                let x1 = b[4 * j], y1 = b[4 * j + 1], x2 = b[4 * j + 2], y2 = b[4 * j + 3]
                let cx = (x1 + x2) / 2, cy = (y1 + y2) / 2
                let w = x2 - x1, h = y2 - y1
                let l = cx - 0.5 * w, r = cx + 0.5 * w, t = cy - 0.5 * h, bt = cy + 0.5 * h
                return lak_object_geometry(left: l, right: r, top: t, bottom: bt, cx: cx, cy: cy,
                                          box: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), area: w * h)
            }
        case .corners:
            // mmdet: region edges are the box edges, centre `(x1 + x2) / 2`.
            return (0..<scene.gtCount).map { j in
                let x1 = b[4 * j], y1 = b[4 * j + 1], x2 = b[4 * j + 2], y2 = b[4 * j + 3]
                return lak_object_geometry(left: x1, right: x2, top: y1, bottom: y2, cx: (x1 + x2) / 2, cy: (y1 + y2) / 2,
                                          box: (x1, y1, x2, y2), area: (x2 - x1) * (y2 - y1))
            }
        }
    }
}

// MARK: - Priors and candidates

extension DynamicCostInput {
    /// Per-prior centre columns for the region tests, in workspace buffers: centre `x, y`,
    /// centre-square half sides `rx, ry` and the `stride` dividing centre distances.
    struct PriorCentres {
        let x, y, rx, ry, stride: UnsafeMutableBufferPointer<Float>

        /// `n` priors, every column 0.
        init(count n: Int, workspace: Workspace) {
            x = workspace.buffer(n, 0); y = workspace.buffer(n, 0)
            rx = workspace.buffer(n, 0); ry = workspace.buffer(n, 0)
            stride = workspace.buffer(n, 0)
        }
    }

    /// The candidates' columns (structure of arrays, workspace buffers) for the cost kernels:
    /// their prior centres and their predicted boxes in the model's convention.
    struct CandidateColumns {
        let columns: lak_candidates

        /// Gathers the columns of `candidates` (prior indices) from a prepared scene, whose
        /// predicted boxes are finite.
        init(_ scene: Scene, candidates: UnsafeBufferPointer<Int32>, centres: PriorCentres,
             boxes convention: BoxConvention, workspace: Workspace) {
            let m = candidates.count
            func column() -> UnsafeMutableBufferPointer<Float> { workspace.uninitialisedBuffer(m, of: Float.self) }
            let x = column(), y = column(), rx = column(), ry = column(), stride = column()
            let x1 = column(), y1 = column(), x2 = column(), y2 = column(), area = column()
            for k in 0..<m {
                let p = Int(candidates[k])
                x[k] = centres.x[p]; y[k] = centres.y[p]; rx[k] = centres.rx[p]; ry[k] = centres.ry[p]
                stride[k] = centres.stride[p]
            }
            let b = scene.predBoxes
            for k in 0..<m {
                let p = Int(candidates[k])
                let a1 = b[4 * p], b1 = b[4 * p + 1], a2 = b[4 * p + 2], b2 = b[4 * p + 3]
                switch convention {
                case .centreSize:
                    let cx = (a1 + a2) / 2, cy = (b1 + b2) / 2, w = a2 - a1, h = b2 - b1
                    x1[k] = cx - w / 2; y1[k] = cy - h / 2; x2[k] = cx + w / 2; y2[k] = cy + h / 2
                    area[k] = w * h
                case .corners:
                    x1[k] = a1; y1[k] = b1; x2[k] = a2; y2[k] = b2
                    area[k] = (a2 - a1) * (b2 - b1)
                }
            }
            columns = lak_candidates(x: x.baseAddress, y: y.baseAddress, rx: rx.baseAddress, ry: ry.baseAddress,
                                     stride: stride.baseAddress, x1: x1.baseAddress, y1: y1.baseAddress,
                                     x2: x2.baseAddress, y2: y2.baseAddress, area: area.baseAddress)
        }
    }

    /// The distinct classes among the objects ("slots") and each object's slot.
    struct LabelSlots {
        var classes: [Int32] = []
        var slotOfObject: [Int] = []
        var count: Int { classes.count }

        init(_ labels: [Int32], classes numClasses: Int) {
            var slotOfClass = [Int](repeating: -1, count: numClasses)
            for l in labels {
                if slotOfClass[Int(l)] < 0 { slotOfClass[Int(l)] = classes.count; classes.append(l) }
                slotOfObject.append(slotOfClass[Int(l)])
            }
        }
    }
}

extension Workspace {
    /// A float table of `count` entries left uninitialised, for a kernel that writes all of them.
    func kernelTable(_ count: Int) -> UnsafeMutablePointer<Float> {
        uninitialisedBuffer(count, of: Float.self).baseAddress!
    }
}
