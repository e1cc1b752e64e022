"""Pairwise box overlaps (``la_overlap_matrix``)."""

import numpy as np

from . import _arrays
from ._errors import call

KINDS = ("iou", "giou", "diou", "ciou", "iof")
CONVENTIONS = ("torchvision", "mmdet", "yolox", "ultralytics", "yolov5")


def box_iou(boxes1, boxes2, kind="iou", convention="torchvision"):
    """The ``(N, M)`` float32 matrix of overlaps between the rows of `boxes1` ``(N, 4)`` and
    `boxes2` ``(M, 4)`` (``x1, y1, x2, y2``).

    `kind`: ``"iou"``, ``"giou"``, ``"diou"``, ``"ciou"`` or ``"iof"`` (intersection over the
    first box's area). `convention`: whose arithmetic, to the bit: ``"torchvision"`` (``box_iou``,
    ``generalized_box_iou``, ...), ``"mmdet"`` (``bbox_overlaps``, eps 1e-6), ``"yolox"``
    (``bboxes_iou``), ``"ultralytics"`` (8.4 ``bbox_iou``, eps 1e-7) or ``"yolov5"`` (7.0). Where
    the reference divides 0 by 0 (torchvision and yolox for two zero-area boxes) the entry is NaN,
    as there.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    first = _arrays.array("boxes1", boxes1, np.float32, (None, 4), ("N", "4"))
    second = _arrays.array("boxes2", boxes2, np.float32, (None, 4), ("M", "4"))
    out = np.empty((len(first), len(second)), dtype=np.float32)
    call("la_overlap_matrix", _arrays.pointer(first), len(first), _arrays.pointer(second), len(second),
         kind.encode(), convention.encode(), _arrays.pointer(out))
    return out
