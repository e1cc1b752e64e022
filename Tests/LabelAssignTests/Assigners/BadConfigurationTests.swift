import LabelAssign
import LabelAssignTestSupport
import Testing

/// Every assigner validates its configuration: an out-of-range constant is a typed error, on a
/// scene the assigner otherwise takes.
@Suite struct BadConfigurationTests {
    /// One object on the hand scenes of each family.
    static let wide = SceneBuilder.wideBoxes().objects([10, 10, 40, 40], labels: [0]).scene
    static let far = SceneBuilder.farPredictions().objects([0, 0, 16, 16], labels: [0]).scene
    static let ota = OTAEdgeCaseTests.base.objects([8, 8, 40, 40], labels: [1]).scene

    typealias TAL = TaskAlignedAssigner.Configuration
    typealias SimOTA = SimOTAAssigner.Configuration
    typealias DSL = DynamicSoftLabelAssigner.Configuration

    static let cases: [(String, any Assigner, Scene)] = [
        ("atss topk 0", ATSSAssigner(changed(.atss) { $0.topk = 0 }), wide),
        ("atss anchorScale -1", ATSSAssigner(changed(.atss) { $0.anchorScale = -1 }), wide),
        ("maxiou neg 0.6 above pos", MaxIoUAssigner(changed(.maxiou) { $0.negIoUThreshold = 0.6 }), wide),
        ("maxiou pos NaN", MaxIoUAssigner(changed(.maxiou) { $0.posIoUThreshold = .nan }), wide),
        ("tal topk 0", TaskAlignedAssigner(changed(TAL.tal) { $0.topk = 0 }), wide),
        ("tal topk2 0", TaskAlignedAssigner(changed(TAL.tal) { $0.topk2 = 0 }), wide),
        ("tood beta 0", TaskAlignedAssigner(changed(TAL.tood) { $0.beta = 0 }), wide),
        ("tal alpha NaN", TaskAlignedAssigner(changed(TAL.tal) { $0.alpha = .nan }), wide),
        ("tal eps 0", TaskAlignedAssigner(changed(TAL.tal) { $0.normalizationEps = 0 }), wide),
        ("simota candidateTopK 0", SimOTAAssigner(changed(SimOTA.yolox) { $0.candidateTopK = 0 }), far),
        ("simota-mmdet iouEpsilon 0", SimOTAAssigner(changed(SimOTA.mmdet) { $0.iouEpsilon = 0 }), far),
        ("simota-latest centreRadius NaN", SimOTAAssigner(changed(SimOTA.yoloxLatest) { $0.centreRadius = .nan }), far),
        ("dsl candidateTopK 0", DynamicSoftLabelAssigner(DSL(candidateTopK: 0)), far),
        ("dsl iouWeight -1", DynamicSoftLabelAssigner(DSL(iouWeight: -1)), far),
        ("dsl iouEpsilon 0", DynamicSoftLabelAssigner(DSL(iouEpsilon: 0)), far),
        ("dsl softCentreRadius inf", DynamicSoftLabelAssigner(DSL(softCentreRadius: .infinity)), far),
        ("ota topCandidates 0", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.topCandidates = 0 }), ota),
        ("ota eps 0", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.eps = 0 }), ota),
        ("ota iterations -1", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.iterations = -1 }), ota),
        ("ota centerRadius NaN", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.centerRadius = .nan }), ota),
        ("ota focalAlpha 2", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.focalAlpha = 2 }), ota),
        ("ota penalty -1", OTAAssigner(changed(OTAAssigner.Configuration()) { $0.penalty = -1 }), ota),
    ]

    @Test func everyCaseIsRejected() {
        for (label, assigner, scene) in Self.cases {
            #expect(throws: LabelAssignError.self, "\(label)") { try assigner.assign(scene) }
        }
    }

    /// The scenes themselves are fine: the reference configurations take them.
    @Test func theScenesAreAccepted() throws {
        _ = try ATSSAssigner(.atss).assign(Self.wide)
        _ = try SimOTAAssigner(.yolox).assign(Self.far)
        _ = try OTAAssigner().assign(Self.ota)
    }
}
