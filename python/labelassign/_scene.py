"""Scene files (README "Scene file"): one JSON object, or JSON lines; NaN / Infinity tokens are
read (the engine rejects them when the scene is assigned)."""

import json
from pathlib import Path

import numpy as np

#: Scene keys → (assign keyword, dtype, required).
FIELDS = {
    "image": ("image_size", None, True),
    "strides": ("strides", np.float32, True),
    "num_classes": ("num_classes", None, True),
    "priors": ("priors", np.float32, True),
    "gt_bboxes": ("gt_bboxes", np.float32, True),
    "gt_labels": ("gt_labels", np.int32, True),
    "pred_bboxes": ("pred_bboxes", np.float32, True),
    "cls_logits": ("cls_logits", np.float32, True),
    "obj_logits": ("obj_logits", np.float32, False),
    "gt_ignore": ("gt_ignore", np.float32, False),
    "anchors": ("anchors", np.float32, False),
}
_MATRICES = {"priors": 4, "gt_bboxes": 4, "pred_bboxes": 4, "gt_ignore": 4, "anchors": 4}


class Scene(dict):
    """A scene as a dict under the keyword names of :func:`labelassign.assign` (``image_size``,
    ``strides``, ``priors``, ... as numpy arrays; absent optional fields are None), and every other
    key of the file as read (``expected``, ``fragile``, ``seed``, ...)."""

    @property
    def inputs(self):
        """The keyword arguments of :func:`labelassign.assign` for this scene."""
        return {keyword: self[keyword] for keyword, _, _ in FIELDS.values()}


def _field(key, value, dtype, where):
    if key == "image":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError(f"{where}: image must be [width, height], got {value!r}")
        return tuple(value)
    if dtype is None:
        return value
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {key} is not a numeric array ({error})") from None
    if key in _MATRICES and array.size == 0:
        array = array.reshape(0, _MATRICES[key])
    if key == "gt_labels":
        if array.size and not np.all(np.isfinite(array) & (np.floor(array) == array)):
            raise ValueError(f"{where}: gt_labels must hold integers")
        if array.size and (array.min() < -2**31 or array.max() >= 2**31):
            raise ValueError(f"{where}: gt_labels holds values outside int32")
    return array.astype(dtype)


def _scene(document, where):
    if not isinstance(document, dict):
        raise ValueError(f"{where}: a scene must be a JSON object, got {type(document).__name__}")
    scene = Scene()
    for key, (keyword, dtype, required) in FIELDS.items():
        value = document.get(key)
        if value is None:
            if required:
                raise ValueError(f"{where}: missing field {key}")
            scene[keyword] = None
        else:
            scene[keyword] = _field(key, value, dtype, where)
    for key, value in document.items():
        if key not in FIELDS:
            scene[key] = value
    return scene


def _documents(text, where):
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"{where}: no scene")
    try:
        return [json.loads(stripped)]
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) < 2:
            raise ValueError(f"{where}: invalid JSON ({whole})") from None
        documents = []
        for number, line in lines:
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{where} line {number}: invalid JSON ({error})") from None
        return documents


def load_scenes(path):
    """Every scene of the scene file `path` (one JSON object, or one object a line), in order."""
    where = str(path)
    text = Path(path).read_text(encoding="utf-8")
    documents = _documents(text, where)
    single = len(documents) == 1
    return [_scene(d, where if single else f"{where} scene {i}") for i, d in enumerate(documents)]


def load_scene(path):
    """The scene of the scene file `path` as a :class:`Scene` (a dict of arrays under the keyword
    names of :func:`labelassign.assign`: ``labelassign.assign("simota", **scene.inputs)``).
    ValueError when the file holds several scenes (use :func:`load_scenes`), is not valid JSON, or
    lacks a required field (the message names it)."""
    scenes = load_scenes(path)
    if len(scenes) != 1:
        raise ValueError(f"{path} holds {len(scenes)} scenes; load_scenes reads them all")
    return scenes[0]
