import LabelAssign
import LabelAssignIO

/// Field-by-field comparison of outputs with fixture expectations, under a `FieldComparison`.
public enum FixtureCheck {
    /// Compares `result` (and the `derived` values) with one fixture expectation, field by field.
    /// Also used for reference variants that are not registry presets.
    public static func fields(_ result: Assignment, with expected: JSONValue, fields: [FieldCheck],
                              derived: [String: AssignmentValue] = [:], label: String) -> (comparisons: Int, failures: [String]) {
        var comparisons = 0
        var failures: [String] = []
        for field in fields {
            guard let want = expected[field.name] else {
                if !field.optional { failures.append("\(label): fixture lacks \(field.name)") }
                continue
            }
            guard let got = derived[field.name] ?? result[field.name] else {
                failures.append("\(label): output lacks \(field.name)")
                continue
            }
            comparisons += 1
            failures += value(got, want, field.comparison, label: "\(label) \(field.name)")
        }
        return (comparisons, failures)
    }

    /// The failures of one output against one fixture field.
    public static func value(_ got: AssignmentValue, _ want: JSONValue, _ comparison: FieldComparison, label: String) -> [String] {
        if case let .rows(exactColumns, tolerance) = comparison {
            return rows(got, want, exactColumns: exactColumns, tolerance: tolerance, label: label)
        }
        guard let g = numbers(got), let w = numbers(want) else { return ["\(label): not a list of numbers"] }
        return values(g, w, comparison, label: label)
    }

    /// The failures of a list of numbers against the fixture's: a different count, or the values
    /// that differ (at most five named, then their count).
    public static func values(_ g: [Double], _ w: [Double], _ comparison: FieldComparison, label: String) -> [String] {
        guard g.count == w.count else { return ["\(label): \(g.count) values, fixture \(w.count)"] }
        let agrees: (Double, Double) -> Bool = switch comparison {
        case .exact: { $0 == $1 }
        case let .absolute(t): { abs($0 - $1) <= t }
        case let .relative(t): { abs($0 - $1) <= t * abs($1) }
        case .rows: { _, _ in false }
        }
        let differing = g.indices.filter { !agrees(g[$0], w[$0]) }
        return differences(differing.map { "[\($0)]: \(g[$0]) vs \(w[$0])" }, of: g.count, label: label)
    }

    static func rows(_ got: AssignmentValue, _ want: JSONValue, exactColumns: Int, tolerance: Double, label: String) -> [String] {
        guard case let .rows(g) = got, let w = want.array?.map({ row in row.array?.map(\.double) }) else {
            return ["\(label): not a table"]
        }
        var failures: [String] = []
        if g.count != w.count { failures.append("\(label): \(g.count) rows, fixture \(w.count)") }
        var differing: [String] = []
        for (k, (r, e)) in zip(g, w).enumerated() {
            guard let e = e?.compactMap({ $0 }), e.count == r.count, r.count >= exactColumns else {
                differing.append("row \(k): \(r.count) columns, fixture row malformed or of another length")
                continue
            }
            for c in r.indices {
                let same = c < exactColumns ? r[c] == e[c] : abs(r[c] - e[c]) <= tolerance
                if !same { differing.append("row \(k) column \(c): \(r[c]) vs \(e[c])") }
            }
        }
        return failures + differences(differing, of: g.count, label: label)
    }

    static func differences(_ list: [String], of count: Int, label: String) -> [String] {
        if list.isEmpty { return [] }
        return ["\(label): \(list.count) of \(count) differ: " + list.prefix(5).joined(separator: "; ")]
    }

    /// The numbers of an output, as doubles.
    static func numbers(_ v: AssignmentValue) -> [Double]? {
        switch v {
        case let .floats(f): f.map(Double.init)
        case let .ints(i): i.map(Double.init)
        case let .number(d): [d]
        case .rows: nil
        }
    }

    /// A fixture number, list of numbers or matrix (flattened row by row), as doubles.
    static func numbers(_ j: JSONValue) -> [Double]? {
        if let d = j.double { return [d] }
        guard let items = j.array else { return nil }
        var out: [Double] = []
        for item in items {
            if let d = item.double {
                out.append(d)
            } else if let row = item.array, row.allSatisfy({ $0.double != nil }) {
                out += row.map { $0.double! }
            } else {
                return nil
            }
        }
        return out
    }
}
