"""A real `v8DetectionLoss` training step with the stock assigner and with the drop-in: equal
loss components and equal gradients."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("ultralytics")

from ultralytics.utils.loss import v8DetectionLoss  # noqa: E402

from labelassign.torch import TaskAlignedAssigner  # noqa: E402

import training  # noqa: E402


def drop_in_for(stock):
    """The drop-in built from the stock assigner's own constructor arguments."""
    return TaskAlignedAssigner(topk=stock.topk, num_classes=stock.num_classes, alpha=stock.alpha, beta=stock.beta,
                               stride=stock.stride, eps=stock.eps, topk2=stock.topk2)


@pytest.mark.parametrize("seed", [0, 1])
def test_v8_detection_loss_step_is_unchanged(seed):
    torch.set_num_threads(1)
    net = training.model(seed)
    imgs, batch = training.synthetic_batch(seed)
    criterion = v8DetectionLoss(net)
    loss_stock, items_stock, grads_stock = training.step(net, criterion, imgs, batch)
    criterion.assigner = drop_in_for(criterion.assigner)
    loss_drop_in, items_drop_in, grads_drop_in = training.step(net, criterion, imgs, batch)
    assert loss_stock.shape == loss_drop_in.shape == (3,)
    assert (loss_stock > 0).all()
    torch.testing.assert_close(loss_drop_in, loss_stock, rtol=1e-5, atol=0)
    torch.testing.assert_close(items_drop_in, items_stock, rtol=1e-5, atol=0)
    assert len(grads_stock) == len(grads_drop_in)
    for g_stock, g_drop_in in zip(grads_stock, grads_drop_in):
        scale = g_stock.abs().max().item()
        torch.testing.assert_close(g_drop_in, g_stock, rtol=1e-5, atol=1e-5 * max(scale, 1e-12))


def test_the_one_line_patch_builds_the_drop_in(monkeypatch):
    import ultralytics.utils.loss

    monkeypatch.setattr(ultralytics.utils.loss, "TaskAlignedAssigner", TaskAlignedAssigner)
    net = training.model(3)
    criterion = v8DetectionLoss(net)
    assert isinstance(criterion.assigner, TaskAlignedAssigner)
    assert (criterion.assigner.topk, criterion.assigner.alpha, criterion.assigner.stride) == (10, 0.5, [8.0, 16.0, 32.0])
    imgs, batch = training.synthetic_batch(3, images=2)
    loss_drop_in = training.step(net, criterion, imgs, batch)[0]
    monkeypatch.undo()
    loss_stock = training.step(net, v8DetectionLoss(net), imgs, batch)[0]
    torch.testing.assert_close(loss_drop_in, loss_stock, rtol=1e-5, atol=0)
