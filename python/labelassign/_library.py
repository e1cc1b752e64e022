"""Finding and loading liblabelassign, and the C signatures of its functions.

The library is opened with :class:`ctypes.CDLL` (not ``PyDLL``): ctypes releases the GIL for the
duration of every foreign call, so several Python threads run assignments in parallel.

Search order: ``LABELASSIGN_LIB`` (a library file, or a directory holding one; when set, nothing
else is tried), the copy bundled in this package (a wheel, or ``pip install ./python`` when it built
one), then the install prefixes (``sys.prefix``, ``/usr/local``, ``/usr``: where ``make install``
puts it) and the system's library path.
"""

import ctypes
import ctypes.util
import os
import sys
import threading
from ctypes import POINTER, c_char_p, c_double, c_int32, c_int64, c_void_p
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_NAMES = ("liblabelassign.so", "liblabelassign.so.0", "liblabelassign.dylib")

# Array arguments are addresses (c_void_p: an int, None or byref() converts without the cost of
# a typed ctypes pointer); the C types are those of labelassign.h.
_f32 = _f64 = _i32 = _i64 = c_void_p
_err = (ctypes.c_char_p, c_int64)

#: Error message capacity passed to every call.
ERROR_CAPACITY = 4096


class la_layout(ctypes.Structure):
    """``la_layout``: the prior layout shared by the images of a batch."""

    _fields_ = [("image_width", c_int32), ("image_height", c_int32), ("strides", _f32),
                ("num_strides", c_int32), ("num_classes", c_int32), ("priors", _f32),
                ("num_priors", c_int64), ("anchors", _f32)]


class la_image(ctypes.Structure):
    """``la_image``: the objects and predictions of one image."""

    _fields_ = [("gt_bboxes", _f32), ("gt_labels", _i32), ("num_gt", c_int64), ("pred_bboxes", _f32),
                ("cls_logits", _f32), ("obj_logits", _f32), ("gt_ignore", _f32), ("num_ignore", c_int64)]


class la_outputs(ctypes.Structure):
    """``la_outputs``: caller buffers for the outputs."""

    _fields_ = [("assigned_gt", _i32), ("matched_iou", _f32), ("quality", _f32), ("positives_per_gt", _i32)]


class la_batch(ctypes.Structure):
    """``la_batch``: B images sharing one layout, objects ragged through offsets."""

    _fields_ = [("batch_size", c_int64), ("gt_offsets", _i64), ("gt_bboxes", _f32), ("gt_labels", _i32),
                ("pred_bboxes", _f32), ("cls_logits", _f32), ("obj_logits", _f32),
                ("ignore_offsets", _i64), ("gt_ignore", _f32)]


# name: (restype, argtypes); functions missing from an older library are left out.
_SIGNATURES = {
    "la_version": (c_char_p, []),
    "la_assigner_names": (c_int64, [c_char_p, c_int64]),
    "la_free": (None, [c_void_p]),
    "la_overlap_matrix": (c_int32, [_f32, c_int64, _f32, c_int64, c_char_p, c_char_p, _f32, *_err]),
    "la_emd": (c_int32, [_f64, _f64, _f64, c_int64, c_int64, c_int64, _f64, _f64, _f64, _f64, *_err]),
    "la_emd2": (c_int32, [_f64, _f64, _f64, c_int64, c_int64, c_int64, _f64, *_err]),
    "la_assigner_create": (c_int32, [c_char_p, c_char_p, POINTER(c_void_p), *_err]),
    "la_assigner_free": (None, [c_void_p]),
    "la_assigner_describe": (c_int32, [c_void_p, POINTER(c_void_p), *_err]),
    "la_assigner_outputs": (c_int32, [c_void_p]),
    "la_assign": (c_int32, [c_void_p, POINTER(la_layout), POINTER(la_image), POINTER(la_outputs), *_err]),
    "la_assign_batch": (c_int32, [c_void_p, POINTER(la_layout), POINTER(la_batch), c_int32,
                                  POINTER(la_outputs), *_err]),
    "la_assign_json": (c_int32, [c_char_p, c_char_p, c_char_p, POINTER(c_void_p), *_err]),
    "la_sinkhorn": (c_int32, [_f64, _f64, _f64, c_int64, c_int64, c_double, c_char_p, c_int64, c_double,
                              c_double, c_int64, _f64, _f64, _f64, _f64, _f64, _i64, _f64,
                              _f64, c_int64, _i64, _i32, *_err]),
    "la_linear_sum_assignment": (c_int32, [_f64, c_int64, c_int64, c_int32, _i64, _i64, _i64, _f64, *_err]),
}

_lock = threading.Lock()
_lib = None


def _in_directory(directory):
    for name in _NAMES:
        path = Path(directory) / name
        if path.exists():
            yield path


def candidates():
    """The library paths tried, in order (``LABELASSIGN_LIB`` alone when it is set)."""
    override = os.environ.get("LABELASSIGN_LIB")
    if override:
        path = Path(override)
        return list(_in_directory(path)) if path.is_dir() else [path]
    found = list(_in_directory(_HERE))
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, "/usr/local", "/usr")):
        found += list(_in_directory(Path(prefix) / "lib"))
    system = ctypes.util.find_library("labelassign")
    if system:
        found.append(Path(system))
    return found


def _declare(lib):
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, name, None)
        if function is not None:
            function.restype = restype
            function.argtypes = argtypes
    return lib


def load():
    """The loaded library (opened once); ``OSError`` naming every path tried when none loads."""
    global _lib
    with _lock:
        if _lib is None:
            tried = []
            for path in candidates():
                try:
                    _lib = _declare(ctypes.CDLL(str(path)))
                    _lib.path = str(path)
                    break
                except OSError as error:
                    tried.append(f"{path}: {error}")
            else:
                where = os.environ.get("LABELASSIGN_LIB")
                hint = f"LABELASSIGN_LIB={where}" if where else "set LABELASSIGN_LIB or reinstall the package"
                raise OSError(f"liblabelassign not found ({hint}); tried: " + ("; ".join(tried) or "nothing"))
        return _lib


def function(name):
    """The C function `name`; ``RuntimeError`` when the loaded library predates it."""
    lib = load()
    found = getattr(lib, name, None) if name in _SIGNATURES else None
    if found is None:
        raise RuntimeError(f"{lib.path} has no {name} (library version {lib.la_version().decode()})")
    return found
