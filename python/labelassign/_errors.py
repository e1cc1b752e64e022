"""The engine's error type and the call helper that raises it."""

import ctypes
import threading

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


_local = threading.local()
_functions = {}


def error_buffer():
    """This thread's buffer for error messages (calls run on several threads at once)."""
    buffer = getattr(_local, "buffer", None)
    if buffer is None:
        buffer = _local.buffer = ctypes.create_string_buffer(_library.ERROR_CAPACITY)
    return buffer


def call(name, *arguments, tolerate=()):
    """Calls the C function `name` with `arguments` and this thread's error buffer; returns the
    code and the message. Raises :class:`LabelAssignError` with the engine's message unless the
    code is 0 or in `tolerate`."""
    function = _functions.get(name)
    if function is None:
        function = _functions[name] = _library.function(name)
    buffer = error_buffer()
    buffer[0] = 0
    code = function(*arguments, buffer, _library.ERROR_CAPACITY)
    if code == 0:
        return 0, ""
    message = buffer.value.decode("utf-8", "replace")
    if code not in tolerate:
        raise LabelAssignError(code, message)
    return code, message
