"""`labelassign.torch.TaskAlignedAssigner` against ultralytics 8.4.190 `TaskAlignedAssigner` itself."""

import pytest

torch = pytest.importorskip("torch")
tal = pytest.importorskip("ultralytics.utils.tal")

import labelassign  # noqa: E402
from labelassign.torch import TaskAlignedAssigner  # noqa: E402

import scenes  # noqa: E402

NAMES = ("target_labels", "target_bboxes", "target_scores", "fg_mask", "target_gt_idx")
TRAINING = dict(topk=10, num_classes=80, alpha=0.5, beta=6.0, stride=[8.0, 16.0, 32.0])


def assert_same(expected, actual):
    """Every output: shape, dtype and device as upstream; discrete ones equal, scores within 1e-5."""
    assert len(actual) == len(expected) == 5
    for name, e, a in zip(NAMES, expected, actual):
        assert a.shape == e.shape, name
        assert a.dtype == e.dtype, name
        assert a.device == e.device, name
        if name == "target_scores":
            torch.testing.assert_close(a, e, rtol=0, atol=1e-5, msg=name)
            assert torch.equal(a > 0, e > 0), name
        else:
            assert torch.equal(a, e), f"{name}: {(a != e).sum().item()} entries differ"


def run_both(args, **kwargs):
    upstream = tal.TaskAlignedAssigner(**kwargs)
    drop_in = TaskAlignedAssigner(**kwargs)
    expected = upstream(*args)
    actual = drop_in(*args)
    assert_same(expected, actual)
    return expected


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kwargs", [TRAINING, {}, dict(TRAINING, topk2=7), dict(topk=13, alpha=1.0, beta=4.0, eps=1e-6)],
                         ids=["v8DetectionLoss", "defaults", "topk2", "other"])
def test_random_padded_batches(seed, kwargs):
    counts = [int(c) for c in torch.randint(1, 25, (4,), generator=torch.Generator().manual_seed(seed))]
    out = run_both(scenes.batch(seed, counts), **kwargs)
    assert out[3].sum() > 0


def test_images_with_zero_objects_in_a_batch():
    out = run_both(scenes.batch(11, [0, 7, 0, 3]), **TRAINING)
    assert not out[3][0].any() and not out[3][2].any()


def test_batch_without_objects_n_max_boxes_zero():
    run_both(scenes.batch(12, [0, 0, 0]), **TRAINING)


def test_padding_rows_beyond_the_largest_image():
    run_both(scenes.batch(13, [3, 5], n_max=9), **TRAINING)


def test_mask_with_holes():
    args = list(scenes.batch(14, [8, 8, 8]))
    mask = args[5].clone()
    mask[0, 0] = 0
    mask[1, 3:6] = 0
    mask[2, ::2] = 0
    args[5] = mask
    run_both(tuple(args), **TRAINING)


def test_objects_without_candidates():
    args = list(scenes.batch(15, [6, 6]))
    boxes = args[4].clone()
    boxes[0, :3] = torch.tensor([[700.0, 700.0, 720.0, 730.0], [-90.0, 10.0, -60.0, 40.0], [100.0, 650.0, 140.0, 700.0]])
    args[4] = boxes
    args[5] = boxes.sum(2, keepdim=True).gt_(0.0)
    run_both(tuple(args), **TRAINING)
    run_both(tuple(args), **dict(TRAINING, stride=[8.0, 0.0, 32.0]))


def test_crowded_images():
    g = torch.Generator().manual_seed(16)
    args = list(scenes.batch(16, [300, 120]))
    boxes = args[4].clone()
    boxes[0, :300] = scenes.random_boxes(g, 300, 160, 160, min_side=4, max_side=60) + 200
    args[4] = boxes
    run_both(tuple(args), **TRAINING)
    run_both(tuple(args), **dict(TRAINING, topk2=4))


def test_ties_in_scores_and_boxes():
    args = list(scenes.batch(17, [20, 20], quantise=4))
    args[1] = args[1][:1].expand_as(args[1]).clone().round()
    run_both(tuple(args), **TRAINING)
    run_both(tuple(args), topk=13, num_classes=80)


def test_identical_objects_tie():
    args = list(scenes.batch(18, [6]))
    args[4][0, 3:6] = args[4][0, 0]
    args[3][0, 3:6] = args[3][0, 0]
    run_both(tuple(args), **TRAINING)


def test_small_scene_uses_the_sort_path_of_topk():
    run_both(scenes.batch(19, [3, 4], width=64, height=64, quantise=2), **TRAINING)


def test_points_that_are_not_a_grid():
    args = list(scenes.batch(20, [5, 9], width=128, height=96))
    perm = torch.randperm(len(args[2]), generator=torch.Generator().manual_seed(0))
    args[0], args[1], args[2] = args[0][:, perm], args[1][:, perm], args[2][perm]
    run_both(tuple(args), **TRAINING)


def test_non_square_image_and_one_stride():
    run_both(scenes.batch(21, [4, 6], width=320, height=192), **TRAINING)
    run_both(scenes.batch(22, [4, 6], width=256, height=128, strides=(16,)), **dict(TRAINING, stride=[16]))


def test_every_thread_count_gives_the_same_targets():
    args = scenes.batch(27, [40, 0, 7, 120, 3, 9])
    drop_in = TaskAlignedAssigner(**TRAINING)
    outputs = []
    for threads in (1, 2, 0):
        drop_in.threads = threads
        outputs.append(drop_in(*args))
    for other in outputs[1:]:
        for a, b in zip(outputs[0], other):
            assert torch.equal(a, b)


def test_labels_outside_the_classes_are_an_error():
    args = list(scenes.batch(23, [3]))
    args[3][0, 1, 0] = 80
    with pytest.raises(labelassign.LabelAssignError, match="gt_labels"):
        TaskAlignedAssigner(**TRAINING)(*args)


def test_scores_outside_unit_interval_are_an_error():
    args = list(scenes.batch(24, [3]))
    args[0][0, 5, 0] = 1.5
    with pytest.raises(labelassign.LabelAssignError, match="cls_logits"):
        TaskAlignedAssigner(**TRAINING)(*args)


def test_unexpected_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="gt_kpts"):
        TaskAlignedAssigner(**TRAINING)(*scenes.batch(25, [2]), gt_kpts=torch.zeros(1))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_tensors_come_back_on_the_device():
    args = tuple(t.cuda() for t in scenes.batch(26, [5, 2]))
    upstream = tal.TaskAlignedAssigner(**TRAINING)(*args)
    actual = TaskAlignedAssigner(**TRAINING)(*args)
    for name, e, a in zip(NAMES, upstream, actual):
        assert a.device == e.device and a.dtype == e.dtype, name
