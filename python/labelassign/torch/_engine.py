"""Tensor ↔ engine plumbing shared by the adapters: CPU float32 views, the prior layout of an
anchor-point list, and one engine call per image."""

import numpy as np
import torch

import labelassign

MAX_COORDINATE = float(1 << 24)


def host(tensor, dtype=np.float32):
    """`tensor` as a C-contiguous numpy array of `dtype` on the CPU (no copy when it already is one)."""
    array = tensor.detach().to("cpu").contiguous().numpy()
    return np.ascontiguousarray(array, dtype=dtype)


def _whole_strides(strides):
    """The strides as positive increasing integers, or None when they are not."""
    try:
        values = [float(s) for s in strides]
    except (TypeError, ValueError):
        return None
    whole = [int(v) for v in values]
    if not whole or any(w != v or w <= 0 for w, v in zip(whole, values)):
        return None
    if any(b <= a for a, b in zip(whole, whole[1:])):
        return None
    return whole


def _grid_points(width, height, strides, offset=0.5):
    """ultralytics `make_anchors(...) * stride_tensor`: the level grids in pixels, float32."""
    levels = []
    for s in strides:
        w, h = width // s, height // s
        sx = np.arange(w, dtype=np.float32) + np.float32(offset)
        sy = np.arange(h, dtype=np.float32) + np.float32(offset)
        yy, xx = np.meshgrid(sy, sx, indexing="ij")
        levels.append(np.stack((xx, yy), -1).reshape(-1, 2) * np.float32(s))
    return np.concatenate(levels) if levels else np.zeros((0, 2), np.float32)


def _grid_size(points, strides):
    """The image size (W, H) whose `make_anchors` grids at `strides` are exactly `points`, or None."""
    n, s0 = len(points), strides[0]
    if n == 0:
        return None
    row = points[:, 1] != points[0, 1]
    columns = int(np.argmax(row)) if row.any() else n
    width = columns * s0
    if any(width % s for s in strides):
        return None
    per_height = sum((width // s) / s for s in strides)
    height = int(round(n / per_height))
    if height <= 0 or any(height % s for s in strides):
        return None
    if sum((width // s) * (height // s) for s in strides) != n:
        return None
    if not np.array_equal(_grid_points(width, height, strides), points):
        return None
    return width, height


def prior_layout(points, strides):
    """Engine priors `(cx, cy, s, s)`, strides and image size for the anchor points `points` (N, 2).

    When `points` are ultralytics' `make_anchors` grids at the whole strides `strides`, each prior
    gets its level's stride (the engine then visits only the grid rows and columns an object
    covers); otherwise every prior is one level of stride `strides[0]` (or 1), scanned in full.
    Neither changes a result: the adapters set every constant the strides would imply.
    """
    whole = _whole_strides(strides)
    size = _grid_size(points, whole) if whole else None
    priors = np.empty((len(points), 4), np.float32)
    priors[:, :2] = points
    if size is not None:
        sizes = [(size[0] // s) * (size[1] // s) for s in whole]
        priors[:, 2:] = np.repeat(np.asarray(whole, np.float32), sizes)[:, None]
        return priors, whole, size
    stride = whole[0] if whole else 1
    priors[:, 2:] = np.float32(stride)
    extent = float(np.abs(points).max()) if len(points) else 1.0
    side = int(min(max(np.ceil(extent), 1.0), MAX_COORDINATE))
    return priors, [stride], (side, side)


def far_box(priors, margin):
    """An object box no prior lies inside even after enlargement to `margin`: the stand-in for a
    masked (padding) object row, which the references give no candidate either."""
    low = float(priors[:, :2].min()) if len(priors) else 0.0
    corner = low - 2.0 * float(margin) - 16.0
    if corner < -MAX_COORDINATE:
        corner = float(priors[:, :2].max()) + 2.0 * float(margin) + 16.0
    if abs(corner) > MAX_COORDINATE:
        raise ValueError("anc_points: the priors span more than the engine's coordinate range (+-2^24)")
    return np.full(4, corner, np.float32)


def assign_batch(assigner, layout, gt_bboxes, gt_labels, pred_bboxes, cls_logits, threads=None):
    """`Assigner.assign_batch` over ragged per-image objects and stacked predictions; `threads`
    None: torch's intra-op thread count (the results are the same for every count)."""
    threads = torch.get_num_threads() if threads is None else threads
    return assigner.assign_batch(**layout, gt_bboxes=gt_bboxes, gt_labels=gt_labels, pred_bboxes=pred_bboxes,
                                 cls_logits=cls_logits, threads=threads)


def engine_assigner(name, **options):
    """`labelassign.Assigner(name, **options)`."""
    return labelassign.Assigner(name, **options)
