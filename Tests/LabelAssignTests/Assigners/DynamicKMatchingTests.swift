import LabelAssign
import Testing

/// The shared dynamic-k selection on hand-built matrices.
@Suite struct DynamicKMatchingTests {
    /// Object 0: IoUs 0.9 + 0.8 + 0.5 → k = 2, picks candidates 0 and 1 (cheapest).
    /// Object 1: IoUs 0.6 + 0.3 → k = 1, picks candidate 1. Candidate 1 is contested: its
    /// column minimum over all objects is object 1 (cost 0.5 < 2). Object 2 (k = 1) picks
    /// candidate 3, and wins it alone.
    @Test func kSelectionAndConflicts() throws {
        let cost: [Float] = [1, 2, 5, 9,
                             7, 0.5, 8, 9,
                             9, 9, 9, 0]
        let iou: [Float] = [0.9, 0.8, 0.5, 0,
                            0, 0.6, 0.3, 0,
                            0, 0, 0, 0]
        let r = try DynamicKMatching.match(cost: cost, iou: iou, objects: 3, candidates: 4, candidateTopK: 10)
        #expect(r.dynamicK == [2, 1, 1])
        #expect(r.matchedObject == [0, 1, -1, 2])
    }

    /// A contested candidate can go to an object that did not pick it.
    @Test func conflictGoesToTheColumnMinimumOverAllObjects() throws {
        let cost: [Float] = [1, 5,
                             1, 6,
                             0.5, 0.1]
        let iou = [Float](repeating: 0, count: 6)
        // k = 1 each: objects 0 and 1 pick candidate 0; object 2 picks candidate 1.
        let r = try DynamicKMatching.match(cost: cost, iou: iou, objects: 3, candidates: 2, candidateTopK: 10)
        #expect(r.matchedObject == [2, 2])
    }

    @Test func candidateTopKLimitsTheIoUSum() throws {
        let iou: [Float] = [0.9, 0.9, 0.9, 0.9]
        let cost: [Float] = [1, 2, 3, 4]
        #expect(try DynamicKMatching.match(cost: cost, iou: iou, objects: 1, candidates: 4, candidateTopK: 10).dynamicK == [3])
        #expect(try DynamicKMatching.match(cost: cost, iou: iou, objects: 1, candidates: 4, candidateTopK: 2).dynamicK == [1])
    }

    /// Equal costs: torch.topk (2.15, CPU) returns {20, 30} for this row with k = 2 (heap path,
    /// 64·k <= 128) and {5, 6, 8} for the short row with k = 3 (introselect path); the
    /// lower-index rule gives {10, 30} and {1, 3, 6}.
    @Test func tiesFollowTorchTopKOrLowerIndex() throws {
        var row = [Float](repeating: 9, count: 128)
        row[10] = 4; row[20] = 4; row[30] = 2
        var iou = [Float](repeating: 0, count: 128)
        iou[0] = 1; iou[1] = 1 // k = 2
        let torch = try DynamicKMatching.match(cost: row, iou: iou, objects: 1, candidates: 128, candidateTopK: 10)
        #expect(torch.matchedObject.indices.filter { torch.matchedObject[$0] == 0 } == [20, 30])
        let lower = try DynamicKMatching.match(cost: row, iou: iou, objects: 1, candidates: 128, candidateTopK: 10, ties: .lowerIndex)
        #expect(lower.matchedObject.indices.filter { lower.matchedObject[$0] == 0 } == [10, 30])

        let short: [Float] = [3, 1, 2, 1, 5, 1, 0.5, 7, 1, 1]
        let shortIoU: [Float] = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] // k = 3
        let t = try DynamicKMatching.match(cost: short, iou: shortIoU, objects: 1, candidates: 10, candidateTopK: 10)
        #expect(t.matchedObject.indices.filter { t.matchedObject[$0] == 0 } == [5, 6, 8])
        let l = try DynamicKMatching.match(cost: short, iou: shortIoU, objects: 1, candidates: 10, candidateTopK: 10, ties: .lowerIndex)
        #expect(l.matchedObject.indices.filter { l.matchedObject[$0] == 0 } == [1, 3, 6])
    }

    @Test func badMatricesAreRejected() {
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1, 2], iou: [0], objects: 1, candidates: 2, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [.nan], iou: [0], objects: 1, candidates: 1, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1], iou: [-1], objects: 1, candidates: 1, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1], iou: [0], objects: 1, candidates: 1, candidateTopK: 0) }
    }

    @Test func emptyMatricesMatchNothing() throws {
        #expect(try DynamicKMatching.match(cost: [], iou: [], objects: 0, candidates: 3, candidateTopK: 10).matchedObject == [-1, -1, -1])
        #expect(try DynamicKMatching.match(cost: [], iou: [], objects: 2, candidates: 0, candidateTopK: 10).matchedObject == [])
    }
}
