"""box_iou against iou.json (torchvision pairwise, ultralytics 8.4 element-wise; 1e-4)."""

import numpy as np
import pytest

import labelassign
from fixtures import load_json

CASES = load_json("iou.json")


def close(got, want):
    want = np.asarray(want, dtype=np.float64)
    return np.array_equal(np.isnan(got), np.isnan(want)) and np.all(np.abs(got - want)[~np.isnan(want)] <= 1e-4)


@pytest.mark.parametrize("kind", ["iou", "giou", "diou", "ciou"])
def test_torchvision_pairwise(kind):
    for case in CASES:
        got = labelassign.box_iou(case["boxes1"], case["boxes2"], kind=kind)
        assert got.dtype == np.float32 and got.shape == (len(case["boxes1"]), len(case["boxes2"]))
        assert close(got, case["expected"][kind]), kind


@pytest.mark.parametrize("kind", ["iou", "giou", "diou", "ciou"])
def test_ultralytics_aligned(kind):
    for case in CASES:
        n = min(len(case["boxes1"]), len(case["boxes2"]))
        got = labelassign.box_iou(case["boxes1"][:n], case["boxes2"][:n], kind=kind, convention="ultralytics")
        assert close(np.diagonal(got), case["expected"]["aligned_" + kind]), kind


def test_inputs_are_checked():
    boxes = np.array([[0, 0, 2, 2]], dtype=np.float32)
    with pytest.raises(ValueError, match="boxes2 must have shape"):
        labelassign.box_iou(boxes, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="kind"):
        labelassign.box_iou(boxes, boxes, kind="dice")
    with pytest.raises(ValueError, match="convention"):
        labelassign.box_iou(boxes, boxes, convention="detectron")
    with pytest.raises(labelassign.LabelAssignError, match="boxes1"):
        labelassign.box_iou([[2, 0, 0, 2]], boxes)
    assert labelassign.box_iou(boxes, np.zeros((0, 4))).shape == (1, 0)
    assert labelassign.box_iou(boxes.astype(np.float64), boxes.tolist())[0, 0] == 1.0
