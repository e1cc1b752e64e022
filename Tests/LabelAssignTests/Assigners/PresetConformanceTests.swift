import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Every registry preset against the fixtures of its `fixtureKey`, as `PresetExpectation.table`
/// describes them: a preset is covered the moment it is registered, and fails while no fixture
/// (or no table entry) holds its key.
@Suite struct PresetConformanceTests {
    @Test(arguments: AssignerRegistry.names)
    func matchesEveryFixture(preset name: String) throws {
        let preset = try AssignerRegistry.preset(name)
        let outcome = try AssignerConformance.check(preset)
        for failure in outcome.failures.prefix(40) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.failures.isEmpty, "\(name): \(outcome.failures.count) failures")
        let least = PresetExpectation.table.first { $0.fixtureKey == preset.fixtureKey }?.minimumComparisons ?? 1
        #expect(outcome.comparisons >= max(least, 1), "\(name): \(outcome.comparisons) fields compared, at least \(least) expected")
    }

    /// Every table entry belongs to a registered preset (no stale entries).
    @Test func everyTableEntryIsAPresetKey() {
        let keys = Set(AssignerRegistry.presets.map(\.fixtureKey))
        for entry in PresetExpectation.table {
            #expect(keys.contains(entry.fixtureKey), "table entry \(entry.fixtureKey) has no preset")
        }
        #expect(Set(PresetExpectation.table.map(\.fixtureKey)).count == PresetExpectation.table.count)
    }

    /// The harness itself: a key without table entry or fixtures, another reference's fixtures,
    /// a changed value, a missing field.
    @Test func harnessReportsWhatIsMissingOrDifferent() throws {
        let stray = AssignerPreset(name: "stray", summary: "", fixtureKey: "no_such_key") { SimOTAAssigner(.yolox) }
        let unlisted = try AssignerConformance.check(stray)
        #expect(unlisted.failures == ["stray: no conformance table entry for fixture key no_such_key"])
        let entry = PresetExpectation(fixtureKey: "no_such_key", fields: [.assignedGT], scenes: .atLeast(1), absent: .anyScene)
        let unheld = try AssignerConformance.check(stray, table: [entry])
        #expect(unheld.failures == ["stray: no fixture holds key no_such_key"])

        // YOLOX main's SimOTA (other candidates) against YOLOX 0.3.0's fixtures.
        let swapped = AssignerPreset(name: "swapped", summary: "", fixtureKey: "yolox_simota") { SimOTAAssigner(.yoloxLatest) }
        let other = try AssignerConformance.check(swapped)
        #expect(!other.failures.isEmpty)
        #expect(other.comparisons == (try AssignerConformance.check(AssignerRegistry.preset("simota"))).comparisons)

        let expected = try parseJSON(Array(#"{"assigned_gt": [0, -1, 1], "matched_iou": [0.5, 0, 0.25]}"#.utf8))
        let fields = [FieldCheck.assignedGT, .matchedIoU]
        let good = Assignment(assignedGT: [0, -1, 1], matchedIoU: [0.50005, 0, 0.25])
        let ok = FixtureCheck.fields(good, with: expected, fields: fields, label: "t")
        #expect(ok.comparisons == 2 && ok.failures.isEmpty)
        let bad = Assignment(assignedGT: [0, -1, -1], matchedIoU: [0.5002, 0, .nan])
        let off = FixtureCheck.fields(bad, with: expected, fields: fields, label: "t")
        #expect(off.failures.count == 2)
        #expect(off.failures[0].hasPrefix("t assigned_gt: 1 of 3 differ"))
        #expect(off.failures[1].hasPrefix("t matched_iou: 2 of 3 differ"))
        let missing = FixtureCheck.fields(Assignment(assignedGT: [0, -1, 1]), with: expected, fields: fields, label: "t")
        #expect(missing.failures == ["t: output lacks matched_iou"])
        let optional = FixtureCheck.fields(good, with: expected, fields: [FieldCheck("mu", .exact, optional: true)], label: "t")
        #expect(optional.comparisons == 0 && optional.failures.isEmpty)
    }
}

