"""Optimal transport and linear assignment with the signatures and results of POT 0.9.7
(``ot.emd``, ``ot.emd2``, ``ot.sinkhorn``) and scipy 1.17 (``linear_sum_assignment``)."""

import ctypes
import warnings

import numpy as np

from . import _arrays
from ._errors import LabelAssignError, call

_MAX_ITER = 5
_NOT_CONVERGED = ("Sinkhorn did not converge. You might want to increase the number of iterations "
                  "`numItermax` or the regularization parameter `reg`.")
_METHODS = ("sinkhorn", "sinkhorn_log", "sinkhorn_stabilized")
# sinkhorn_stabilized's absorption threshold and error-check period: the library runs POT's defaults.
_STABILIZED_DEFAULTS = {"tau": 1e3, "print_period": 20}


def _histogram(name, value, length):
    """A float64 histogram of `length` values, or None for POT's empty (uniform) histogram."""
    if value is None or (hasattr(value, "__len__") and len(value) == 0):
        return None
    axis = 0 if name == "a" else 1
    return _arrays.array(name, value, np.float64, (length,), (f"M.shape[{axis}]",))


def _problem(a, b, M):
    cost = _arrays.array("M", M, np.float64, (None, None), ("n_rows", "n_cols"))
    return _histogram("a", a, cost.shape[0]), _histogram("b", b, cost.shape[1]), cost


def _emd(a, b, M, numItermax, plan):
    """Runs la_emd (or la_emd2 without `plan`); returns (plan, cost, warning)."""
    a, b, cost = _problem(a, b, M)
    limit = _arrays.integer("numItermax", numItermax, 0)
    rows, cols = cost.shape
    total = ctypes.c_double()
    out = np.empty((rows, cols), dtype=np.float64) if plan else None
    head = (_arrays.pointer(a), _arrays.pointer(b), _arrays.pointer(cost), rows, cols, limit)
    if plan:
        code, message = call("la_emd", *head, _arrays.pointer(out), ctypes.byref(total), tolerate=(_MAX_ITER,))
    else:
        code, message = call("la_emd2", *head, ctypes.byref(total), tolerate=(_MAX_ITER,))
    warning = None
    if code == _MAX_ITER:
        warning = message
        warnings.warn(message, UserWarning, stacklevel=3)
    return out, total.value, warning


def _emd_log(cost, warning):
    raise NotImplementedError("log=True needs the dual potentials u, v, which this library version does not return")


def emd(a, b, M, numItermax=100000, log=False):
    """POT's ``ot.emd``: the exact optimal transport plan (float64, ``(n_rows, n_cols)``) between
    the histograms `a` and `b` (``[]`` or None: uniform) for the cost matrix `M`, by the network
    simplex taking POT's pivots. When `numItermax` pivots stop the search first, POT's warning
    "numItermax reached before optimality" is issued and the current plan returned."""
    plan, cost, warning = _emd(a, b, M, numItermax, plan=True)
    if log:
        return plan, _emd_log(cost, warning)
    return plan


def emd2(a, b, M, processes=1, numItermax=100000, log=False, return_matrix=False):
    """POT's ``ot.emd2``: the cost ``<plan, M>`` of :func:`emd` (a float)."""
    plan, cost, warning = _emd(a, b, M, numItermax, plan=return_matrix)
    if log or return_matrix:
        return [cost, _emd_log(cost, warning)]
    return cost


def _sinkhorn_log_dict(method, values):
    """POT's log dictionary of `method` from la_sinkhorn's outputs."""
    err, niter, u, v, reg = values
    if method == "sinkhorn":
        return {"err": err, "niter": niter, "u": u, "v": v}
    if method == "sinkhorn_log":
        return {"err": err, "niter": niter, "log_u": u, "log_v": v, "u": np.exp(u), "v": np.exp(v)}
    return {"err": err, "n_iter": niter, "logu": u / reg, "logv": v / reg, "alpha": u, "beta": v,
            "warmstart": (u, v)}


def _warmstart(warmstart, rows, cols):
    if warmstart is None:
        return None, None
    if len(warmstart) != 2:
        raise ValueError("warmstart must be a pair (u, v) of dual potentials")
    return (_arrays.array("warmstart[0]", warmstart[0], np.float64, (rows,), ("n_rows",)),
            _arrays.array("warmstart[1]", warmstart[1], np.float64, (cols,), ("n_cols",)))


def sinkhorn(a, b, M, reg, method="sinkhorn", numItermax=1000, stopThr=1e-9, verbose=False, log=False,
             warn=True, warmstart=None, **kwargs):
    """POT's ``ot.sinkhorn`` for ``method`` ``"sinkhorn"``, ``"sinkhorn_log"`` or
    ``"sinkhorn_stabilized"``, in float64: the entropic plan ``(n_rows, n_cols)``, and with
    ``log=True`` POT's log dictionary of that method (``err``, ``niter``/``n_iter``, the duals).
    Not converging within `numItermax` warns as POT does (when `warn`); it is not an error.
    ``log["err"]`` holds the last checked marginal error only (POT lists every check).
    ``sinkhorn_stabilized`` runs with POT's ``tau=1e3`` and ``print_period=20``; other values
    raise ValueError. `verbose` prints nothing."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
    unknown = set(kwargs) - set(_STABILIZED_DEFAULTS)
    if unknown:
        raise TypeError(f"sinkhorn() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    a, b, cost = _problem(a, b, M)
    rows, cols = cost.shape
    start_u, start_v = _warmstart(warmstart, rows, cols)
    reg = _arrays.real("reg", reg)
    plan = np.empty((rows, cols), dtype=np.float64)
    u, v = np.empty(rows, dtype=np.float64), np.empty(cols, dtype=np.float64)
    niter, status, errors = _run_sinkhorn(a, b, cost, reg, method, numItermax, stopThr, start_u, start_v,
                                          plan, u, v, kwargs)
    if status == 3:
        prefix = "Numerical errors" if method == "sinkhorn_stabilized" else "Warning: numerical errors"
        warnings.warn(f"{prefix} at iteration {niter}", UserWarning, stacklevel=2)
    elif status in (1, 2) and warn:
        warnings.warn(_NOT_CONVERGED, UserWarning, stacklevel=2)
    if log:
        return plan, _sinkhorn_log_dict(method, (errors, niter, u, v, reg))
    return plan


def _run_sinkhorn(a, b, cost, reg, method, numItermax, stopThr, start_u, start_v, plan, u, v, extra):
    """la_sinkhorn; returns (niter, status, the checked errors it reports: the last one)."""
    for name, value in extra.items():
        if method != "sinkhorn_stabilized" or value != _STABILIZED_DEFAULTS[name]:
            raise ValueError(f"{name}={value!r}: only POT's default for sinkhorn_stabilized "
                             f"({name}={_STABILIZED_DEFAULTS[name]!r}) is supported")
    rows, cols = cost.shape
    niter, err, status = ctypes.c_int64(), ctypes.c_double(), ctypes.c_int32()
    call("la_sinkhorn", _arrays.pointer(a), _arrays.pointer(b), _arrays.pointer(cost), rows, cols, reg,
         method.encode(), _arrays.integer("numItermax", numItermax, 0), _arrays.real("stopThr", stopThr),
         _arrays.pointer(start_u), _arrays.pointer(start_v), _arrays.pointer(plan), _arrays.pointer(u),
         _arrays.pointer(v), ctypes.byref(niter), ctypes.byref(err), ctypes.byref(status))
    return niter.value, status.value, [err.value]


def _lsa_cost(cost_matrix):
    cost = np.asarray(cost_matrix)
    if cost.ndim != 2:
        raise ValueError(f"expected a matrix (2-D array), got a {cost.ndim}-D array")
    if not (np.issubdtype(cost.dtype, np.number) or cost.dtype == np.bool_):
        raise ValueError(f"expected a matrix containing numerical entries, got {cost.dtype}")
    if np.iscomplexobj(cost):
        raise TypeError("cost_matrix must be real, got a complex array")
    return np.ascontiguousarray(cost, dtype=np.float64)


def linear_sum_assignment(cost_matrix, maximize=False):
    """scipy's ``linear_sum_assignment``: ``(row_ind, col_ind)``, int64 arrays of
    ``min(n_rows, n_cols)`` indices sorted by row, the optimal matching (largest total with
    `maximize`). ValueError as scipy: NaN (or +inf minimising / -inf maximising) entries
    ("matrix contains invalid numeric entries"), an infeasible matrix ("cost matrix is
    infeasible"), not 2-D."""
    cost = _lsa_cost(cost_matrix)
    rows, cols = cost.shape
    count = min(rows, cols)
    row_ind, col_ind = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)
    found = ctypes.c_int64()
    try:
        call("la_linear_sum_assignment", _arrays.pointer(cost), rows, cols, int(bool(maximize)),
             _arrays.pointer(row_ind), _arrays.pointer(col_ind), ctypes.byref(found), None)
    except LabelAssignError as error:
        if error.code == 1:  # scipy's message first, then the engine's
            scipy = "cost matrix is infeasible" if "infeasible" in error.message else "matrix contains invalid numeric entries"
            raise ValueError(scipy if scipy == error.message else f"{scipy} ({error.message})") from None
        raise
    return row_ind[:found.value], col_ind[:found.value]
