"""The conformance fixtures (Tests/Fixtures) and how their fields are compared: the table of
Tests/LabelAssignTestSupport/AssignerConformance.swift (`PresetExpectation.table`), with its
tolerances (Tests/Fixtures/README.md, "Tolerances")."""

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import labelassign

ROOT = Path(os.environ.get("LABELASSIGN_FIXTURES", Path(__file__).resolve().parents[2] / "Tests" / "Fixtures"))


def exact():
    return ("exact", 0.0)


def absolute(t):
    return ("absolute", t)


def relative(t):
    return ("relative", t)


ASSIGNED_GT = ("assigned_gt", exact(), False)
MATCHED_IOU = ("matched_iou", absolute(1e-4), False)


@dataclass
class Entry:
    """One preset's expectation: fields (name, comparison, optional), the scene count guard, the
    absent-key rule, extra files (file, key, scenes, options) and fixture fields not compared."""

    preset: str
    key: str
    fields: list
    at_least: int = 0
    exactly: int = None
    absent: str = "fragile"
    extra: list = field(default_factory=list)
    variant_of: str = None
    not_compared: tuple = ()


TABLE = [
    Entry("simota", "yolox_simota", [ASSIGNED_GT, MATCHED_IOU], at_least=15),
    Entry("simota-mmdet", "mmdet_simota", [ASSIGNED_GT, MATCHED_IOU], at_least=15),
    Entry("simota-yolox-latest", "yolox_latest_simota", [ASSIGNED_GT, MATCHED_IOU], at_least=15),
    Entry("dsl", "mmdet_dsl", [ASSIGNED_GT, MATCHED_IOU], at_least=15),
    Entry("ota", "ota", [ASSIGNED_GT, MATCHED_IOU, ("mu", exact(), True)], at_least=16),
    Entry("ota-exact", "ota_exact", [("mu", exact(), True)], at_least=16, variant_of="ota",
          not_compared=("assigned_gt", "matched_iou")),
    Entry("tal", "ultralytics_tal", [ASSIGNED_GT, ("target_scores", absolute(1e-4), False)], at_least=15,
          extra=[("tal-zero-ties.jsonl", "ultralytics_tal", 3, {})]),
    Entry("tood", "mmdet_tal", [ASSIGNED_GT, ("assign_metrics", absolute(1e-4), False)], at_least=15,
          extra=[("tal-zero-ties.jsonl", "mmdet_tal", 3, {})]),
    Entry("atss", "mmdet_atss", [ASSIGNED_GT, MATCHED_IOU], at_least=15,
          extra=[("tal-zero-ties.jsonl", "mmdet_atss", 3, {}), ("atss-distance-ties.jsonl", "mmdet_atss", 3, {}),
                 ("mmdet-ignore.jsonl", "mmdet_atss_ignore", 3, {"ignore_iof_thr": 0.5})]),
    Entry("maxiou", "mmdet_maxiou", [ASSIGNED_GT], at_least=15,
          extra=[("tal-zero-ties.jsonl", "mmdet_maxiou", 3, {}),
                 ("mmdet-ignore.jsonl", "mmdet_maxiou_ignore", 3, {"ignore_iof_thr": 0.5})]),
    Entry("yolov5", "yolov5_build_targets", [("rows", ("rows", 5, 1e-4), False)], exactly=14, absent="any"),
    # `cost` is the matcher's cost matrix, a derived quantity (HungarianMatcher.cost in Swift), not
    # an output of an assignment; the library does not return it.
    Entry("hungarian", "detr_hungarian", [("rows", exact(), False), ("cols", exact(), False),
                                          ("total", relative(1e-6), False)],
          exactly=17, absent="no_objects", not_compared=("queries", "cost")),
]

#: How each fixture key's fields are compared (options.jsonl names the key of each case).
FIELDS_BY_KEY = {entry.key: entry.fields for entry in TABLE}
#: anchors.jsonl keys: `assigned_gt` equal, `matched_iou` and `assign_metrics` within 1e-4.
ANCHOR_CASES = {
    "mmdet_atss": ("atss", {}, [ASSIGNED_GT, MATCHED_IOU]),
    "mmdet_atss_ignore": ("atss", {"ignore_iof_thr": 0.5}, [ASSIGNED_GT, MATCHED_IOU]),
    "mmdet_maxiou": ("maxiou", {}, [ASSIGNED_GT]),
    "mmdet_maxiou_ignore": ("maxiou", {"ignore_iof_thr": 0.5}, [ASSIGNED_GT]),
    # The reference ran without ignore regions: the preset's ignore rule off.
    "mmdet_tal": ("tood", {"ignore_iof_thr": -1}, [ASSIGNED_GT, ("assign_metrics", absolute(1e-4), False)]),
}


def scene_files():
    return sorted(glob.glob(str(ROOT / "scenes" / "*.json")))


def scenes(file=None):
    """(label, scene) of the scene fixtures, or of one further fixture file."""
    if file is None:
        return [(Path(p).name, labelassign.load_scene(p)) for p in scene_files()]
    return [(f"{file} scene {i}", s) for i, s in enumerate(labelassign.load_scenes(ROOT / file))]


def load_json(name):
    with open(ROOT / name) as handle:
        return json.load(handle)


def compare(got, want, comparison, label):
    """The failures of one output against one fixture field."""
    kind = comparison[0]
    if kind == "rows":
        return compare_rows(got, want, comparison[1], comparison[2], label)
    g = np.asarray(got, dtype=np.float64).ravel()
    w = np.asarray(want, dtype=np.float64).ravel()
    if g.shape != w.shape:
        return [f"{label}: {g.size} values, fixture {w.size}"]
    tolerance = comparison[1]
    if kind == "exact":
        bad = np.flatnonzero(g != w)
    elif kind == "absolute":
        bad = np.flatnonzero(~(np.abs(g - w) <= tolerance))
    else:
        bad = np.flatnonzero(~(np.abs(g - w) <= tolerance * np.abs(w)))
    if bad.size == 0:
        return []
    shown = "; ".join(f"[{i}]: {g[i]} vs {w[i]}" for i in bad[:5])
    return [f"{label}: {bad.size} of {g.size} differ: {shown}"]


def compare_rows(got, want, exact_columns, tolerance, label):
    g = np.asarray(got, dtype=np.float64).reshape(-1, 11) if len(got) else np.zeros((0, 11))
    w = np.asarray(want, dtype=np.float64).reshape(-1, 11) if len(want) else np.zeros((0, 11))
    if g.shape != w.shape:
        return [f"{label}: {len(g)} rows, fixture {len(w)}"]
    bad_exact = np.argwhere(g[:, :exact_columns] != w[:, :exact_columns])
    bad_float = np.argwhere(~(np.abs(g[:, exact_columns:] - w[:, exact_columns:]) <= tolerance))
    if len(bad_exact) == 0 and len(bad_float) == 0:
        return []
    return [f"{label}: {len(bad_exact)} exact and {len(bad_float)} float entries differ"]


def compare_fields(result, expected, fields, label):
    """(comparisons, failures) of `result` against one expectation."""
    comparisons, failures = 0, []
    for name, comparison, optional in fields:
        if name not in expected:
            if not optional:
                failures.append(f"{label}: fixture lacks {name}")
            continue
        if name not in result:
            failures.append(f"{label}: output lacks {name}")
            continue
        comparisons += 1
        failures += compare(result[name], expected[name], comparison, label + " " + name)
    return comparisons, failures
