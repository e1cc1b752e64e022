"""Scenes, argument checks, engine errors, copies, batches and threads."""

import json
import threading
from pathlib import Path

import numpy as np
import pytest

import labelassign
from fixtures import ROOT, scene_files

SCENE = labelassign.load_scene(scene_files()[0])


def inputs(**changes):
    values = dict(SCENE.inputs)
    values.update(changes)
    return values


# --- scenes -------------------------------------------------------------------------------

def test_load_scene_gives_arrays_under_the_keyword_names():
    assert SCENE["image_size"] == (320, 320) and SCENE["num_classes"] == 8
    assert SCENE["priors"].dtype == np.float32 and SCENE["priors"].shape == (2100, 4)
    assert SCENE["gt_labels"].dtype == np.int32 and SCENE["gt_ignore"] is None
    assert "expected" in SCENE and "expected" not in SCENE.inputs


def test_load_scenes_reads_json_lines(tmp_path):
    scenes = labelassign.load_scenes(ROOT / "mmdet-ignore.jsonl")
    assert len(scenes) >= 3 and all(s["gt_ignore"] is not None for s in scenes)
    with pytest.raises(ValueError, match="holds .* scenes"):
        labelassign.load_scene(ROOT / "mmdet-ignore.jsonl")


def test_load_scene_names_what_is_missing_or_malformed(tmp_path):
    document = json.loads((ROOT / "scenes" / "scene-coco-1.json").read_text())
    del document["cls_logits"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="missing field cls_logits"):
        labelassign.load_scene(path)
    path.write_text('{"image": [1, 2], ')
    with pytest.raises(ValueError, match="invalid JSON"):
        labelassign.load_scene(path)


def test_nan_tokens_are_read_and_rejected_by_the_engine(tmp_path):
    text = (ROOT / "scenes" / "scene-coco-1.json").read_text()
    document = json.loads(text)
    document["gt_bboxes"][0][0] = float("nan")
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(document))  # writes the NaN token
    assert "NaN" in path.read_text()
    scene = labelassign.load_scene(path)
    assert np.isnan(scene["gt_bboxes"][0, 0])
    with pytest.raises(labelassign.LabelAssignError, match="gt_bboxes") as error:
        labelassign.assign("tal", **scene.inputs)
    assert error.value.code == 1 and error.value.name == "LA_ERROR_INVALID_INPUT"


# --- argument checks -------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, error, text", [
    ("priors", SCENE["priors"][:, :3], ValueError, r"priors must have shape \(N, 4\)"),
    ("pred_bboxes", SCENE["pred_bboxes"][:-1], ValueError, r"pred_bboxes must have shape \(N=2100, 4\)"),
    ("cls_logits", SCENE["cls_logits"][:, :5], ValueError, r"cls_logits must have shape \(N=2100, C=8\)"),
    ("gt_labels", SCENE["gt_labels"][:-1], ValueError, "gt_labels must have shape"),
    ("gt_labels", SCENE["gt_labels"] + 0.5, ValueError, "gt_labels must hold integers"),
    ("gt_bboxes", SCENE["gt_bboxes"].astype(np.complex64), TypeError, "gt_bboxes must be a numeric array"),
    ("gt_bboxes", SCENE["gt_bboxes"] > 0, TypeError, "gt_bboxes must be a numeric array"),
    ("obj_logits", SCENE["obj_logits"][:10], ValueError, "obj_logits must have shape"),
    ("anchors", np.zeros((3, 4)), ValueError, "anchors must have shape"),
    ("image_size", 320, ValueError, "image_size"),
    ("num_classes", 8.0, TypeError, "num_classes must be an integer"),
    ("gt_bboxes", None, TypeError, "gt_bboxes is required"),
    ("gt_bboxes", [[0, 0, 1, 1], [0, 0, 1]], ValueError, "gt_bboxes"),
])
def test_bad_arguments_name_themselves(name, value, error, text):
    with pytest.raises(error, match=text):
        labelassign.assign("simota", **inputs(**{name: value}))


def test_missing_argument_is_a_type_error():
    values = inputs()
    del values["cls_logits"]
    with pytest.raises(TypeError, match="cls_logits"):
        labelassign.assign("simota", **values)


def test_engine_errors_carry_the_engines_message():
    with pytest.raises(labelassign.LabelAssignError, match="obj_logits") as error:
        labelassign.assign("simota", **inputs(obj_logits=None))
    assert error.value.code == 1
    with pytest.raises(labelassign.LabelAssignError) as error:
        labelassign.Assigner("no-such-preset")
    assert error.value.name == "LA_ERROR_UNKNOWN_ASSIGNER" and "simota" in str(error.value)
    with pytest.raises(labelassign.LabelAssignError, match="topkk") as error:
        labelassign.Assigner("atss", topkk=3)
    assert error.value.name == "LA_ERROR_INVALID_OPTION"
    with pytest.raises(labelassign.LabelAssignError, match="topk"):
        labelassign.Assigner("atss", topk=0)
    with pytest.raises(labelassign.LabelAssignError, match="gt_labels"):
        labelassign.assign("tal", **inputs(gt_labels=np.full(len(SCENE["gt_labels"]), 8)))
    with pytest.raises(ValueError, match="options"):
        labelassign.Assigner("atss", topk=float("nan"))


def test_other_dtypes_are_converted_and_give_the_same_result():
    base = labelassign.assign("tal", **inputs())
    converted = labelassign.assign("tal", **inputs(
        priors=SCENE["priors"].astype(np.float64), gt_labels=SCENE["gt_labels"].astype(np.int64),
        cls_logits=np.asfortranarray(SCENE["cls_logits"]), pred_bboxes=SCENE["pred_bboxes"].tolist()))
    for name in base:
        assert np.array_equal(base[name], converted[name]), name


def test_contiguous_arrays_are_passed_without_copies():
    from labelassign import _arrays
    priors = SCENE["priors"]
    assert _arrays.array("priors", priors, np.float32, (None, 4)) is priors
    assert _arrays.array("priors", priors[::2], np.float32, (None, 4)) is not priors
    assert _arrays.array("priors", priors[::2], np.float32, (None, 4)).flags.c_contiguous


def test_result_fields_and_describe():
    assigner = labelassign.Assigner("ota")
    result = assigner.assign(**inputs())
    assert set(result) == {"assigned_gt", "matched_iou", "mu", "positives_per_gt"}
    assert result["assigned_gt"].dtype == np.int32 and result["matched_iou"].dtype == np.float32
    description = assigner.describe()
    assert description["name"] == "ota" and any(o["name"] == "sinkhorn_iters" for o in description["options"])
    tal = labelassign.Assigner("tal", topk=13, alpha=1)
    assert {o["name"]: o["value"] for o in tal.describe()["options"]}["topk"] == 13
    assert "target_scores" in tal.assign(**inputs()) and repr(tal) == "Assigner('tal', topk=13, alpha=1)"
    with pytest.raises(TypeError, match="options go to Assigner"):
        labelassign.assign(tal, topk=3, **inputs())


def test_presets_and_zero_priors():
    assert "simota" in labelassign.presets() and "ota-exact" in labelassign.presets()
    empty = inputs(priors=np.zeros((0, 4)), pred_bboxes=np.zeros((0, 4)), cls_logits=np.zeros((0, 8)),
                   obj_logits=np.zeros(0))
    for name in labelassign.presets():
        result = labelassign.assign(name, **empty)
        assert result["assigned_gt"].shape == (0,), name


# --- batches and threads -------------------------------------------------------------------

BATCH = [labelassign.load_scene(p) for p in scene_files() if labelassign.load_scene(p)["priors"].shape[0] == 2100]


def batch_inputs(scenes):
    first = scenes[0]
    return dict(image_size=first["image_size"], strides=first["strides"], num_classes=first["num_classes"],
                priors=first["priors"], gt_bboxes=[s["gt_bboxes"] for s in scenes],
                gt_labels=[s["gt_labels"] for s in scenes], pred_bboxes=np.stack([s["pred_bboxes"] for s in scenes]),
                cls_logits=np.stack([s["cls_logits"] for s in scenes]),
                obj_logits=np.stack([s["obj_logits"] for s in scenes]))


def padded(lists, width):
    longest = max(len(x) for x in lists)
    out = np.full((len(lists), longest, *([width] if width else [])), -7, dtype=np.float32)
    mask = np.zeros((len(lists), longest), dtype=bool)
    for b, x in enumerate(lists):
        out[b, :len(x)], mask[b, :len(x)] = x, True
    return out, mask


@pytest.mark.parametrize("preset", ["simota", "tal", "ota", "hungarian"])
def test_batch_equals_image_by_image_on_every_thread_count_and_layout(preset):
    assert len(BATCH) >= 8 and len({s["num_classes"] for s in BATCH}) == 1
    assigner = labelassign.Assigner(preset)
    values = batch_inputs(BATCH)
    single = [assigner.assign(**s.inputs) for s in BATCH]
    boxes, mask = padded(values["gt_bboxes"], 4)
    labels, _ = padded(values["gt_labels"], None)
    runs = [assigner.assign_batch(**values, threads=t) for t in (1, 2, 0)]
    runs.append(assigner.assign_batch(**dict(values, gt_bboxes=boxes, gt_labels=labels.astype(np.int32)),
                                      gt_mask=mask, threads=2))
    for run in runs:
        assert run["assigned_gt"].shape == (len(BATCH), 2100)
        for b, one in enumerate(single):
            image = run.image(b)
            assert set(image) == set(one)
            for name in one:
                assert np.array_equal(np.asarray(image[name]), np.asarray(one[name])), (preset, b, name)


def test_batch_errors_name_the_image():
    values = batch_inputs(BATCH[:3])
    values["gt_labels"][1] = np.full_like(values["gt_labels"][1], 99)
    with pytest.raises(labelassign.LabelAssignError, match="^image 1: "):
        labelassign.Assigner("tal").assign_batch(**values)
    with pytest.raises(ValueError, match="gt_labels has 2 images, expected B=3"):
        labelassign.Assigner("tal").assign_batch(**dict(batch_inputs(BATCH[:3]), gt_labels=values["gt_labels"][:2]))
    with pytest.raises(ValueError, match="gt_mask"):
        labelassign.Assigner("tal").assign_batch(**batch_inputs(BATCH[:3]), gt_mask=np.ones((3, 2), dtype=bool))


def test_two_threads_share_one_assigner():
    """ctypes releases the GIL during each call: both threads run at once on one handle and get
    the single-threaded answers."""
    assigner = labelassign.Assigner("simota")
    expected = [assigner.assign(**s.inputs)["assigned_gt"] for s in BATCH]
    failures, barrier = [], threading.Barrier(2)

    def work(order):
        barrier.wait()
        for _ in range(3):
            for k in order:
                if not np.array_equal(assigner.assign(**BATCH[k].inputs)["assigned_gt"], expected[k]):
                    failures.append(k)

    threads = [threading.Thread(target=work, args=(o,)) for o in (range(len(BATCH)), range(len(BATCH) - 1, -1, -1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_readme_example_runs(monkeypatch, capsys):
    """The README's Python example, as written, from the repository root."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "README.md").read_text()
    start = text.index("```python\nimport numpy as np, labelassign") + len("```python\n")
    monkeypatch.chdir(root)
    exec(compile(text[start:text.index("```", start)], "README.md", "exec"), {})
    assert "(8, 2100)" in capsys.readouterr().out


def test_a_missing_library_is_named(tmp_path):
    import os
    import subprocess
    import sys
    missing = tmp_path / "liblabelassign.so"
    code = "import labelassign\ntry:\n    labelassign.presets()\nexcept OSError as e:\n    print(e)\n"
    env = dict(os.environ, LABELASSIGN_LIB=str(missing))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert f"LABELASSIGN_LIB={missing}" in out and "not found" in out


def test_outputs_beyond_the_buffers_come_from_the_inputs_of_the_call():
    """ota's mu is computed on first access, from copies taken by the call: changing the caller's
    arrays afterwards (as a trainer reusing its buffers does) does not change it."""
    pred = SCENE["pred_bboxes"].copy()
    result = labelassign.assign("ota", **inputs(pred_bboxes=pred))
    expected = SCENE["expected"]["ota"]["mu"]
    pred[:] = pred[::-1]
    assert "mu" in result and len(result) == 4
    assert np.array_equal(result["mu"], expected)
    batch = labelassign.Assigner("ota").assign_batch(**batch_inputs(BATCH[:2]))
    assert np.array_equal(batch.image(1)["mu"], BATCH[1]["expected"]["ota"]["mu"])
    assert np.array_equal(batch["mu"][0], BATCH[0]["expected"]["ota"]["mu"])
