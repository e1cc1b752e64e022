import LabelAssign

/// A preset's options as JSON: `labelassign assign --describe NAME --json`, and, with the
/// configured values and outputs, the C ABI's `la_assigner_describe`.
public enum PresetDescription {
    /// `{"preset", "summary", "options": [{"name", "default", "values", "reference", "doc"}]}`.
    /// With `configured` (the options as set, `AssignerPreset.optionInfo(options:)`), the object
    /// also has `"name"` (the preset's), each option a `"value"`; with `outputs`, an `"outputs"` list.
    public static func json(_ preset: AssignerPreset, configured: [OptionInfo]? = nil, outputs: AssignmentOutputs? = nil) -> String {
        var w = JSONWriter()
        w.beginObject()
        if configured != nil { w.key("name"); w.string(preset.name) }
        w.key("preset"); w.string(preset.name)
        w.key("summary"); w.string(preset.summary)
        w.key("options"); w.beginArray()
        for (k, o) in preset.options.enumerated() {
            w.beginObject()
            w.key("name"); w.string(o.name)
            if let configured, k < configured.count {
                w.key("value"); w.value(AssignerOptionsJSON.json(configured[k].defaultValue))
            }
            w.key("default"); w.value(AssignerOptionsJSON.json(o.defaultValue))
            w.key("values"); w.string(o.kind)
            w.key("reference"); w.string(o.reference)
            w.key("doc"); w.string(o.doc)
            w.endObject()
        }
        w.endArray()
        if let outputs {
            w.key("outputs"); w.beginArray()
            for name in outputs.names { w.string(name) }
            w.endArray()
        }
        w.endObject()
        return w.text
    }
}
