"""One ultralytics training step (yolov8n.yaml built without weights, 8 synthetic images) whose
assigner can be swapped: the losses and gradients of `v8DetectionLoss`."""

from types import SimpleNamespace

import torch


def model(seed=0, nc=80):
    """A `DetectionModel` from yolov8n.yaml with random weights and the default loss gains."""
    from ultralytics.cfg import get_cfg
    from ultralytics.nn.tasks import DetectionModel

    torch.manual_seed(seed)
    net = DetectionModel("yolov8n.yaml", nc=nc, verbose=False)
    net.args = SimpleNamespace(**vars(get_cfg()))
    net.train()
    return net


def synthetic_batch(seed, images=8, size=320, nc=80, max_objects=12, empty=(3,)):
    """Random images and YOLO-format targets (normalised xywh); the images in `empty` have none."""
    g = torch.Generator().manual_seed(seed)
    imgs = torch.rand(images, 3, size, size, generator=g)
    idx, cls, boxes = [], [], []
    for b in range(images):
        k = 0 if b in empty else int(torch.randint(1, max_objects + 1, (1,), generator=g))
        wh = 0.02 + torch.rand(k, 2, generator=g) * 0.4
        xy = wh / 2 + torch.rand(k, 2, generator=g) * (1 - wh)
        idx.append(torch.full((k,), float(b)))
        cls.append(torch.randint(0, nc, (k, 1), generator=g).float())
        boxes.append(torch.cat((xy, wh), 1))
    batch = {"batch_idx": torch.cat(idx), "cls": torch.cat(cls), "bboxes": torch.cat(boxes)}
    return imgs, batch


def step(net, criterion, imgs, batch):
    """(loss, loss items, gradients of every parameter) of one forward and backward pass."""
    net.zero_grad(set_to_none=True)
    preds = net(imgs)
    loss, items = criterion(preds, batch)
    loss.sum().backward()
    grads = [p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p) for p in net.parameters()]
    return loss.detach(), items, grads
