"""`labelassign.torch.HungarianMatcher` against DETR's `HungarianMatcher` itself."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")

import detr_source  # noqa: E402
from labelassign.torch import HungarianMatcher  # noqa: E402

detr = detr_source.matcher_module()


def outputs_and_targets(seed, sizes, queries=100, classes=92, quantise=None):
    g = torch.Generator().manual_seed(seed)
    bs = len(sizes)
    logits = torch.randn(bs, queries, classes, generator=g)
    centre = torch.rand(bs, queries, 2, generator=g) * 0.8 + 0.1
    side = torch.rand(bs, queries, 2, generator=g) * 0.3 + 0.01
    boxes = torch.cat((centre, side), -1)
    if quantise:
        logits, boxes = (logits * quantise).round() / quantise, (boxes * quantise).round() / quantise
        boxes[..., 2:] = boxes[..., 2:].clamp(min=1 / quantise)
    targets = []
    for k in sizes:
        c = torch.rand(k, 2, generator=g) * 0.8 + 0.1
        s = torch.rand(k, 2, generator=g) * 0.3 + 0.01
        targets.append({"labels": torch.randint(0, classes - 1, (k,), generator=g), "boxes": torch.cat((c, s), 1)})
    return {"pred_logits": logits, "pred_boxes": boxes}, targets


def assert_same(expected, actual):
    assert len(expected) == len(actual)
    for (ei, ej), (ai, aj) in zip(expected, actual):
        assert ai.dtype == aj.dtype == torch.int64
        assert ai.device == ei.device
        assert torch.equal(ai, ei) and torch.equal(aj, ej)


@pytest.mark.parametrize("weights", [dict(cost_class=1, cost_bbox=5, cost_giou=2), dict(cost_class=1, cost_bbox=1, cost_giou=1),
                                     dict(cost_class=2, cost_bbox=0, cost_giou=0)], ids=["main", "class-defaults", "class-only"])
@pytest.mark.parametrize("seed", range(3))
def test_random_batches(seed, weights):
    outputs, targets = outputs_and_targets(seed, [3, 0, 17, 1])
    assert_same(detr.HungarianMatcher(**weights)(outputs, targets), HungarianMatcher(**weights)(outputs, targets))


def test_defaults_are_main_py_weights():
    outputs, targets = outputs_and_targets(5, [4, 6])
    assert_same(detr.HungarianMatcher(1, 5, 2)(outputs, targets), HungarianMatcher()(outputs, targets))


def test_more_objects_than_queries():
    outputs, targets = outputs_and_targets(6, [12, 3], queries=8)
    actual = HungarianMatcher()(outputs, targets)
    assert_same(detr.HungarianMatcher(1, 5, 2)(outputs, targets), actual)
    assert len(actual[0][0]) == 8


def test_every_image_empty():
    outputs, targets = outputs_and_targets(7, [0, 0])
    assert_same(detr.HungarianMatcher(1, 5, 2)(outputs, targets), HungarianMatcher()(outputs, targets))


def test_ties():
    outputs, targets = outputs_and_targets(8, [10, 25], queries=30, quantise=4)
    targets[1]["boxes"][5:10] = targets[1]["boxes"][0]
    targets[1]["labels"][5:10] = targets[1]["labels"][0]
    for weights in [(1, 5, 2), (1, 0, 0)]:
        assert_same(detr.HungarianMatcher(*weights)(outputs, targets), HungarianMatcher(*weights)(outputs, targets))


def test_all_costs_zero_is_an_error():
    with pytest.raises(ValueError, match="all costs"):
        HungarianMatcher(0, 0, 0)
