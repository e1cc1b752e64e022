/// A scene checked once, with the per-scene structure every assigner needs: the prior range of
/// each level and the level grid. Assigners take prepared scenes, so none re-validates or
/// re-derives the levels.
public struct PreparedScene: Sendable {
    public let scene: Scene
    /// The contiguous prior index range of each level (one per stride, in order).
    public let levelRanges: [Range<Int>]
    /// The levels with their regular-grid structure, where present.
    package let grid: PriorLevelGrid

    /// Validates `scene` (`Scene.validate()`) and derives its levels.
    public init(_ scene: Scene) throws {
        try scene.validate()
        self.scene = scene
        self.levelRanges = scene.levelRanges
        self.grid = PriorLevelGrid(scene: scene, levelRanges: levelRanges)
    }

    /// The levels as the anchor boxes see them: `grid` for derived anchors (squares on the prior
    /// grid); for explicit `anchors`, the same levels scanned in full.
    package var anchorGrid: PriorLevelGrid {
        scene.hasAnchors ? PriorLevelGrid(scanning: levelRanges) : grid
    }

    /// Number of priors `N`.
    public var priorCount: Int { scene.priorCount }
    /// Number of ground-truth objects `G`.
    public var gtCount: Int { scene.gtCount }
}
