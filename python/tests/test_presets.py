"""Every preset against every fixture expectation of its key, through the Python API, compared
as the Swift conformance test compares them (tests/fixtures.py holds its table)."""

import numpy as np
import pytest

import labelassign
from fixtures import ANCHOR_CASES, FIELDS_BY_KEY, TABLE, compare_fields, scenes

ENTRIES = {entry.preset: entry for entry in TABLE}
SCENES = scenes()


def test_every_preset_has_a_table_entry():
    assert sorted(labelassign.presets()) == sorted(ENTRIES)


def hungarian_inputs(scene, queries):
    """DETR's queries are the predictions the matcher is given: the fixture's query subset, in its
    order, as the priors of a one-level scene (the matcher reads only boxes and logits)."""
    inputs = dict(scene.inputs)
    index = np.asarray(queries, dtype=np.int64)
    stride = float(scene["strides"][0])
    priors = scene["priors"][index].copy()
    priors[:, 2:] = stride
    inputs.update(strides=[stride], priors=priors, pred_bboxes=scene["pred_bboxes"][index],
                  cls_logits=scene["cls_logits"][index], anchors=None,
                  obj_logits=None if scene["obj_logits"] is None else scene["obj_logits"][index])
    return inputs


def level_ranges(scene):
    width, height = scene["image_size"]
    start, ranges = 0, []
    for s in scene["strides"]:
        count = int(width // s) * int(height // s)
        ranges.append((start, count, int(width // s)))
        start += count
    return ranges


def consistency(preset, scene, inputs, expected, result):
    """The Swift table's further checks of a result against the fixture and itself."""
    failures = []
    assigned = result["assigned_gt"]
    num_gt = len(inputs["gt_labels"])
    counts = np.bincount(assigned[assigned >= 0], minlength=num_gt)
    if not np.array_equal(counts, result["positives_per_gt"]):
        failures.append("positives_per_gt is not the count of each object's positives")
    if preset == "ota-exact":
        mu = result["mu"]
        if len(mu) != num_gt + 1 or not np.array_equal(counts, mu[:num_gt]):
            failures.append(f"positives per object {counts.tolist()} are not the supplies {mu.tolist()}")
        if not np.all((result["matched_iou"] >= 0) & (result["matched_iou"] <= 1)):
            failures.append("matched_iou outside [0, 1]")
    if preset == "yolov5":
        lowest = np.full(len(assigned), -1, dtype=np.int64)
        ranges = level_ranges(scene)
        for row, g in zip(result["rows"], result["row_gt"]):
            start, _, cols = ranges[int(row[0])]
            p = start + int(row[2]) * cols + int(row[3])
            lowest[p] = g if lowest[p] < 0 else min(lowest[p], g)
            if inputs["gt_labels"][g] != row[4]:
                failures.append(f"row of object {g} has class {row[4]}")
        if not np.array_equal(lowest, assigned):
            failures.append("assigned_gt is not the lowest object per row cell")
    if preset == "hungarian":
        pairs = list(zip(result["rows"], result["cols"]))
        if len(pairs) != min(len(expected["queries"]), num_gt):
            failures.append(f"{len(pairs)} pairs for {len(expected['queries'])} queries and {num_gt} objects")
        failures += [f"query {r} does not carry object {c}" for r, c in pairs if assigned[r] != c]
    return failures


def run_case(entry, scene, expected, options, label):
    inputs = hungarian_inputs(scene, expected["queries"]) if entry.preset == "hungarian" else scene.inputs
    assigner = labelassign.Assigner(entry.preset, **options)
    result = assigner.assign(**inputs)
    covered = {name for name, _, _ in entry.fields} | set(entry.not_compared)
    failures = [f"{label}: fixture field {name} is not compared" for name in expected if name not in covered]
    if set(result) != set(assigner.outputs) | {"positives_per_gt"}:
        failures.append(f"{label}: result fields {sorted(result)}, outputs {assigner.outputs}")
    comparisons, more = compare_fields(result, expected, entry.fields, label)
    failures += more + [f"{label}: {f}" for f in consistency(entry.preset, scene, inputs, expected, result)]
    return comparisons, failures


def absent_key_failures(entry, key):
    failures = []
    for label, scene in SCENES:
        holds, fragile = key in scene["expected"], key in scene.get("fragile", [])
        if holds and fragile:
            failures.append(f"{label}: holds {key} and lists it as fragile")
        elif not holds and entry.absent == "fragile" and not fragile:
            failures.append(f"{label}: lacks {key} without listing it as fragile")
        elif not holds and entry.absent == "no_objects" and len(scene["gt_labels"]):
            failures.append(f"{label}: lacks {key} although it has objects")
    return failures


@pytest.mark.parametrize("preset", sorted(ENTRIES))
def test_preset_matches_every_fixture(preset):
    entry = ENTRIES[preset]
    key = entry.variant_of or entry.key
    cases = [(label, s, s["expected"][key], {}) for label, s in SCENES if key in s["expected"]]
    failures = absent_key_failures(entry, key)
    if entry.exactly is not None and len(cases) != entry.exactly:
        failures.append(f"{len(cases)} scenes hold {key}, expected exactly {entry.exactly}")
    if len(cases) < entry.at_least:
        failures.append(f"{len(cases)} scenes hold {key}, expected at least {entry.at_least}")
    for file, extra_key, count, options in entry.extra:
        held = [(label, s, s["expected"][extra_key], options) for label, s in scenes(file) if extra_key in s["expected"]]
        if len(held) != count:
            failures.append(f"{len(held)} scenes of {file} hold {extra_key}, expected {count}")
        cases += held
    comparisons = 0
    for label, scene, expected, options in cases:
        made, more = run_case(entry, scene, expected, options, f"{preset} {label}")
        comparisons += made
        failures += more
    required = sum(1 for _, _, optional in entry.fields if not optional)
    assert comparisons >= max(1, required * len(cases) if required else 1)
    assert not failures, "\n".join(failures[:40])


def test_option_fixtures():
    """options.jsonl: presets with options against the references run with the same arguments."""
    comparisons, failures = 0, []
    for label, scene in scenes("options.jsonl"):
        for name, case in scene["expected"].items():
            fields = FIELDS_BY_KEY[case["fixture_key"]]
            outputs = case["outputs"]
            inputs = hungarian_inputs(scene, outputs["queries"]) if case["preset"] == "hungarian" else scene.inputs
            # Through Assigner: yolov5's option `anchors` is not the scene's anchor boxes.
            result = labelassign.Assigner(case["preset"], **case["options"]).assign(**inputs)
            entry = next(e for e in TABLE if e.key == case["fixture_key"])
            covered = {n for n, _, _ in fields} | set(entry.not_compared)
            failures += [f"{label} {name}: field {f} is not compared" for f in outputs if f not in covered]
            made, more = compare_fields(result, outputs, fields, f"{label} {name}")
            comparisons, failures = comparisons + made, failures + more
    assert comparisons >= 40
    assert not failures, "\n".join(failures[:40])


def test_anchor_fixtures():
    """anchors.jsonl: explicit RetinaNet anchors for ATSS, max-IoU and TOOD."""
    comparisons, failures = 0, []
    for label, scene in scenes("anchors.jsonl"):
        assert scene["anchors"] is not None and scene["anchors"].shape == scene["priors"].shape
        for key, expected in scene["expected"].items():
            preset, options, fields = ANCHOR_CASES[key]
            result = labelassign.assign(preset, **scene.inputs, **options)
            made, more = compare_fields(result, expected, fields, f"{label} {key}")
            comparisons, failures = comparisons + made, failures + more
    assert comparisons >= 5
    assert not failures, "\n".join(failures[:40])


def test_the_comparison_reports_differences():
    """The helpers themselves: a changed value, a value beyond the tolerance, a missing field."""
    expected = {"assigned_gt": [0, -1, 1], "matched_iou": [0.5, 0, 0.25]}
    fields = FIELDS_BY_KEY["yolox_simota"]
    good = {"assigned_gt": np.array([0, -1, 1]), "matched_iou": np.array([0.50005, 0, 0.25])}
    assert compare_fields(good, expected, fields, "t") == (2, [])
    bad = {"assigned_gt": np.array([0, -1, -1]), "matched_iou": np.array([0.5002, 0, np.nan])}
    _, failures = compare_fields(bad, expected, fields, "t")
    assert [f.split(":")[0] for f in failures] == ["t assigned_gt", "t matched_iou"]
    assert compare_fields({"assigned_gt": np.array([0, -1, 1])}, expected, fields, "t")[1] == ["t: output lacks matched_iou"]


