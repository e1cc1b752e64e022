import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `iou.json`: pairwise torchvision IoU/GIoU/DIoU/CIoU and element-wise ultralytics variants.
@Suite struct OverlapConformanceTests {
    static func cases() throws -> [JSONValue] { try Fixtures.list("iou.json") }

    @Test func fixtureIsPresent() throws {
        #expect(try Self.cases().count >= 1, "iou.json under \(Fixtures.directory) holds no case")
    }

    /// Each kind against torchvision's pairwise matrix (`KIND`) and ultralytics' element-wise
    /// values (`aligned_KIND`), within 1e-4.
    @Test(arguments: [("iou", OverlapKind.iou), ("giou", .giou), ("diou", .diou), ("ciou", .ciou)])
    func matchesTorchvisionAndUltralytics(key: String, kind: OverlapKind) throws {
        for (c, item) in try Self.cases().enumerated() {
            let a = try #require(item["boxes1"]?.matrix).values.map(Float.init)
            let b = try #require(item["boxes2"]?.matrix).values.map(Float.init)
            let pairwise = try #require(item["expected"]?[key]?.matrix).values
            let aligned = try #require(item["expected"]?["aligned_" + key]?.doubles)
            for (name, got, want) in [(key, try pairwiseOverlap(a, b, kind: kind, convention: .torchvision), pairwise),
                                      ("aligned_" + key, try alignedOverlap(a, b, kind: kind, convention: .ultralytics), aligned)] {
                let failures = FixtureCheck.values(got.map(Double.init), want, .absolute(1e-4), label: "case \(c) \(name)")
                #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            }
        }
    }
}

/// Hand-worked overlaps for the conventions the fixtures do not cover.
@Suite struct OverlapConventionTests {
    let unit: [Float] = [0, 0, 10, 10]
    let shifted: [Float] = [5, 0, 15, 10]   // intersection 50, union 150
    let touching: [Float] = [10, 0, 20, 10]
    let zeroArea: [Float] = [5, 5, 5, 5]

    @Test func iouOfHalfOverlap() throws {
        for conv in [OverlapConvention.torchvision, .mmdet, .yolox] {
            let v = try pairwiseOverlap(unit, shifted, kind: .iou, convention: conv)
            #expect(abs(v[0] - 1.0 / 3.0) < 1e-6, "\(conv)")
        }
        let u = try pairwiseOverlap(unit, shifted, kind: .iou, convention: .ultralytics)
        #expect(abs(u[0] - 1.0 / 3.0) < 1e-6)
    }

    @Test func giouOfTouchingBoxesIsZero() throws {
        // enclosing 200 = union 200: GIoU 0.
        let v = try pairwiseOverlap(unit, touching, kind: .giou, convention: .mmdet)
        #expect(abs(v[0]) < 1e-6)
    }

    @Test func iofIsOverFirstArea() throws {
        let v = try pairwiseOverlap(shifted, unit + [0, 0, 20, 20], kind: .iof, convention: .mmdet)
        #expect(abs(v[0] - 0.5) < 1e-6)   // 50 of box area 100
        #expect(abs(v[1] - 1.0) < 1e-6)
    }

    @Test func zeroAreaBoxesFollowEachConvention() throws {
        // mmdet floors the union at 1e-6: 0, not NaN.
        #expect(try pairwiseOverlap(zeroArea, zeroArea, kind: .iou, convention: .mmdet)[0] == 0)
        // YOLOX has no eps: two zero-area boxes give 0/0 = NaN, as the reference does.
        #expect(try pairwiseOverlap(zeroArea, zeroArea, kind: .iou, convention: .yolox)[0].isNaN)
        // ultralytics adds eps to the union.
        #expect(try alignedOverlap(zeroArea, zeroArea, kind: .iou, convention: .ultralytics)[0] == 0)
    }

    @Test func yoloxStrictOverlapTest() throws {
        // Touching boxes: tl == br in x, so the overlap flag is 0.
        #expect(try pairwiseOverlap(unit, touching, kind: .iou, convention: .yolox)[0] == 0)
    }

    @Test func unsupportedKindIsATypedError() {
        #expect(throws: LabelAssignError.self) { try pairwiseOverlap(unit, unit, kind: .ciou, convention: .mmdet) }
        #expect(throws: LabelAssignError.self) { try pairwiseOverlap([0, 0, 1], unit) }
        #expect(throws: LabelAssignError.self) { try alignedOverlap(unit, unit + unit) }
    }

    @Test func emptyInputsGiveEmptyMatrices() throws {
        #expect(try pairwiseOverlap([], unit).isEmpty)
        #expect(try pairwiseOverlap(unit, []).isEmpty)
    }

    @Test func gatheredMatchesPairwise() throws {
        let a = unit + shifted + touching
        let b = shifted + unit
        let full = try pairwiseOverlap(a, b, kind: .ciou, convention: .ultralytics)
        let i1: [Int32] = [2, 0, 1], i2: [Int32] = [1, 0, 1]
        let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            gatheredOverlap(pa, i1, pb, i2, kind: .ciou, convention: .ultralytics)
        } }
        for k in 0..<3 { #expect(got[k] == full[Int(i1[k]) * 2 + Int(i2[k])]) }
    }
}
