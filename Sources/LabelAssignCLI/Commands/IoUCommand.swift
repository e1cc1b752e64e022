import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct IoUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iou",
        abstract: "Pairwise overlap matrix of two box files (JSON arrays of [x1, y1, x2, y2]).",
        discussion: "Prints a JSON array of rows: row i holds the overlaps of box i of BOXES1 with every box of BOXES2. Boxes must be finite, within ±16777216 (2^24), with x1 <= x2 and y1 <= y2; the matrix must fit $LABELASSIGN_MAX_BUFFER_BYTES (default 1 GiB). " + nanNote
    )

    @Argument(help: "JSON file with an array of boxes.") var boxes1: String
    @Argument(help: "JSON file with an array of boxes.") var boxes2: String
    @Option(help: "iou, giou, diou, ciou or iof.") var kind: String = "iou"
    @Option(help: "torchvision, mmdet, yolox, ultralytics (8.4) or yolov5 (7.0).") var convention: String = "torchvision"

    func run() throws {
        guard let k = OverlapKind(name: kind) else {
            throw ValidationError("unknown --kind \(kind); known: \(OverlapKind.allCases.map(\.name).joined(separator: ", "))")
        }
        guard let c = OverlapConvention(name: convention) else {
            throw ValidationError("unknown --convention \(convention); known: \(OverlapConvention.allCases.map(\.name).joined(separator: ", "))")
        }
        let a = try Self.readBoxFile(boxes1), b = try Self.readBoxFile(boxes2)
        try Self.checkMatrix(a.count / 4, b.count / 4)
        let m = try pairwiseOverlap(a, b, kind: k, convention: c)
        let n1 = a.count / 4, n2 = b.count / 4
        // One row at a time: the text of the whole matrix is never held.
        print("[", terminator: "")
        for i in 0..<n1 {
            var w = JSONWriter()
            w.floats(Array(m[(i * n2)..<((i + 1) * n2)]))
            print(i == 0 ? w.text : "," + w.text, terminator: "")
        }
        print("]")
        Self.reportNaN(m, kind: kind, convention: convention)
    }
}
