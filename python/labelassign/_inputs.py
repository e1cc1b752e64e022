"""The inputs of an assignment as C structures over checked arrays (the arrays are kept alive
with the structures that point into them)."""

import json

import numpy as np

from . import _arrays, _library

_f32, _i32 = np.float32, np.int32


class Layout:
    """``la_layout``: image size, strides, classes, priors ``(N, 4)`` and anchors ``(N, 4)``."""

    def __init__(self, image_size, strides, num_classes, priors, anchors):
        self.width, self.height = _arrays.image_size(image_size)
        self.strides = _arrays.array("strides", strides, _f32, (None,), ("L",))
        self.num_classes = _arrays.integer("num_classes", num_classes, 1)
        self.priors = _arrays.array("priors", priors, _f32, (None, 4), ("N", "4"))
        self.num_priors = len(self.priors)
        self.anchors = _arrays.optional("anchors", anchors, _f32, (self.num_priors, 4), ("N", "4"))
        p = _arrays.pointer
        self.structure = _library.la_layout(self.width, self.height, p(self.strides), len(self.strides),
                                            self.num_classes, p(self.priors), self.num_priors, p(self.anchors))

    def reusable(self, strides, priors, anchors):
        """Whether this layout may stand for later calls with these very arguments: the priors and
        anchors are the caller's arrays (no copy), the strides a sequence (kept by value) or the
        caller's array."""
        if self.priors is not priors or (anchors is not None and self.anchors is not anchors):
            return False
        self._sources = (priors, anchors, tuple(strides) if isinstance(strides, (list, tuple)) else strides)
        return isinstance(strides, (list, tuple)) or self.strides is strides

    def matches(self, image_size, strides, num_classes, priors, anchors):
        """Whether a call with these arguments has this layout (see :meth:`reusable`)."""
        kept_priors, kept_anchors, kept_strides = self._sources
        if priors is not kept_priors or anchors is not kept_anchors or num_classes != self.num_classes:
            return False
        if not isinstance(image_size, (list, tuple)) or tuple(image_size) != (self.width, self.height):
            return False
        if isinstance(strides, (list, tuple)):
            return isinstance(kept_strides, tuple) and tuple(strides) == kept_strides
        return strides is kept_strides

    def per_prior(self, name, value, width, batched=False, batch=None):
        """`value` checked as ``(N,)`` (`width` None) or ``(N, width)``; `batched`: with a leading
        axis of `batch` images (None: any number)."""
        shape = (self.num_priors,) if width is None else (self.num_priors, width)
        labels = ("N",) if width is None else ("N", "C" if width == self.num_classes and name.startswith("cls") else str(width))
        if batched:
            shape, labels = (batch, *shape), ("B", *labels)
        return _arrays.array(name, value, _f32, shape, labels)

    def snapshot(self, image):
        """A function giving the scene of `image` (an :class:`Image`) as a scene document (float32
        values exactly), from copies of the arrays taken now."""
        arrays = {"strides": self.strides, "priors": self.priors, "gt_bboxes": image.gt_bboxes,
                  "gt_labels": image.gt_labels, "pred_bboxes": image.pred_bboxes, "cls_logits": image.cls_logits,
                  "obj_logits": image.obj_logits, "gt_ignore": image.gt_ignore, "anchors": self.anchors}
        copies = {key: value.copy() for key, value in arrays.items() if value is not None}
        header = {"image": [self.width, self.height], "num_classes": self.num_classes}
        return lambda: json.dumps({**header, **{key: value.tolist() for key, value in copies.items()}})


class Image:
    """``la_image``: the objects and predictions of one image."""

    def __init__(self, layout, gt_bboxes, gt_labels, pred_bboxes, cls_logits, obj_logits, gt_ignore, checked=False):
        if checked:
            self.gt_bboxes, self.gt_labels, self.gt_ignore = gt_bboxes, gt_labels, gt_ignore
            self.pred_bboxes, self.cls_logits, self.obj_logits = pred_bboxes, cls_logits, obj_logits
        else:
            self.gt_bboxes = _arrays.array("gt_bboxes", gt_bboxes, _f32, (None, 4), ("G", "4"))
            self.gt_labels = _arrays.array("gt_labels", gt_labels, _i32, (len(self.gt_bboxes),), ("G",))
            self.pred_bboxes = layout.per_prior("pred_bboxes", pred_bboxes, 4)
            self.cls_logits = layout.per_prior("cls_logits", cls_logits, layout.num_classes)
            self.obj_logits = None if obj_logits is None else layout.per_prior("obj_logits", obj_logits, None)
            self.gt_ignore = _arrays.optional("gt_ignore", gt_ignore, _f32, (None, 4), ("K", "4"))
        self.num_gt = len(self.gt_bboxes)
        p = _arrays.pointer
        ignored = 0 if self.gt_ignore is None else len(self.gt_ignore)
        self.structure = _library.la_image(p(self.gt_bboxes), p(self.gt_labels), self.num_gt, p(self.pred_bboxes),
                                           p(self.cls_logits), p(self.obj_logits), p(self.gt_ignore), ignored)


def _ragged(name, value, mask, mask_name, width, dtype, batch):
    """Per-image rows given as a list of arrays, or padded ``(B, M[, width])`` with a ``(B, M)``
    mask: the rows of every image one after another, and the B + 1 offsets."""
    shape = (None,) if width is None else (None, width)
    labels = ("G_b",) if width is None else ("G_b", str(width))
    if isinstance(value, (list, tuple)):
        if mask is not None:
            raise ValueError(f"{mask_name} goes with padded arrays; {name} is a list")
        if batch is not None and len(value) != batch:
            raise ValueError(f"{name} has {len(value)} images, expected B={batch}")
        parts = [_arrays.array(f"{name}[{b}]", v, dtype, shape, labels) for b, v in enumerate(value)]
        counts = [len(p) for p in parts]
        flat = np.concatenate(parts) if parts else np.empty((0, *shape[1:]), dtype=dtype)
    else:
        padded = _arrays.array(name, value, dtype, (batch, None, *shape[1:]), ("B", "M", *labels[1:]))
        if mask is None:
            mask = np.ones(padded.shape[:2], dtype=bool)
        mask = np.asarray(mask)
        if mask.dtype != np.bool_ or mask.shape != padded.shape[:2]:
            raise ValueError(f"{mask_name} must be a bool array of shape {padded.shape[:2]}, got "
                             f"{mask.dtype} {mask.shape}")
        counts = mask.sum(axis=1).tolist()
        flat = np.ascontiguousarray(padded[mask])
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return flat, offsets


def _stacked(layout, name, value, width, batch):
    if isinstance(value, (list, tuple)):
        parts = [layout.per_prior(f"{name}[{b}]", v, width) for b, v in enumerate(value)]
        if batch is not None and len(parts) != batch:
            raise ValueError(f"{name} has {len(parts)} images, expected B={batch}")
        tail = (layout.num_priors,) if width is None else (layout.num_priors, width)
        return np.stack(parts) if parts else np.empty((0, *tail), dtype=_f32)
    return layout.per_prior(name, value, width, batched=True, batch=batch)


class Batch:
    """``la_batch``: B images over one layout."""

    def __init__(self, layout, gt_bboxes, gt_labels, pred_bboxes, cls_logits, obj_logits, gt_ignore,
                 gt_mask, ignore_mask):
        self.layout = layout
        self.pred_bboxes = _stacked(layout, "pred_bboxes", pred_bboxes, 4, None)
        self.size = len(self.pred_bboxes)
        self.cls_logits = _stacked(layout, "cls_logits", cls_logits, layout.num_classes, self.size)
        self.obj_logits = None if obj_logits is None else _stacked(layout, "obj_logits", obj_logits, None, self.size)
        self.gt_bboxes, self.gt_offsets = _ragged("gt_bboxes", gt_bboxes, gt_mask, "gt_mask", 4, _f32, self.size)
        self.gt_labels, label_offsets = _ragged("gt_labels", gt_labels, gt_mask, "gt_mask", None, _i32, self.size)
        if not np.array_equal(label_offsets, self.gt_offsets):
            raise ValueError("gt_labels must have one label per box of gt_bboxes in every image")
        self.gt_ignore, self.ignore_offsets = (None, None) if gt_ignore is None else _ragged(
            "gt_ignore", gt_ignore, ignore_mask, "ignore_mask", 4, _f32, self.size)
        p = _arrays.pointer
        self.structure = _library.la_batch(self.size, p(self.gt_offsets), p(self.gt_bboxes), p(self.gt_labels),
                                           p(self.pred_bboxes), p(self.cls_logits), p(self.obj_logits),
                                           p(self.ignore_offsets), p(self.gt_ignore))

    def image(self, b):
        """Image `b` as an :class:`Image` (views, no copies)."""
        g0, g1 = self.gt_offsets[b], self.gt_offsets[b + 1]
        ignore = None
        if self.gt_ignore is not None:
            ignore = self.gt_ignore[self.ignore_offsets[b]:self.ignore_offsets[b + 1]]
        obj = None if self.obj_logits is None else self.obj_logits[b]
        return Image(self.layout, self.gt_bboxes[g0:g1], self.gt_labels[g0:g1], self.pred_bboxes[b],
                     self.cls_logits[b], obj, ignore, checked=True)
