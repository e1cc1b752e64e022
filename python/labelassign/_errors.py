"""The engine's error type and the call helper that raises it."""

import ctypes

from . import _library

#: LA_* error codes of labelassign.h, by value.
CODES = {
    1: "LA_ERROR_INVALID_INPUT",
    2: "LA_ERROR_UNKNOWN_ASSIGNER",
    3: "LA_ERROR_ARGUMENT",
    4: "LA_ERROR_LIMIT",
    5: "LA_ERROR_MAX_ITER_REACHED",
    6: "LA_ERROR_INVALID_OPTION",
}


class LabelAssignError(Exception):
    """An error reported by the engine: ``code`` (an LA_* value), ``name`` (its LA_* name) and the
    engine's one-line message (``str(error)``)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.name = CODES.get(code, f"LA_ERROR_{code}")
        self.message = message


def error_buffer():
    """A fresh buffer for an error message (one per call: calls may run on several threads)."""
    return ctypes.create_string_buffer(_library.ERROR_CAPACITY)


def call(name, *arguments, tolerate=()):
    """Calls the C function `name` with `arguments` and a fresh error buffer; returns the code.
    Raises :class:`LabelAssignError` with the engine's message unless the code is 0 or in
    `tolerate`."""
    buffer = error_buffer()
    code = _library.function(name)(*arguments, buffer, _library.ERROR_CAPACITY)
    if code != 0 and code not in tolerate:
        raise LabelAssignError(code, buffer.value.decode("utf-8", "replace"))
    return code, buffer.value.decode("utf-8", "replace")
