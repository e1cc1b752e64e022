"""Synthetic padded batches in the layout ultralytics' `v8DetectionLoss` hands its assigner."""

import torch


def anchor_points(width, height, strides):
    """ultralytics `make_anchors(feats, strides, 0.5)` in pixels: (n, 2) float32."""
    points = []
    for s in strides:
        w, h = width // s, height // s
        sx = torch.arange(w, dtype=torch.float32) + 0.5
        sy = torch.arange(h, dtype=torch.float32) + 0.5
        yy, xx = torch.meshgrid(sy, sx, indexing="ij")
        points.append(torch.stack((xx, yy), -1).view(-1, 2) * s)
    return torch.cat(points)


def random_boxes(generator, count, width, height, min_side=2.0, max_side=None):
    """`count` xyxy boxes inside the image, sides in [min_side, max_side]."""
    max_side = max_side or min(width, height) / 2
    side = min_side + torch.rand(count, 2, generator=generator) * (max_side - min_side)
    low = torch.rand(count, 2, generator=generator) * (torch.tensor([width, height]) - side)
    return torch.cat((low, low + side), 1)


def batch(seed, counts, width=640, height=640, strides=(8, 16, 32), num_classes=80, n_max=None,
          quantise=None, spread=1.0):
    """(pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt) with `counts[b]` objects in image b.

    Padding rows are zeros as `v8DetectionLoss.preprocess` makes them; `quantise` rounds scores to
    multiples of 1/quantise (ties); predictions are boxes around each point of random size.
    """
    g = torch.Generator().manual_seed(seed)
    points = anchor_points(width, height, strides)
    n, bs = len(points), len(counts)
    n_max = max(counts) if n_max is None else n_max
    gt_bboxes = torch.zeros(bs, n_max, 4)
    gt_labels = torch.zeros(bs, n_max, 1)
    for b, k in enumerate(counts):
        gt_bboxes[b, :k] = random_boxes(g, k, width, height)
        gt_labels[b, :k, 0] = torch.randint(0, num_classes, (k,), generator=g).float()
    mask_gt = gt_bboxes.sum(2, keepdim=True).gt_(0.0)
    scores = torch.randn(bs, n, num_classes, generator=g).mul_(spread).sigmoid()
    if quantise:
        scores = (scores * quantise).round() / quantise
    half = 4 + torch.rand(bs, n, 2, generator=g) * 60
    shift = torch.randn(bs, n, 2, generator=g) * 4
    centre = points + shift
    pd_bboxes = torch.cat((centre - half, centre + half), -1)
    return scores, pd_bboxes, points, gt_labels, gt_bboxes, mask_gt
