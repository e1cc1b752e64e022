import LabelAssign
import LabelAssignIO

/// The `iou` command's input and output checks: box files read in place and validated, the
/// matrix bounded before it is computed, and the NaN the reference itself returns reported.
extension IoUCommand {
    /// The help text on NaN by reference.
    static let nanNote = """
        NaN by reference: the torchvision and yolox references divide 0 by 0 for two zero-area boxes (IoU \
        and every measure built on it), and torchvision's ciou also for a point box (x1 = x2, y1 = y2) \
        against any box; those entries are printed as null, as the references return NaN, and their count \
        is reported on stderr. mmdet and ultralytics add an eps and never return NaN.
        """

    /// The boxes of a JSON file holding an array of `[x1, y1, x2, y2]` rows, validated as scene
    /// boxes are (`Scene.validateBoxes`: finite, within ±2^24, `x1 <= x2`, `y1 <= y2`).
    static func readBoxFile(_ path: String) throws -> [Float] {
        var out: [Float] = []
        do {
            try InputFile.withBytes(of: path) { bytes in
                var r = JSONReader(bytes)
                guard r.peek() == 0x5B else { throw LabelAssignError.malformedJSON("expected an array of boxes") }
                _ = try r.readMatrix(into: &out, width: 4, field: "box")
                guard r.atEnd else { throw r.fail("trailing characters after the array of boxes") }
            }
        } catch let e as LabelAssignError {
            if case let .io(message) = e, message.hasPrefix(path) { throw e }
            throw LabelAssignError.io("\(path): \(e)")
        }
        try Scene.validateBoxes(out, field: path)
        return out
    }

    /// Checks the `n1 × n2` matrix against `ResourceLimits.maxBufferBytes` before it is computed.
    static func checkMatrix(_ n1: Int, _ n2: Int) throws {
        try ResourceLimits.checkBuffer("iou matrix (\(n1) × \(n2) boxes)", counts: [n1, n2], of: Float.self)
    }

    /// Writes the count of NaN entries (0/0 by reference) to stderr, if any.
    static func reportNaN(_ m: [Float], kind: String, convention: String) {
        let nan = m.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        guard nan > 0 else { return }
        FileHandleStderr.write("labelassign: note: \(nan) of \(m.count) \(kind) values are NaN, printed as null: the \(convention) reference divides 0 by 0 for zero-area boxes (see labelassign iou --help)\n")
    }
}
