"""Assigners: a preset with options behind a C handle (``la_assigner_create``)."""

import ctypes
import json
from collections.abc import Mapping

import numpy as np

from . import _arrays, _inputs, _library
from ._errors import call

#: LA_OUTPUT_* flags → output name (``quality`` takes its reference name).
_MATCHED_IOU, _TARGET_SCORES, _ASSIGN_METRICS = 1 << 1, 1 << 2, 1 << 3
#: Outputs that la_assign writes into caller buffers; others come from the scene-JSON path.
_BUFFERED = {"assigned_gt", "matched_iou", "target_scores", "assign_metrics", "positives_per_gt"}


# A scene without priors: every preset answers it with every output it has, empty.
_PROBE = json.dumps({"image": [32, 32], "strides": [8], "num_classes": 1, "priors": [], "gt_bboxes": [],
                     "gt_labels": [], "pred_bboxes": [], "cls_logits": [], "obj_logits": []})


class Result(Mapping):
    """The outputs of one image under their fixture names: ``assigned_gt`` (int32: object index,
    -1 background, -2 ignored), ``positives_per_gt`` (int32, one per object) and the preset's own
    (``matched_iou``, ``target_scores``, ``assign_metrics`` as float32; ``mu``, ``rows``, ``cols``,
    ``total``, ... as the preset gives them). The outputs beyond the per-prior buffers (``mu``,
    ``rows``, ...) are computed on first access, from a copy of the inputs taken by the call."""

    def __init__(self, values, lazy=(), fetch=None):
        self._values = dict(values)
        self._lazy = [name for name in lazy if name not in self._values]
        self._fetch = fetch

    def _complete(self):
        if self._lazy:
            fetched = self._fetch()
            self._values.update({name: fetched.get(name) for name in self._lazy})
            self._lazy, self._fetch = [], None

    def __getitem__(self, name):
        if name not in self._values and name in self._lazy:
            self._complete()
        return self._values[name]

    def __iter__(self):
        return iter(list(self._values) + self._lazy)

    def __len__(self):
        return len(self._values) + len(self._lazy)

    def __repr__(self):
        return f"{type(self).__name__}({{{', '.join(map(repr, self))}}})"


class BatchResult(Result):
    """The outputs of a batch: per-prior fields stacked ``(B, N)``, ``positives_per_gt`` and the
    preset's other outputs as lists with one entry per image (computed on first access).
    ``image(b)`` is image b's :class:`Result`."""

    def __init__(self, values, lazy=(), fetch_image=None, size=0):
        super().__init__(values, lazy, lambda: self._all_images())
        self._fetch_image, self._size, self._images = fetch_image, size, {}

    def _image_outputs(self, b):
        if b not in self._images:
            self._images[b] = self._fetch_image(b)
        return self._images[b]

    def _all_images(self):
        outputs = [self._image_outputs(b) for b in range(self._size)]
        return {name: [o.get(name) for o in outputs] for name in self._lazy}

    def image(self, index):
        """Image `index`'s outputs as a :class:`Result`."""
        index = range(self._size)[index]
        values = {name: value[index] for name, value in self._values.items()}
        return Result(values, self._lazy, lambda: self._image_outputs(index))


def presets():
    """The preset names, in the engine's order."""
    names = _library.function("la_assigner_names")
    needed = names(None, 0)
    buffer = ctypes.create_string_buffer(needed + 1)
    names(buffer, needed + 1)
    return buffer.value.decode().split(",") if needed else []


def _options_json(options):
    try:
        return json.dumps(options, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as error:
        raise ValueError(f"options: {error}") from None


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _take_string(pointer):
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        _library.function("la_free")(pointer)


class Assigner:
    """A preset (see :func:`presets`) configured with `options` (the reference's argument names,
    e.g. ``Assigner("atss", topk=5, ignore_iof_thr=0.5)``), created once and reused.

    Thread-safe: the handle is immutable, and every call goes through :class:`ctypes.CDLL`, which
    releases the GIL while the engine runs, so threads sharing one Assigner assign in parallel.
    Unknown options or bad values raise :class:`labelassign.LabelAssignError` naming the option.
    """

    def __init__(self, name, **options):
        if not isinstance(name, str):
            raise TypeError(f"name must be a preset name (str), got {type(name).__name__}")
        self.name = name
        self.options = dict(options)
        self._options_json = _options_json(self.options)
        handle = ctypes.c_void_p()
        call("la_assigner_create", name.encode(), self._options_json.encode(), ctypes.byref(handle))
        self._handle = handle
        self._cached_layout = None
        self._free = _library.function("la_assigner_free")
        self._description = self._describe()
        flags = _library.function("la_assigner_outputs")(handle)
        self._quality = ("target_scores" if flags & _TARGET_SCORES else
                         "assign_metrics" if flags & _ASSIGN_METRICS else None)
        self._matched_iou = bool(flags & _MATCHED_IOU)
        self._extras = [name for name in self._json_outputs(_PROBE, every=True) if name not in _BUFFERED]

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            self._free(handle)

    def __repr__(self):
        spelled = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"Assigner({self.name!r}{', ' + spelled if spelled else ''})"

    def _describe(self):
        text = ctypes.c_void_p()
        call("la_assigner_describe", self._handle, ctypes.byref(text))
        return json.loads(_take_string(text))

    def describe(self):
        """The configuration: ``{"name", "summary", "options": [{"name", "value", "default",
        "reference", ...}], "outputs": [...]}`` (``labelassign assign --describe NAME --json``)."""
        return json.loads(json.dumps(self._description))

    @property
    def outputs(self):
        """The names of the outputs of this assigner's results (``positives_per_gt`` besides)."""
        return list(self._description.get("outputs", [])) + self._extras

    def _layout(self, image_size, strides, num_classes, priors, anchors):
        """The checked layout, reused while a caller passes the same prior arrays (as trainers do):
        only when `priors` (and `anchors`) were read in place, without a copy, so that changes to
        them show, and the image size, strides and class count are equal."""
        cached = self._cached_layout
        if cached is not None and cached.matches(image_size, strides, num_classes, priors, anchors):
            return cached
        layout = _inputs.Layout(image_size, strides, num_classes, priors, anchors)
        self._cached_layout = layout if layout.reusable(strides, priors, anchors) else None
        return layout

    def _buffers(self, shape, num_gt):
        out = {"assigned_gt": np.empty(shape, dtype=np.int32), "positives_per_gt": np.empty(num_gt, dtype=np.int32)}
        if self._matched_iou:
            out["matched_iou"] = np.empty(shape, dtype=np.float32)
        if self._quality:
            out[self._quality] = np.empty(shape, dtype=np.float32)
        structure = _library.la_outputs(_arrays.pointer(out["assigned_gt"]), _arrays.pointer(out.get("matched_iou")),
                                        _arrays.pointer(out.get(self._quality)),
                                        _arrays.pointer(out["positives_per_gt"]))
        return out, structure

    def assign(self, *, image_size, strides, num_classes, priors, gt_bboxes, gt_labels, pred_bboxes, cls_logits,
               obj_logits=None, gt_ignore=None, anchors=None):
        """Assigns the priors of one image; returns a :class:`Result`. Arrays: `priors` ``(N, 4)``
        (``cx, cy, stride_x, stride_y``), `gt_bboxes` ``(G, 4)``, `gt_labels` ``(G,)``,
        `pred_bboxes` ``(N, 4)``, `cls_logits` ``(N, C)``, `obj_logits` ``(N,)``, `gt_ignore`
        ``(K, 4)``, `anchors` ``(N, 4)``. C-contiguous float32 / int32 arrays are read in place;
        others are converted once. Bad shapes or dtypes raise TypeError / ValueError naming the
        argument; the engine's validation raises :class:`labelassign.LabelAssignError`."""
        layout = self._layout(image_size, strides, num_classes, priors, anchors)
        image = _inputs.Image(layout, gt_bboxes, gt_labels, pred_bboxes, cls_logits, obj_logits, gt_ignore)
        out, structure = self._buffers(layout.num_priors, image.num_gt)
        call("la_assign", self._handle, ctypes.byref(layout.structure), ctypes.byref(image.structure),
             ctypes.byref(structure))
        if not self._extras:
            return Result(out)
        scene = layout.snapshot(image)  # the inputs as they are now, for the outputs beyond the buffers
        return Result(out, self._extras, lambda: self._json_outputs(scene))

    def assign_batch(self, *, image_size, strides, num_classes, priors, gt_bboxes, gt_labels, pred_bboxes,
                     cls_logits, obj_logits=None, gt_ignore=None, anchors=None, gt_mask=None, ignore_mask=None,
                     threads=1):
        """Assigns B images sharing one prior layout; returns a :class:`BatchResult`.

        Objects: `gt_bboxes` / `gt_labels` as lists of per-image ``(G_b, 4)`` / ``(G_b,)`` arrays,
        or padded ``(B, M, 4)`` / ``(B, M)`` arrays with `gt_mask` ``(B, M)`` (True: a real object;
        None: all real). `gt_ignore` likewise, with `ignore_mask`. Predictions: `pred_bboxes`
        ``(B, N, 4)``, `cls_logits` ``(B, N, C)``, `obj_logits` ``(B, N)`` (or lists of per-image
        arrays). `threads` workers (<= 0: one per core); the results are the same for every count.
        """
        layout = self._layout(image_size, strides, num_classes, priors, anchors)
        batch = _inputs.Batch(layout, gt_bboxes, gt_labels, pred_bboxes, cls_logits, obj_logits, gt_ignore,
                              gt_mask, ignore_mask)
        out, structure = self._buffers((batch.size, layout.num_priors), int(batch.gt_offsets[-1]))
        call("la_assign_batch", self._handle, ctypes.byref(layout.structure), ctypes.byref(batch.structure),
             _arrays.integer("threads", threads), ctypes.byref(structure))
        out["positives_per_gt"] = np.split(out["positives_per_gt"], batch.gt_offsets[1:-1])
        if not self._extras:
            return BatchResult(out, size=batch.size)
        scenes = [layout.snapshot(batch.image(b)) for b in range(batch.size)]
        return BatchResult(out, self._extras, lambda b: self._json_outputs(scenes[b]), batch.size)

    def _json_outputs(self, scene, every=False):
        """The outputs beyond the caller buffers (``mu``, ``rows``, ...), from la_assign_json
        (`every`: all of them)."""
        text = ctypes.c_void_p()
        scene_json = scene if isinstance(scene, str) else scene()
        call("la_assign_json", self.name.encode(), self._options_json.encode(), scene_json.encode(),
             ctypes.byref(text))
        document = json.loads(_take_string(text).splitlines()[0])
        names = [n for n in document if n != "assigner"] if every else self._extras
        return {name: _output_array(document[name]) for name in names if name in document}


def _output_array(value):
    """A JSON output as numpy: integer lists int32, number lists float32, rows float64, numbers as
    they are."""
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        return np.array(value, dtype=np.float64)
    if all(isinstance(v, int) for v in value) and value:
        return np.array(value, dtype=np.int32)
    return np.array(value, dtype=np.float32)


def assign(assigner, *, image_size, strides, num_classes, priors, gt_bboxes, gt_labels, pred_bboxes, cls_logits,
           obj_logits=None, gt_ignore=None, anchors=None, **options):
    """One image with the preset `assigner` (a name, with `options`) or an :class:`Assigner`;
    see :meth:`Assigner.assign`."""
    if isinstance(assigner, Assigner):
        if options:
            raise TypeError("options go to Assigner(name, **options), not to assign() with an Assigner")
        made = assigner
    else:
        made = Assigner(assigner, **options)
    return made.assign(image_size=image_size, strides=strides, num_classes=num_classes, priors=priors,
                       gt_bboxes=gt_bboxes, gt_labels=gt_labels, pred_bboxes=pred_bboxes, cls_logits=cls_logits,
                       obj_logits=obj_logits, gt_ignore=gt_ignore, anchors=anchors)
