"""Argument checks and conversions: every array the C functions read is C-contiguous float32,
float64 or int32. An array that already is one is passed as it is (no copy); any other numeric
array or nested list is converted once. Errors name the argument."""

import numpy as np


def _numeric(name, value):
    if value is None:
        raise TypeError(f"{name} is required")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name}: not a rectangular array ({error})") from None
    if array.dtype == np.bool_ or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    return array


def _shape_text(shape, labels):
    return "(" + ", ".join(str(l) if s is None else (f"{l}={s}" if l and l != str(s) else str(s))
                           for s, l in zip(shape, labels)) + ")"


def _check_shape(name, array, shape, labels):
    if array.size == 0 and array.ndim == 1 and len(shape) > 1 and None not in shape[1:]:
        array = array.reshape((0, *shape[1:]))  # an empty list for an empty (0, k) matrix
    if array.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape, array.shape)):
        raise ValueError(f"{name} must have shape {_shape_text(shape, labels)}, got {tuple(array.shape)}")
    return array


def array(name, value, dtype, shape, labels=None):
    """`value` as a C-contiguous array of `dtype` whose shape matches `shape` (ints, or None for
    any length); `labels` name the dimensions in messages. Integer targets accept integral floats
    only, within the target's range."""
    if (type(value) is np.ndarray and value.dtype == dtype and value.flags.c_contiguous
            and value.ndim == len(shape) and all(s is None or s == d for s, d in zip(shape, value.shape))):
        return value  # the common case, checked first: passed as it is
    labels = labels or [""] * len(shape)
    source = _numeric(name, value)
    source = _check_shape(name, source, shape, labels)
    target = np.dtype(dtype)
    if source.dtype == target and source.flags.c_contiguous:
        return source
    if target.kind == "i" and source.size:
        if source.dtype.kind == "f" and not np.all(np.isfinite(source) & (np.floor(source) == source)):
            raise ValueError(f"{name} must hold integers, got non-integral values")
        info = np.iinfo(target)
        if source.min() < info.min or source.max() > info.max:
            raise ValueError(f"{name} holds values outside the {target} range")
    return np.ascontiguousarray(source, dtype=target)


def optional(name, value, dtype, shape, labels=None):
    """:func:`array`, or None for None."""
    return None if value is None else array(name, value, dtype, shape, labels)


def pointer(array):
    """The address of the data of `array` (None for None), for c_void_p arguments and fields."""
    if array is None:
        return None
    return array.__array_interface__["data"][0]


def integer(name, value, minimum=None):
    """`value` as a Python int (numpy integers too), at least `minimum`."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def real(name, value):
    """`value` as a Python float (ints and numpy scalars too)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def image_size(value):
    """``image_size`` as (width, height) ints."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"image_size must be (width, height), got {value!r}")
    return integer("image_size[0]", value[0], 1), integer("image_size[1]", value[1], 1)
