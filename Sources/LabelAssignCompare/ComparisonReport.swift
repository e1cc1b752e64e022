import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Text, JSON, CSV and HTML renderings of a `ComparisonSummary`.
extension ComparisonSummary {
    static func fmt(_ v: Double?, _ digits: Int = 2) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.\(digits)f", v)
    }

    /// A fixed-width table for terminals: one row per assigner, then the agreement matrix and the
    /// OTA vs SimOTA line.
    public func table() -> String {
        var header = ["assigner", "ms/img", "pos/obj", "min", "no-pos"]
        header += levelLabels.map { "\($0) %" }
        header += ["IoU", "agree"]
        var rows: [[String]] = []
        for (i, s) in statistics.enumerated() {
            var r = [s.assigner + (s.failedImages > 0 ? " (\(s.failedImages) failed)" : ""),
                     Self.fmt(timings[i].meanMs, 3), Self.fmt(s.positivesPerObjectMean),
                     s.positivesPerObjectMin.map(String.init) ?? "-", String(s.objectsWithoutPositive)]
            r += s.levelShares.map { Self.fmt(100 * $0, 1) }
            r += [Self.fmt(s.meanIoU, 3), Self.fmt(meanAgreement(i), 3)]
            rows.append(r)
        }
        var out = "\(source): \(images) images, \(objects) objects (small \(objectSizes.small), medium \(objectSizes.medium), large \(objectSizes.large)), \(threads) thread\(threads == 1 ? "" : "s"), \(Self.fmt(wallSeconds, 2)) s (\(Self.fmt(throughput, 1)) images/s)\n"
        if assigners.isEmpty { return out + "no assigners\n" }
        out += Self.align([header] + rows)
        if assigners.count > 1 {
            out += "\nagreement (mean Jaccard of positive (prior, object) pairs per image):\n"
            var m = [[""] + assigners]
            for (i, a) in assigners.enumerated() { m.append([a] + agreement[i].map { Self.fmt($0, 3) }) }
            out += Self.align(m)
        }
        for p in otaVersusSimOTA {
            out += "OTA vs SimOTA (\(p.a) / \(p.b)): Jaccard \(Self.fmt(p.jaccard, 3)) over \(p.images) images\n"
        }
        if let t = transport { out += t.table() }
        if diagnostics {
            out += "\nquality of positives (class target IoU vs 1):\n"
            out += Self.align(qualityRows())
            out += "  r: Pearson(score, IoU) over an image's positives, mean over images; score = \(qualityScoreLabel)\n"
            out += "  misranked: objects whose best-IoU positive is not their best-scored one\n"
            out += "  missed/obj: non-positive priors whose predicted box beats the object's worst positive IoU\n"
            out += "  QFL: quality focal loss per positive with the class target t = IoU or t = 1; gap = QFL t=1 - QFL t=IoU\n"
        }
        for s in statistics where s.failedImages > 0 {
            out += "\(s.assigner): failed on \(s.failedImages) image(s); first: \(s.firstError ?? "")\n"
        }
        for s in statistics where s.quality.failedImages > 0 {
            out += "\(s.assigner): quality not measured on \(s.quality.failedImages) image(s); first: \(s.quality.firstError ?? "")\n"
        }
        return out
    }

    /// How the quality measures score a prediction.
    var qualityScoreLabel: String {
        scoreIncludesObjectness ? "sigma(cls) * sigma(obj)" : "sigma(cls)"
    }

    /// Header and one row per assigner of the quality table.
    func qualityRows() -> [[String]] {
        var rows = [["assigner", "images", "r(score,IoU)", "misranked %", "missed/obj", "QFL t=IoU", "QFL t=1", "gap"]]
        for s in statistics {
            let q = s.quality
            let gap = q.meanLossOneTarget.flatMap { one in q.meanLossIoUTarget.map { one - $0 } }
            rows.append([s.assigner, String(q.images), Self.fmt(q.meanScoreIoUCorrelation, 3),
                         Self.fmt(q.misrankedShare.map { 100 * $0 }, 1), Self.fmt(q.missedPerObject, 2),
                         Self.fmt(q.meanLossIoUTarget, 3), Self.fmt(q.meanLossOneTarget, 3), Self.fmt(gap, 3)])
        }
        return rows
    }

    static func align(_ rows: [[String]]) -> String {
        let cols = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            var line = ""
            for (i, c) in r.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += i == 0 ? c + pad : "  " + pad + c
            }
            out += line + "\n"
        }
        return out
    }

    /// One JSON object with the run, every assigner's statistics and timings, and every pair's agreement.
    public func json() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("source"); w.string(source)
        w.key("images"); w.int(images)
        w.key("objects"); w.int(objects)
        w.key("object_sizes"); w.ints([objectSizes.small, objectSizes.medium, objectSizes.large])
        w.key("strides"); w.wholeAsIntegers(strides)
        w.key("levels"); w.beginArray(); for l in levelLabels { w.string(l) }; w.endArray()
        w.key("threads"); w.int(threads)
        w.key("wall_s"); w.number(wallSeconds)
        w.key("images_per_s"); w.number(throughput)
        if diagnostics { w.key("quality_score"); w.string(scoreIncludesObjectness ? "sigmoid(cls)*sigmoid(obj)" : "sigmoid(cls)") }
        w.key("assigners"); w.beginArray()
        for (i, s) in statistics.enumerated() {
            w.beginObject()
            w.key("assigner"); w.string(s.assigner)
            w.key("images"); w.int(s.images)
            w.key("failed_images"); w.int(s.failedImages)
            if let e = s.firstError { w.key("first_error"); w.string(e) }
            w.key("ms_per_image"); w.number(timings[i].meanMs)
            w.key("median_ms"); w.number(timings[i].medianMs)
            w.key("max_ms"); w.number(timings[i].maxMs)
            w.key("objects"); w.int(s.objects)
            w.key("positives"); w.int(s.positives)
            w.key("positives_per_object_mean"); if let v = s.positivesPerObjectMean { w.number(v) } else { w.null() }
            w.key("positives_per_object_min"); if let v = s.positivesPerObjectMin { w.int(v) } else { w.null() }
            w.key("objects_without_positive"); w.int(s.objectsWithoutPositive)
            w.key("level_counts"); w.ints(s.levelCounts)
            w.key("level_shares"); w.doubles(s.levelShares)
            w.key("mean_iou"); if let v = s.meanIoU { w.number(v) } else { w.null() }
            w.key("iou_histogram"); w.ints(s.iouHistogram)
            w.key("mean_agreement"); if let v = meanAgreement(i) { w.number(v) } else { w.null() }
            w.key("agreement"); w.beginObject()
            for (j, other) in assigners.enumerated() where j != i {
                w.key(other); if let v = agreement[i][j] { w.number(v) } else { w.null() }
            }
            w.endObject()
            if diagnostics {
                let q = s.quality
                w.key("quality"); w.beginObject()
                w.key("images"); w.int(q.images)
                w.key("failed_images"); w.int(q.failedImages)
                if let e = q.firstError { w.key("first_error"); w.string(e) }
                w.key("positives"); w.int(q.positives)
                w.key("score_iou_corr"); if let v = q.meanScoreIoUCorrelation { w.number(v) } else { w.null() }
                w.key("correlation_images"); w.int(q.correlationImages)
                w.key("objects_with_positives"); w.int(q.objectsWithPositives)
                w.key("misranked_objects"); w.int(q.misrankedObjects)
                w.key("misranked_share"); if let v = q.misrankedShare { w.number(v) } else { w.null() }
                w.key("missed_hq_priors"); w.int(q.missedPriors)
                w.key("missed_hq_per_object"); if let v = q.missedPerObject { w.number(v) } else { w.null() }
                w.key("loss_iou_target"); if let v = q.meanLossIoUTarget { w.number(v) } else { w.null() }
                w.key("loss_one_target"); if let v = q.meanLossOneTarget { w.number(v) } else { w.null() }
                w.endObject()
            }
            w.endObject()
        }
        w.endArray()
        w.key("pairs"); w.beginArray()
        for p in pairs {
            w.beginObject()
            w.key("a"); w.string(p.a); w.key("b"); w.string(p.b)
            w.key("jaccard"); if let v = p.jaccard { w.number(v) } else { w.null() }
            w.key("images"); w.int(p.images)
            w.endObject()
        }
        w.endArray()
        if let p = otaVersusSimOTA.first {
            w.key("ota_vs_simota"); w.beginObject()
            w.key("a"); w.string(p.a); w.key("b"); w.string(p.b)
            w.key("jaccard"); if let v = p.jaccard { w.number(v) } else { w.null() }
            w.key("images"); w.int(p.images)
            w.endObject()
        }
        if let t = transport { w.key("transport"); t.write(to: &w) }
        w.endObject()
        return w.text
    }

    /// CSV: a header and one row per assigner; level shares and the Jaccard with every assigner as columns,
    /// then (when measured) the quality of the positives.
    public func csv() -> String {
        var header = ["assigner", "images", "failed_images", "objects", "ms_per_image", "median_ms", "positives",
                      "positives_per_object_mean", "positives_per_object_min", "objects_without_positive"]
        header += strides.indices.map { "level_share_\(levelLabels.indices.contains($0) ? levelLabels[$0].split(separator: "/").first.map(String.init) ?? "L\($0)" : "L\($0)")" }
        header += ["mean_iou", "mean_agreement"]
        header += assigners.map { "jaccard_\($0)" }
        let qualityHeader = ["quality_images", "score_iou_corr", "misranked_share", "missed_hq_per_object",
                             "loss_iou_target", "loss_one_target"]
        if diagnostics { header += qualityHeader }
        var out = header.map(Self.csvField).joined(separator: ",") + "\n"
        for (i, s) in statistics.enumerated() {
            var r = [s.assigner, String(s.images), String(s.failedImages), String(s.objects),
                     Self.num(timings[i].meanMs), Self.num(timings[i].medianMs), String(s.positives),
                     Self.num(s.positivesPerObjectMean), s.positivesPerObjectMin.map(String.init) ?? "",
                     String(s.objectsWithoutPositive)]
            let shares = s.levelShares
            r += strides.indices.map { $0 < shares.count ? Self.num(shares[$0]) : "" }
            r += [Self.num(s.meanIoU), Self.num(meanAgreement(i))]
            r += agreement[i].map { Self.num($0) }
            if diagnostics {
                let q = s.quality
                r += [String(q.images), Self.num(q.meanScoreIoUCorrelation), Self.num(q.misrankedShare),
                      Self.num(q.missedPerObject), Self.num(q.meanLossIoUTarget), Self.num(q.meanLossOneTarget)]
            }
            out += r.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func num(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return String(format: "%.6g", v)
    }

    static func csvField(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}

/// The HTML report: one self-contained page (inline CSS and SVG, no scripts, no network).
public enum ComparisonReport {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                          "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf"]

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    /// Writes `index.html` (and `comparison.json`, `comparison.csv`) into `directory`, creating it.
    /// Returns the path of the page.
    @discardableResult
    public static func write(_ result: ComparisonSummary, to directory: String) throws -> String {
        try prepare(directory: directory)
        let files = [("index.html", html(result)), ("comparison.json", result.json() + "\n"), ("comparison.csv", result.csv())]
        for (name, text) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            try writeText(text, to: path)
        }
        return (directory as NSString).appendingPathComponent("index.html")
    }

    /// Creates `directory` (and its parents) when missing and checks that files can be written
    /// into it; throws `io` naming the path and the system's reason. `compare --report` calls it
    /// before the run, so an unwritable place fails at once.
    public static func prepare(directory: String) throws {
        guard !directory.isEmpty else { throw LabelAssignError.io("--report: the directory name is empty") }
        var path = directory.hasPrefix("/") ? "/" : ""
        for part in directory.split(separator: "/") {
            path += (path.isEmpty || path.hasSuffix("/") ? "" : "/") + part
            var info = stat()
            if stat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else { throw LabelAssignError.io("\(path): not a directory") }
                continue
            }
            guard errno == ENOENT else { throw LabelAssignError.io("\(path): \(String(cString: strerror(errno)))") }
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                throw LabelAssignError.io("\(path): cannot create directory (\(String(cString: strerror(errno))))")
            }
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw LabelAssignError.io("\(directory): cannot write into the directory (\(String(cString: strerror(errno))))")
        }
    }

    /// Writes `text` to `path` (replacing it); errors name the path and the system's reason.
    static func writeText(_ text: String, to path: String) throws {
        guard let file = fopen(path, "wb") else {
            throw LabelAssignError.io("\(path): cannot write file (\(String(cString: strerror(errno))))")
        }
        var bytes = Array(text.utf8)
        let written = bytes.withUnsafeMutableBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let writeErrno = errno
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw LabelAssignError.io("\(path): cannot write file (\(String(cString: strerror(written == bytes.count ? errno : writeErrno))))")
        }
    }

    /// The page as a string.
    public static func html(_ r: ComparisonSummary) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Label assignment comparison</title>
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1200px}
        table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
        th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
        .swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
        .panels{display:flex;flex-wrap:wrap;gap:12px}.panel{border:1px solid #ddd;padding:6px}
        .note{color:#666;font-size:90%}svg text{font-size:11px;fill:#333}
        </style></head><body>
        <h1>Label assignment comparison</h1>

        """
        h += "<p>\(esc(r.source)): <b>\(r.images)</b> images, <b>\(r.objects)</b> objects "
        h += "(small \(r.objectSizes.small), medium \(r.objectSizes.medium), large \(r.objectSizes.large) by area 32² / 96²); "
        h += "\(r.threads) thread\(r.threads == 1 ? "" : "s"), \(ComparisonSummary.fmt(r.wallSeconds, 2)) s wall, "
        h += "\(ComparisonSummary.fmt(r.throughput, 1)) images/s.</p>\n"
        if r.assigners.isEmpty {
            h += "<p><b>No assigners were compared.</b></p>\n"
        }
        h += summaryTable(r)
        h += qualityTable(r)
        h += agreementTable(r)
        h += r.transport?.html() ?? ""
        if !r.assigners.isEmpty {
            h += "<h2>Positives per FPN level</h2>\n" + levelChart(r)
            h += "<h2>IoU of the positives</h2>\n<p class=\"note\">IoU of each positive prior's predicted box with its object, share of positives per bin.</p>\n" + iouChart(r)
        }
        if let e = r.example { h += "<h2>One scene: \(esc(e.name))</h2>\n" + sceneDrawings(e, r) }
        h += "</body></html>\n"
        return h
    }

    static func summaryTable(_ r: ComparisonSummary) -> String {
        guard !r.assigners.isEmpty else { return "" }
        var h = "<h2>Summary</h2>\n<table><tr><th>assigner</th><th>ms / image</th><th>median ms</th><th>positives / object</th><th>min</th><th>objects without positive</th>"
        for l in r.levelLabels { h += "<th>\(esc(l)) %</th>" }
        h += "<th>mean IoU</th><th>mean agreement</th><th>failed images</th></tr>\n"
        for (i, s) in r.statistics.enumerated() {
            h += "<tr><td><span class=\"swatch\" style=\"background:\(color(i))\"></span>\(esc(s.assigner))</td>"
            h += "<td>\(ComparisonSummary.fmt(r.timings[i].meanMs, 3))</td><td>\(ComparisonSummary.fmt(r.timings[i].medianMs, 3))</td>"
            h += "<td>\(ComparisonSummary.fmt(s.positivesPerObjectMean))</td><td>\(s.positivesPerObjectMin.map(String.init) ?? "-")</td>"
            h += "<td>\(s.objectsWithoutPositive)</td>"
            for v in s.levelShares { h += "<td>\(ComparisonSummary.fmt(100 * v, 1))</td>" }
            h += "<td>\(ComparisonSummary.fmt(s.meanIoU, 3))</td><td>\(ComparisonSummary.fmt(r.meanAgreement(i), 3))</td>"
            h += "<td title=\"\(esc(s.firstError ?? ""))\">\(s.failedImages)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    static func qualityTable(_ r: ComparisonSummary) -> String {
        guard r.diagnostics, !r.assigners.isEmpty else { return "" }
        var h = "<h2>Quality of the positives (class target IoU vs 1)</h2>\n"
        h += "<p class=\"note\">r: Pearson correlation of score (\(esc(r.qualityScoreLabel))) and IoU over an image's positives, "
        h += "mean over images. Misranked: objects whose best-IoU positive is not their best-scored positive. "
        h += "Missed / object: non-positive priors whose box beats the object's worst positive IoU. "
        h += "QFL: quality focal loss per positive with the class target t = IoU or t = 1; gap: their difference.</p>\n<table>"
        let rows = r.qualityRows()
        h += "<tr>" + rows[0].map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for (i, row) in rows.dropFirst().enumerated() {
            let q = r.statistics[i].quality
            h += "<tr><td><span class=\"swatch\" style=\"background:\(color(i))\"></span>\(esc(row[0]))</td>"
            h += row.dropFirst().map { "<td>\(esc($0))</td>" }.joined()
            h += q.failedImages > 0 ? "<td title=\"\(esc(q.firstError ?? ""))\">\(q.failedImages) not measured</td>" : ""
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    static func agreementTable(_ r: ComparisonSummary) -> String {
        guard r.assigners.count > 1 else { return "" }
        var h = "<h2>Agreement</h2>\n<p class=\"note\">Jaccard similarity of the positive (prior, object) pairs, averaged over images.</p>\n<table><tr><th></th>"
        for a in r.assigners { h += "<th>\(esc(a))</th>" }
        h += "</tr>\n"
        for (i, a) in r.assigners.enumerated() {
            h += "<tr><td>\(esc(a))</td>"
            for v in r.agreement[i] {
                let shade = v.map { String(format: "rgba(78,121,167,%.2f)", 0.1 + 0.6 * $0) } ?? "transparent"
                h += "<td style=\"background:\(shade)\">\(ComparisonSummary.fmt(v, 3))</td>"
            }
            h += "</tr>\n"
        }
        h += "</table>\n"
        for p in r.otaVersusSimOTA {
            h += "<p><b>OTA vs SimOTA</b> (\(esc(p.a)) / \(esc(p.b))): Jaccard \(ComparisonSummary.fmt(p.jaccard, 3)) over \(p.images) images.</p>\n"
        }
        return h
    }

    /// Grouped bars: share of positives per level, one group per assigner.
    static func levelChart(_ r: ComparisonSummary) -> String {
        let levels = r.levelLabels.count
        let groupW = Double(max(levels, 1)) * 22 + 40
        let width = 60 + groupW * Double(r.assigners.count) + 20, height = 260.0
        let plotH = 190.0, top = 20.0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 40))\">\n"
        for t in 0...4 {
            let y = top + plotH * (1 - Double(t) / 4)
            s += "<line x1=\"50\" x2=\"\(Int(width - 10))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#eee\"/><text x=\"44\" y=\"\(y + 4)\" text-anchor=\"end\">\(t * 25)%</text>\n"
        }
        let levelColors = ["#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#e15759", "#76b7b2"]
        for (i, st) in r.statistics.enumerated() {
            let x0 = 60 + groupW * Double(i)
            for (l, v) in st.levelShares.enumerated() {
                let bh = plotH * v
                s += "<rect x=\"\(x0 + Double(l) * 22)\" y=\"\(top + plotH - bh)\" width=\"18\" height=\"\(bh)\" fill=\"\(levelColors[l % levelColors.count])\"><title>\(esc(st.assigner)) \(esc(r.levelLabels[l])): \(ComparisonSummary.fmt(100 * v, 1))% (\(st.levelCounts[l]))</title></rect>\n"
            }
            s += "<text x=\"\(x0 + (groupW - 40) / 2)\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(esc(st.assigner))</text>\n"
        }
        for (l, name) in r.levelLabels.enumerated() {
            let x = 60 + Double(l) * 90
            s += "<rect x=\"\(x)\" y=\"\(height + 14)\" width=\"10\" height=\"10\" fill=\"\(levelColors[l % levelColors.count])\"/><text x=\"\(x + 14)\" y=\"\(height + 23)\">\(esc(name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// One line per assigner: share of its positives per IoU bin.
    static func iouChart(_ r: ComparisonSummary) -> String {
        let bins = Comparison.iouBins
        let width = 640.0, plotW = 560.0, plotH = 220.0, left = 50.0, top = 20.0
        var peak = 0.0
        for st in r.statistics where st.positives > 0 {
            peak = max(peak, Double(st.iouHistogram.max() ?? 0) / Double(st.positives))
        }
        peak = max(peak, 0.05)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width + 160))\" height=\"\(Int(plotH + 60))\">\n"
        for t in 0...4 {
            let y = top + plotH * (1 - Double(t) / 4)
            s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#eee\"/><text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(ComparisonSummary.fmt(100 * peak * Double(t) / 4, 0))%</text>\n"
        }
        for t in 0...10 {
            let x = left + plotW * Double(t) / 10
            s += "<text x=\"\(x)\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(ComparisonSummary.fmt(Double(t) / 10, 1))</text>\n"
        }
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(top + plotH + 34)\" text-anchor=\"middle\">IoU</text>\n"
        for (i, st) in r.statistics.enumerated() where st.positives > 0 {
            var pts: [String] = []
            for b in 0..<bins {
                let v = Double(st.iouHistogram[b]) / Double(st.positives)
                let y = top + plotH * (1 - v / peak)
                pts.append("\(left + plotW * Double(b) / Double(bins)),\(y)")
                pts.append("\(left + plotW * Double(b + 1) / Double(bins)),\(y)")
            }
            s += "<polyline fill=\"none\" stroke=\"\(color(i))\" stroke-width=\"2\" points=\"\(pts.joined(separator: " "))\"><title>\(esc(st.assigner))</title></polyline>\n"
            let ly = top + 14 * Double(i)
            s += "<rect x=\"\(left + plotW + 16)\" y=\"\(ly)\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/><text x=\"\(left + plotW + 30)\" y=\"\(ly + 9)\">\(esc(st.assigner)) (\(ComparisonSummary.fmt(st.meanIoU, 2)))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// One panel per assigner: objects as boxes, positive priors as dots in their object's colour
    /// (radius by level), ignore regions hatched grey.
    static func sceneDrawings(_ e: ExampleAssignment, _ r: ComparisonSummary) -> String {
        let size = 360.0
        let scale = size / Double(max(e.imageWidth, e.imageHeight))
        let w = Double(e.imageWidth) * scale, hgt = Double(e.imageHeight) * scale
        let g = e.gtBoxes.count / 4
        func objColor(_ j: Int) -> String { String(format: "hsl(%d,75%%,45%%)", (j * 137) % 360) }
        var base = "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(hgt)\" fill=\"#fafafa\" stroke=\"#999\"/>\n"
        for k in 0..<(e.gtIgnore.count / 4) {
            let b = Array(e.gtIgnore[(4 * k)..<(4 * k + 4)]).map { Double($0) * scale }
            base += "<rect x=\"\(b[0])\" y=\"\(b[1])\" width=\"\(b[2] - b[0])\" height=\"\(b[3] - b[1])\" fill=\"#ccc\" fill-opacity=\"0.5\"><title>ignore region</title></rect>\n"
        }
        for j in 0..<g {
            let b = Array(e.gtBoxes[(4 * j)..<(4 * j + 4)]).map { Double($0) * scale }
            base += "<rect x=\"\(b[0])\" y=\"\(b[1])\" width=\"\(max(b[2] - b[0], 0.5))\" height=\"\(max(b[3] - b[1], 0.5))\" fill=\"none\" stroke=\"\(objColor(j))\" stroke-width=\"1.5\"><title>object \(j), class \(e.gtLabels[j])</title></rect>\n"
        }
        var h = "<p class=\"note\">Image \(e.index), \(g) objects. Boxes: objects; dots: positive priors in their object's colour (larger dots on coarser levels); grey: ignore regions.</p>\n<div class=\"panels\">\n"
        let minStride = Double(e.priors.count >= 4 ? e.priors[2] : 1)
        if r.assigners.isEmpty {
            h += "<div class=\"panel\"><div>objects</div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w) + 1)\" height=\"\(Int(hgt) + 1)\">\(base)</svg></div>\n"
        }
        for (i, name) in r.assigners.enumerated() {
            var dots = ""
            var positives = 0
            if let ag = e.assignedGT[i] {
                for (p, gt) in ag.enumerated() where gt >= 0 {
                    positives += 1
                    let cx = Double(e.priors[4 * p]) * scale, cy = Double(e.priors[4 * p + 1]) * scale
                    let rad = 1.2 + 1.2 * log2(max(Double(e.priors[4 * p + 2]) / minStride, 1))
                    dots += "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"\(rad)\" fill=\"\(objColor(Int(gt)))\"/>"
                }
            }
            let caption = e.assignedGT[i] == nil ? "failed on this image" : "\(positives) positives"
            h += "<div class=\"panel\"><div><b>\(esc(name))</b>: \(caption)</div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w) + 1)\" height=\"\(Int(hgt) + 1)\">\(base)\(dots)</svg></div>\n"
        }
        return h + "</div>\n"
    }
}
