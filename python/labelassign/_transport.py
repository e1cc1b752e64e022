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
# sinkhorn_stabilized's absorption threshold and error-check period (POT's defaults); the other
# methods ignore them, as POT's, and check every 10 iterations.
_STABILIZED_DEFAULTS = {"tau": 1e3, "print_period": 20}
_CHECK_PERIOD = 10
_MAX_NUM_ITERMAX = 10_000_000


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
    """Runs la_emd (or la_emd2 without `plan`); returns (plan, cost, u, v, warning): the duals
    (POT's centred ``log["u"]``, ``log["v"]``) with the plan, else None."""
    a, b, cost = _problem(a, b, M)
    limit = _arrays.integer("numItermax", numItermax, 0)
    rows, cols = cost.shape
    total = ctypes.c_double()
    out, u, v = (np.empty((rows, cols)), np.empty(rows), np.empty(cols)) if plan else (None, None, None)
    head = (_arrays.pointer(a), _arrays.pointer(b), _arrays.pointer(cost), rows, cols, limit)
    if plan:
        code, message = call("la_emd", *head, _arrays.pointer(out), ctypes.byref(total), _arrays.pointer(u),
                             _arrays.pointer(v), tolerate=(_MAX_ITER,))
    else:
        code, message = call("la_emd2", *head, ctypes.byref(total), tolerate=(_MAX_ITER,))
    warning = None
    if code == _MAX_ITER:
        warning = message
        warnings.warn(message, UserWarning, stacklevel=3)
    return out, total.value, u, v, warning


def _emd_log(cost, u, v, warning):
    """POT's log dictionary of ``ot.emd``: result_code 1 (OPTIMAL) or 3 (MAX_ITER_REACHED, with
    its warning)."""
    return {"cost": cost, "u": u, "v": v, "warning": warning, "result_code": 1 if warning is None else 3}


def emd(a, b, M, numItermax=100000, log=False):
    """POT's ``ot.emd``: the exact optimal transport plan (float64, ``(n_rows, n_cols)``) between
    the histograms `a` and `b` (``[]`` or None: uniform) for the cost matrix `M`, by the network
    simplex taking POT's pivots. When `numItermax` pivots stop the search first, POT's warning
    "numItermax reached before optimality" is issued and the current plan returned. With
    ``log=True``: ``(plan, log)``, POT's ``cost``, centred duals ``u``, ``v``, ``warning`` and
    ``result_code``."""
    plan, cost, u, v, warning = _emd(a, b, M, numItermax, plan=True)
    if log:
        return plan, _emd_log(cost, u, v, warning)
    return plan


def emd2(a, b, M, processes=1, numItermax=100000, log=False, return_matrix=False):
    """POT's ``ot.emd2``: the cost ``<plan, M>`` of :func:`emd` (a float); with `log` or
    `return_matrix` ``[cost, log]`` as POT (the plan under ``log["G"]`` with `return_matrix`)."""
    plan, cost, u, v, warning = _emd(a, b, M, numItermax, plan=log or return_matrix)
    if log or return_matrix:
        details = _emd_log(cost, u, v, warning)
        if return_matrix:
            details["G"] = plan
        return [cost, details]
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
    ``log["err"]`` lists every checked marginal error, as POT. ``sinkhorn_stabilized`` takes
    POT's ``tau`` (1e3) and ``print_period`` (20) keywords; the other methods ignore them, as
    POT's do. `verbose` prints nothing."""
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
                                          plan, u, v, _stabilized_options(method, kwargs))
    if status == 3:
        prefix = "Numerical errors" if method == "sinkhorn_stabilized" else "Warning: numerical errors"
        warnings.warn(f"{prefix} at iteration {niter}", UserWarning, stacklevel=2)
    elif status in (1, 2) and warn:
        warnings.warn(_NOT_CONVERGED, UserWarning, stacklevel=2)
    if log:
        return plan, _sinkhorn_log_dict(method, (errors, niter, u, v, reg))
    return plan


def _stabilized_options(method, kwargs):
    """(tau, print_period) for la_sinkhorn: the keywords for sinkhorn_stabilized, POT's
    defaults for the methods that ignore them."""
    if method != "sinkhorn_stabilized":
        return _STABILIZED_DEFAULTS["tau"], _STABILIZED_DEFAULTS["print_period"]
    tau = _arrays.real("tau", kwargs.get("tau", _STABILIZED_DEFAULTS["tau"]))
    period = _arrays.integer("print_period", kwargs.get("print_period", _STABILIZED_DEFAULTS["print_period"]), 1)
    return tau, period


def _run_sinkhorn(a, b, cost, reg, method, numItermax, stopThr, start_u, start_v, plan, u, v, stabilized):
    """la_sinkhorn; returns (niter, status, every checked error). The errors buffer holds every
    check numItermax allows (a larger count than it holds, impossible, would be asked for again)."""
    tau, period = stabilized
    rows, cols = cost.shape
    limit = _arrays.integer("numItermax", numItermax, 0)
    check = period if method == "sinkhorn_stabilized" else _CHECK_PERIOD
    capacity = min(limit, _MAX_NUM_ITERMAX) // check + 2
    while True:
        errors = np.empty(capacity, dtype=np.float64)
        niter, err, status, count = ctypes.c_int64(), ctypes.c_double(), ctypes.c_int32(), ctypes.c_int64()
        call("la_sinkhorn", _arrays.pointer(a), _arrays.pointer(b), _arrays.pointer(cost), rows, cols, reg,
             method.encode(), limit, _arrays.real("stopThr", stopThr), tau, min(period, 2**63 - 1),
             _arrays.pointer(start_u), _arrays.pointer(start_v), _arrays.pointer(plan), _arrays.pointer(u),
             _arrays.pointer(v), ctypes.byref(niter), ctypes.byref(err), _arrays.pointer(errors), capacity,
             ctypes.byref(count), ctypes.byref(status))
        if count.value <= capacity:
            return niter.value, status.value, list(errors[:count.value])
        capacity = count.value


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
