import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct IoUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iou",
        abstract: "Pairwise overlap matrix of two box files (JSON arrays of [x1, y1, x2, y2]).",
        discussion: "Prints a JSON array of rows: row i holds the overlaps of box i of BOXES1 with every box of BOXES2."
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
        let a = try readBoxes(boxes1), b = try readBoxes(boxes2)
        let m = try pairwiseOverlap(a, b, kind: k, convention: c)
        let n2 = b.count / 4
        var w = JSONWriter()
        w.beginArray()
        for i in 0..<(a.count / 4) { w.floats(Array(m[(i * n2)..<((i + 1) * n2)])) }
        w.endArray()
        print(w.text)
    }

    func readBoxes(_ path: String) throws -> [Float] {
        let v = try parseJSON(SceneFile.bytes(of: path))
        guard let rows = v.array else { throw LabelAssignError.malformedJSON("\(path): expected an array of boxes") }
        var out: [Float] = []
        for (i, r) in rows.enumerated() {
            guard let f = r.floats, f.count == 4, r.array?.count == 4 else {
                throw LabelAssignError.invalidValue(field: path, index: i, reason: "a box is 4 numbers")
            }
            for (j, x) in f.enumerated() where !x.isFinite {
                throw LabelAssignError.invalidValue(field: path, index: i, reason: "coordinate \(j) is not finite")
            }
            if f[2] < f[0] || f[3] < f[1] { throw LabelAssignError.invalidValue(field: path, index: i, reason: "x2 < x1 or y2 < y1") }
            out += f
        }
        return out
    }
}
