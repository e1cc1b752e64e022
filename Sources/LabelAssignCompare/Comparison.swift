import LabelAssign
import LabelAssignIO
import Dispatch
import Synchronization

/// Compares assigners on the same scenes: time, positives per object and per FPN level, objects left
/// without a positive, IoU of the positives, agreement between assigners, and the quality of the
/// positives against the predictions (`AssignmentDiagnostics`: score–IoU correlation, misranked
/// objects, missed high-quality priors, quality focal loss with the class target IoU vs 1).
///
/// Images run in parallel (`threads`); every assigner sees image `i` on the same worker, one after the
/// other. All statistics are reduced in image order, so they do not depend on the thread count (only the
/// timings do).
public enum Comparison {
    /// An assigner under the name it is reported by (a preset name, or any label).
    public struct Entry: Sendable {
        public var name: String
        public var assigner: any Assigner

        public init(_ name: String, _ assigner: any Assigner) {
            self.name = name
            self.assigner = assigner
        }

        /// The registry preset's assigner under its name.
        public init(preset: AssignerPreset) {
            self.init(preset.name, preset.make())
        }
    }

    /// Options of a comparison run.
    public struct Options: Sendable {
        /// Worker threads (images in parallel).
        public var threads: Int = 1
        /// Image whose assignments are kept for drawing; `nil` picks the first of the first 16 images
        /// with at least 3 objects (else image 0).
        public var exampleIndex: Int? = nil
        /// Called after each finished image with (finished, total), from worker threads.
        public var progress: (@Sendable (Int, Int) -> Void)? = nil
        /// Measure the quality of the positives (`AssignmentDiagnostics`) on every image.
        public var diagnostics: Bool = true
        /// IoU convention and QFL β of those measures.
        public var diagnosticsConfiguration = AssignmentDiagnostics.Configuration()
        /// Measure every plan on OTA's transport problem (`TransportComparison`); nil: not measured.
        public var transport: TransportComparison.Request? = nil

        public init(threads: Int = 1, exampleIndex: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
                    diagnostics: Bool = true, diagnosticsConfiguration: AssignmentDiagnostics.Configuration = .init(),
                    transport: TransportComparison.Request? = nil) {
            self.threads = threads
            self.exampleIndex = exampleIndex
            self.progress = progress
            self.diagnostics = diagnostics
            self.diagnosticsConfiguration = diagnosticsConfiguration
            self.transport = transport
        }
    }

    /// Number of IoU histogram bins over `[0, 1]`.
    public static let iouBins = 20

    /// Runs every assigner on every scene of `source`. A source without images, or with more
    /// than `ResourceLimits.maxImages`, is an error (before any work).
    public static func run(source: some SceneSource, assigners: [Entry], options: Options = Options()) throws -> ComparisonSummary {
        guard options.threads >= 1 else { throw LabelAssignError.invalidParameter(name: "threads", reason: "must be at least 1, got \(options.threads)") }
        let names = assigners.map(\.name)
        if let dup = names.enumerated().first(where: { names.firstIndex(of: $0.element) != $0.offset }) {
            throw LabelAssignError.invalidParameter(name: "assigners", reason: "'\(dup.element)' appears twice")
        }
        let count = source.count
        try ResourceLimits.checkImages("comparison of \(source.label)", count: count)
        guard count > 0 else { throw LabelAssignError.invalidParameter(name: "images", reason: "\(source.label) has no images to compare") }
        if let e = options.exampleIndex, e < 0 || e >= max(count, 1) {
            throw LabelAssignError.invalidParameter(name: "example", reason: "image \(e) outside 0..<\(count)")
        }
        let done = Mutex(0)
        let start = DispatchTime.now().uptimeNanoseconds
        let outcomes: [Result<ImageOutcome, LabelAssignError>] = try BLASThreads.single {
            try Parallel.map(count: count, threads: options.threads) { i in
                let r: Result<ImageOutcome, LabelAssignError>
                do {
                    let scene = try source.scene(at: i)
                    let keep = options.exampleIndex.map { $0 == i } ?? (i < 16 && (scene.gtCount >= 3 || i == 0))
                    r = .success(measure(scene, index: i, assigners: assigners, keepExample: keep,
                                         diagnostics: options.diagnostics ? options.diagnosticsConfiguration : nil,
                                         transport: options.transport))
                } catch let e as LabelAssignError {
                    r = .failure(.io("image \(i): \(e)"))
                } catch {
                    r = .failure(.io("image \(i): \(error)"))
                }
                if let p = options.progress {
                    let n = done.withLock { n -> Int in n += 1; return n }
                    p(n, count)
                }
                return r
            }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var images: [ImageOutcome] = []
        images.reserveCapacity(count)
        for o in outcomes {
            switch o {
            case let .success(v): images.append(v)
            case let .failure(e): throw e
            }
        }
        return ComparisonSummary(source: source.label, names: names, images: images, threads: options.threads,
                                wallSeconds: wall, preferredExample: options.exampleIndex, diagnostics: options.diagnostics,
                                transport: options.transport,
                                readAsPlans: assigners.filter { $0.assigner is SimOTAAssigner }.map(\.name))
    }

    /// What one image gave, per assigner.
    struct ImageOutcome: Sendable {
        var index: Int
        var objects: Int
        var objectAreas: [Float]
        var strides: [Float]
        var perAssigner: [PerImage]
        /// Jaccard of positive (prior, object) sets, `[a][b]` for `a < b`; `nil` when undefined.
        var jaccard: [[Double?]]
        var example: ExampleAssignment?
        /// Every plan on OTA's transport problem, when requested.
        var transport: Result<TransportComparison.Image, LabelAssignError>?
    }

    struct PerImage: Sendable {
        var ms: Double = 0
        var error: String? = nil
        var positives = 0
        var perObject: [Int] = []
        var levelCounts: [Int] = []
        var iouSum: Double = 0
        var iouHistogram: [Int] = []
        /// Quality of the positives; `nil` when not measured or when measuring failed (`diagnosticsError`).
        var diagnostics: AssignmentDiagnostics? = nil
        var diagnosticsError: String? = nil
    }

    /// Checks an assignment's shape and values.
    static func check(_ a: Assignment, _ scene: Scene) -> String? {
        guard a.assignedGT.count == scene.priorCount else {
            return "assigned_gt has \(a.assignedGT.count) values for \(scene.priorCount) priors"
        }
        let g = Int32(scene.gtCount)
        if let i = a.assignedGT.firstIndex(where: { $0 < -2 || $0 >= g }) {
            return "assigned_gt[\(i)] = \(a.assignedGT[i]) outside [-2, \(g))"
        }
        return nil
    }

    static func measure(_ scene: Scene, index: Int, assigners: [Entry], keepExample: Bool,
                        diagnostics: AssignmentDiagnostics.Configuration? = nil,
                        transport: TransportComparison.Request? = nil) -> ImageOutcome {
        let levels = scene.priorLevels
        let levelCount = scene.strides.count
        let g = scene.gtCount
        var per: [PerImage] = []
        var kept: [[Int32]?] = []
        // Validated once, outside the assigners' timings.
        let prepared = Result { try PreparedScene(scene) }
        for entry in assigners {
            var p = PerImage()
            let t0 = DispatchTime.now().uptimeNanoseconds
            let result: Assignment?
            do {
                result = try entry.assigner.assign(prepared.get())
            } catch {
                result = nil
                p.error = "\(error)"
            }
            p.ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            if let a = result, p.error == nil, let bad = check(a, scene) { p.error = bad }
            guard let a = result, p.error == nil else { per.append(p); kept.append(nil); continue }
            p.perObject = [Int](repeating: 0, count: g)
            p.levelCounts = [Int](repeating: 0, count: levelCount)
            p.iouHistogram = [Int](repeating: 0, count: Comparison.iouBins)
            var pi: [Int32] = [], gi: [Int32] = []
            a.assignedGT.withUnsafeBufferPointer { ag in
                for i in 0..<ag.count where ag[i] >= 0 {
                    pi.append(Int32(i)); gi.append(ag[i])
                    p.perObject[Int(ag[i])] += 1
                    p.levelCounts[Int(levels[i])] += 1
                }
            }
            p.positives = pi.count
            let ious = scene.predBoxes.withUnsafeBufferPointer { pb in
                scene.gtBoxes.withUnsafeBufferPointer { gb in
                    // mmdet's convention floors the union, so degenerate pairs give 0, not 0/0.
                    gatheredOverlap(pb, pi, gb, gi, kind: .iou, convention: .mmdet)
                }
            }
            for v in ious {
                p.iouSum += Double(v)
                p.iouHistogram[min(Comparison.iouBins - 1, max(0, Int(v * Float(Comparison.iouBins))))] += 1
            }
            per.append(p)
            kept.append(a.assignedGT)
        }
        let k = assigners.count
        if let configuration = diagnostics, kept.contains(where: { $0 != nil }) {
            // The scene-wide terms once, then each assignment (outside the assigners' timings).
            do {
                let prepared = try SceneDiagnostics(scene: scene, configuration: configuration)
                for a in 0..<k {
                    guard let ag = kept[a] else { continue }
                    do {
                        per[a].diagnostics = try prepared.measure(Assignment(assignedGT: ag))
                    } catch {
                        per[a].diagnosticsError = "\(error)"
                    }
                }
            } catch {
                for a in 0..<k where kept[a] != nil { per[a].diagnosticsError = "\(error)" }
            }
        }
        var jac = [[Double?]](repeating: [Double?](repeating: nil, count: k), count: k)
        for a in 0..<k {
            guard let ga = kept[a] else { continue }
            for b in (a + 1)..<max(k, a + 1) {
                guard let gb = kept[b] else { continue }
                var inter = 0
                ga.withUnsafeBufferPointer { x in
                    gb.withUnsafeBufferPointer { y in
                        for i in 0..<x.count where x[i] >= 0 && x[i] == y[i] { inter += 1 }
                    }
                }
                let union = per[a].positives + per[b].positives - inter
                jac[a][b] = union > 0 ? Double(inter) / Double(union) : nil
            }
        }
        var areas = [Float](repeating: 0, count: g)
        for j in 0..<g {
            areas[j] = (scene.gtBoxes[4 * j + 2] - scene.gtBoxes[4 * j]) * (scene.gtBoxes[4 * j + 3] - scene.gtBoxes[4 * j + 1])
        }
        var example: ExampleAssignment?
        if keepExample {
            example = ExampleAssignment(index: index, scene: scene, assignedGT: kept)
        }
        return ImageOutcome(index: index, objects: g, objectAreas: areas, strides: scene.strides, perAssigner: per,
                            jaccard: jac, example: example,
                            transport: transport.map { TransportComparison.measure(scene, $0, assigners: assigners, assignments: kept) })
    }
}

/// The outcome of `Comparison.run`.
public struct ComparisonSummary: Sendable {
    /// Where the scenes came from.
    public var source: String
    public var assigners: [String]
    public var images: Int
    public var objects: Int
    /// Objects by COCO area class: small (< 32²), medium (< 96²), large.
    public var objectSizes: (small: Int, medium: Int, large: Int)
    /// FPN strides of the scenes (from the first scene; `levelLabels` says "L0, L1, ..." when they differ).
    public var strides: [Float]
    public var levelLabels: [String]
    public var statistics: [AssignerStatistics]
    public var timings: [AssignerTiming]
    /// Agreement matrix, `[a][b]`, symmetric, diagonal 1.
    public var agreement: [[Double?]]
    /// Every pair `a < b` in comparison order.
    public var pairs: [Agreement]
    /// The image kept for drawing.
    public var example: ExampleAssignment?
    public var threads: Int
    public var wallSeconds: Double
    /// Whether the quality of the positives was measured (`Comparison.Options.diagnostics`).
    public var diagnostics: Bool
    /// Whether some measured scene had objectness logits (the score is then σ(cls)·σ(obj)).
    public var scoreIncludesObjectness: Bool
    /// Every plan on OTA's transport problem (`Comparison.Options.transport`); nil when not measured.
    public var transport: TransportSummary?

    /// Images per second over the whole batch (all assigners).
    public var throughput: Double { wallSeconds > 0 ? Double(images) / wallSeconds : 0 }

    /// OTA against SimOTA, when both are present: the `ota` / `simota` pair, or, without `simota`, the
    /// pairs of `ota` with the other SimOTA presets (`simota-*`).
    public var otaVersusSimOTA: [Agreement] {
        func isPair(_ p: Agreement, _ exact: Bool) -> Bool {
            let match: (String) -> Bool = { exact ? $0 == "simota" : $0.hasPrefix("simota") }
            return (p.a == "ota" && match(p.b)) || (p.b == "ota" && match(p.a))
        }
        let exact = pairs.filter { isPair($0, true) }
        return exact.isEmpty ? pairs.filter { isPair($0, false) } : exact
    }

    /// Mean agreement of assigner `i` with every other assigner (over the defined pairs).
    public func meanAgreement(_ i: Int) -> Double? {
        let v = (0..<assigners.count).filter { $0 != i }.compactMap { agreement[i][$0] }
        return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
    }

    init(source: String, names: [String], images outcomes: [Comparison.ImageOutcome], threads: Int,
         wallSeconds: Double, preferredExample: Int?, diagnostics: Bool, transport request: TransportComparison.Request? = nil, readAsPlans: [String] = []) {
        self.source = source
        self.diagnostics = diagnostics
        scoreIncludesObjectness = outcomes.contains { $0.perAssigner.contains { $0.diagnostics?.scoreIncludesObjectness == true } }
        assigners = names
        images = outcomes.count
        self.threads = threads
        self.wallSeconds = wallSeconds
        objects = outcomes.reduce(0) { $0 + $1.objects }
        var sizes = (small: 0, medium: 0, large: 0)
        for o in outcomes {
            for a in o.objectAreas {
                if a < 32 * 32 { sizes.small += 1 } else if a < 96 * 96 { sizes.medium += 1 } else { sizes.large += 1 }
            }
        }
        objectSizes = sizes
        let firstStrides = outcomes.first?.strides ?? []
        strides = firstStrides
        let levels = outcomes.map(\.strides.count).max() ?? 0
        if outcomes.allSatisfy({ $0.strides == firstStrides }) {
            levelLabels = firstStrides.enumerated().map { l, s in
                // "P3/8" for a whole stride, "L0/5.5" for a fractional one.
                guard s == s.rounded(), let w = Int(exactly: s), w > 0 else { return "L\(l)/\(s)" }
                return "P\(Int.bitWidth - 1 - w.leadingZeroBitCount)/\(w)"
            }
        } else {
            levelLabels = (0..<levels).map { "L\($0)" }
        }
        let k = names.count
        var stats: [AssignerStatistics] = []
        var times: [AssignerTiming] = []
        for a in 0..<k {
            var s = AssignerStatistics(assigner: names[a], images: 0, failedImages: 0, firstError: nil, objects: 0,
                                       positives: 0, positivesPerObjectMean: nil, positivesPerObjectMin: nil,
                                       objectsWithoutPositive: 0, levelCounts: [Int](repeating: 0, count: levels),
                                       meanIoU: nil, iouHistogram: [Int](repeating: 0, count: Comparison.iouBins),
                                       quality: PositiveQuality([]))
            var iouSum = 0.0
            var measured: [AssignmentDiagnostics] = []
            var qualityFailures = 0
            var qualityError: String?
            var ms: [Double] = []
            for o in outcomes {
                let p = o.perAssigner[a]
                ms.append(p.ms)
                if let e = p.error {
                    s.failedImages += 1
                    if s.firstError == nil { s.firstError = "image \(o.index): \(e)" }
                    continue
                }
                s.images += 1
                s.objects += o.objects
                s.positives += p.positives
                for c in p.perObject {
                    s.positivesPerObjectMin = min(s.positivesPerObjectMin ?? c, c)
                    if c == 0 { s.objectsWithoutPositive += 1 }
                }
                for (l, c) in p.levelCounts.enumerated() { s.levelCounts[l] += c }
                for (b, c) in p.iouHistogram.enumerated() { s.iouHistogram[b] += c }
                iouSum += p.iouSum
                if let d = p.diagnostics { measured.append(d) }
                if let e = p.diagnosticsError {
                    qualityFailures += 1
                    if qualityError == nil { qualityError = "image \(o.index): \(e)" }
                }
            }
            s.quality = PositiveQuality(measured)
            s.quality.failedImages = qualityFailures
            s.quality.firstError = qualityError
            if s.objects > 0 { s.positivesPerObjectMean = Double(s.positives) / Double(s.objects) }
            if s.positives > 0 { s.meanIoU = iouSum / Double(s.positives) }
            stats.append(s)
            let sorted = ms.sorted()
            let median = sorted.isEmpty ? 0 : (sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
            times.append(AssignerTiming(assigner: names[a], meanMs: ms.isEmpty ? 0 : ms.reduce(0, +) / Double(ms.count),
                                        medianMs: median, maxMs: sorted.last ?? 0))
        }
        statistics = stats
        timings = times
        var matrix = [[Double?]](repeating: [Double?](repeating: nil, count: k), count: k)
        var pairs: [Agreement] = []
        for a in 0..<k {
            matrix[a][a] = 1
            for b in (a + 1)..<max(k, a + 1) {
                var sum = 0.0, n = 0
                for o in outcomes { if let j = o.jaccard[a][b] { sum += j; n += 1 } }
                let mean: Double? = n > 0 ? sum / Double(n) : nil
                matrix[a][b] = mean; matrix[b][a] = mean
                pairs.append(Agreement(a: names[a], b: names[b], jaccard: mean, images: n))
            }
        }
        agreement = matrix
        self.pairs = pairs
        transport = request.map { r in
            TransportSummary(r, assigners: readAsPlans, images: outcomes.compactMap { o in o.transport.map { (o.index, $0) } })
        }
        let kept = outcomes.compactMap(\.example)
        if let p = preferredExample { example = kept.first { $0.index == p } } else {
            example = kept.first { $0.gtBoxes.count >= 4 * 6 } ?? kept.max { $0.gtBoxes.count < $1.gtBoxes.count }
        }
    }
}
