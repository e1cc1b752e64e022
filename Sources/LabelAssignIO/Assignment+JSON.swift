import LabelAssign

extension Assignment {
    /// The assignment as one JSON object: `{"assigner": NAME, "assigned_gt": [...], ...}`.
    public func json(assigner: String, scene: String? = nil) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("assigner"); w.string(assigner)
        if let scene { w.key("scene"); w.string(scene) }
        w.key("assigned_gt"); w.ints(assignedGT)
        for output in namedOutputs {
            w.key(output.name)
            switch output.value {
            case let .floats(v): w.floats(v)
            case let .ints(v): w.ints(v)
            case let .rows(v): w.rows(v)
            case let .number(v): w.number(v)
            }
        }
        w.endObject()
        return w.text
    }
}
