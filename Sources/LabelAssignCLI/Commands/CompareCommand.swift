import ArgumentParser
import Dispatch
import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where the scenes of `compare` and `bench` come from.
struct SceneSourceOptions: ParsableArguments {
    @Argument(help: "Scene file, JSON-lines file, directory or - for standard input (instead of --workload, --coco or --yolo-labels).")
    var scenes: String?

    @Option(name: .long, help: "Built-in workload: coco, crowd, dense, aerial (1280 px, VisDrone-like) or stress (1280 px, 1,000-5,000 objects).")
    var workload: String?

    @Option(name: .long, parsing: .unconditional,
            help: "Number of images (workloads; at most this many from --coco / --yolo-labels; at most $LABELASSIGN_MAX_IMAGES, default 100000).")
    var images: Int?

    @Option(name: .long, parsing: .unconditional, help: "Seed of the workload and of the simulated predictions.")
    var seed: UInt64 = 0

    @Option(name: .long, parsing: .unconditional, help: "Prediction quality in [0, 1] (workloads, --coco, --yolo-labels).")
    var quality: Double = 0.7

    @Option(name: .long, help: "COCO instances JSON (bbox xywh; iscrowd becomes an ignore region).")
    var coco: String?

    @Option(name: .customLong("yolo-labels"), help: "Directory of YOLO label files (class cx cy w h, normalised).")
    var yoloLabels: String?

    @Option(name: .customLong("image-size"), parsing: .unconditional, help: "W,H of the images behind --yolo-labels (each in [1, 16777216]).")
    var imageSize: String?

    @Option(name: .customLong("num-classes"), parsing: .unconditional, help: "Class count for --yolo-labels (default: largest id + 1).")
    var numClasses: Int?

    @Flag(name: .customLong("keep-size"), help: "Keep dataset images at their size instead of letterboxing them to 640x640.")
    var keepSize = false

    func validate() throws {
        let chosen = [scenes != nil, workload != nil, coco != nil, yoloLabels != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("give one of SCENES, --workload, --coco, --yolo-labels") }
        if let n = images, n < 1 { throw ValidationError("--images must be at least 1, got \(n)") }
        guard quality.isFinite, quality >= 0, quality <= 1 else { throw ValidationError("--quality must lie in [0, 1], got \(quality)") }
        if let n = numClasses, n < 1 { throw ValidationError("--num-classes must be at least 1, got \(n)") }
        if yoloLabels != nil && imageSize == nil { throw ValidationError("--yolo-labels needs --image-size W,H") }
        if let size = imageSize { _ = try Self.parseImageSize(size) }
        if let w = workload, Workload(rawValue: w) == nil {
            throw ValidationError("unknown --workload \(w); known: \(Workload.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// `W,H`, each a whole number in `[1, Scene.Limits.maxImageSide]`.
    static func parseImageSize(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { throw ValidationError("--image-size must be W,H (e.g. 640,480), got '\(text)'") }
        let side = Scene.Limits.maxImageSide
        var out: [Int] = []
        for (name, p) in zip(["width", "height"], parts) {
            guard let v = Int(p) else {
                let digits = !p.isEmpty && p.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber)
                throw ValidationError("--image-size \(name) '\(p)' is \(digits ? "out of range" : "not a whole number"); each side must lie in [1, \(side)]")
            }
            guard v >= 1, v <= side else { throw ValidationError("--image-size \(name) \(v) is outside [1, \(side)]") }
            out.append(v)
        }
        return (out[0], out[1])
    }

    /// The chosen source; `defaultWorkload` when none is given.
    func source(defaultWorkload: Workload?, defaultImages: Int) throws -> any SceneSource {
        let fit: ImageFit = keepSize ? .keep : .standard
        if let path = scenes {
            let list = try SceneListSource(path: path)
            guard let n = images, n < list.count else { return list }
            return SceneListSource(Array(list.scenes.prefix(n)), label: list.label)
        }
        if let path = coco {
            return try DatasetSources.coco(path: path, fit: fit, maxImages: images, quality: quality, seed: seed)
        }
        if let dir = yoloLabels {
            let (w, h) = try Self.parseImageSize(imageSize ?? "")
            return try DatasetSources.yolo(directory: dir, width: w, height: h, numClasses: numClasses, fit: fit,
                                           maxImages: images, quality: quality, seed: seed)
        }
        guard let w = workload.flatMap(Workload.init(rawValue:)) ?? defaultWorkload else {
            throw ValidationError("give a scene path, --workload NAME, --coco FILE or --yolo-labels DIR")
        }
        return try WorkloadSource(w, images: images ?? defaultImages, seed: seed, quality: quality)
    }
}

/// Parses `a,b(option=value,...),c` into assigners from the registry (all presets when `nil`),
/// each named by its spelling. A list that names no preset (`''`, `,`) is an error.
func registryAssigners(_ list: String?) throws -> [Comparison.Entry] {
    guard let list else { return AssignerRegistry.presets.map { Comparison.Entry(preset: $0) } }
    return try assignerNames(list).map { try Comparison.Entry($0, AssignerRegistry.make(spec: $0)) }
}

/// The entries of a comma-separated list (commas inside parentheses and brackets belong to the
/// entry); a list that names none is a usage error.
func assignerNames(_ list: String) throws -> [String] {
    let names = try AssignerOptionsJSON.splitTopLevel(list)
    guard !names.isEmpty else {
        throw ValidationError("--assigners names no preset; give a comma-separated list of: \(AssignerRegistry.names.joined(separator: ", ")), each optionally with options as name(option=value,...)")
    }
    return names
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the run has taken
/// more than half a second.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private let state = Mutex((drawn: false, last: UInt64(0)))

    init() {
        enabled = isatty(2) != 0
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start > 500_000_000 else { return }
        let draw = state.withLock { s -> Bool in
            if done < total && now - s.last < 100_000_000 { return false }
            s.last = now; s.drawn = true
            return true
        }
        guard draw else { return }
        let width = 30
        let filled = width * done / total
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total) images"
        FileHandleStderr.write(line)
    }

    func finish() {
        if enabled && state.withLock({ $0.drawn }) { FileHandleStderr.write("\r\u{1B}[K") }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare assigners on the same scenes: time, positives per object and level, IoU, agreement, quality of the positives.",
        discussion: """
        Scenes come from a built-in workload (--workload coco|crowd|dense|aerial|stress, default coco with 64 images),
        scene files, COCO annotations (--coco) or YOLO label files (--yolo-labels, --image-size). Dataset
        images are letterboxed to 640x640 (centred padding) unless --keep-size; predictions are simulated
        around their objects with --quality. Prints a table (or --json / --csv); --report DIR writes an
        HTML page with charts and one scene's assignments. A second table measures the quality of each
        assigner's positives against the predictions: score-IoU correlation, misranked objects, missed
        high-quality priors, and the quality focal loss with the class target IoU vs 1 (--no-quality skips it).
        """
    )

    @OptionGroup var sourceOptions: SceneSourceOptions

    @Option(name: .long, help: "Comma-separated assigner presets, each optionally with options: tal,tal(topk=13),atss(topk=5,ignore_iof_thr=0.5) (default: all presets).")
    var assigners: String?

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (images in parallel); default: the number of cores.")
    var threads: Int?

    @Option(name: .long, parsing: .unconditional, help: "Image whose assignments the report draws (default: a busy one of the first 16).")
    var example: Int?

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    @Flag(name: .long, help: "Print the result as CSV (one row per assigner).")
    var csv = false

    @Option(name: .long, help: "Write an HTML report (index.html, comparison.json, comparison.csv) into this directory (created, and checked writable, before the run).")
    var report: String?

    @Flag(name: .customLong("ota-sweep"), help: "Measure OTA's Sinkhorn at eps 0.05, 0.1, 0.2, 0.5 x 10, 50, 200 iterations against the exact plan (the transport table; shown by default when ota and ota-exact are both compared).")
    var otaSweep = false

    @Flag(name: .customLong("no-quality"), help: "Skip the quality of the positives (score-IoU correlation, misranking, missed priors, QFL with target IoU vs 1).")
    var noQuality = false

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        if let e = example, e < 0 { throw ValidationError("--example must be at least 0, got \(e)") }
        guard !(json && csv) else { throw ValidationError("give --json or --csv, not both") }
        if let list = assigners { _ = try assignerNames(list) }
    }

    func run() throws {
        // Everything that can fail without running is checked first.
        let made = try registryAssigners(assigners)
        if let dir = report { try ComparisonReport.prepare(directory: dir) }
        if let n = sourceOptions.images { try ResourceLimits.checkImages("compare --images", count: n) }
        let source = try sourceOptions.source(defaultWorkload: .coco, defaultImages: 64)
        if made.isEmpty {
            FileHandleStderr.write("labelassign: no assigner presets are registered; reporting the scenes only\n")
        }
        let bar = ProgressBar()
        let options = Comparison.Options(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                         exampleIndex: example, progress: { bar.update($0, $1) },
                                         diagnostics: !noQuality,
                                         transport: TransportComparison.request(for: made, sweep: otaSweep))
        let result = try Comparison.run(source: source, assigners: made, options: options)
        bar.finish()
        if json { print(result.json()) } else if csv { print(result.csv(), terminator: "") } else { print(result.table(), terminator: "") }
        if let dir = report {
            let page = try ComparisonReport.write(result, to: dir)
            let out = "report: \(page)\n"
            if json || csv { FileHandleStderr.write(out) } else { print(out, terminator: "") }
        }
    }
}
