"""Write Tests/Fixtures/transport-options.json: POT's Sinkhorn and scipy's linear_sum_assignment
with their options, and what they return.

usage: python make_transport_fixtures.py FIXTURE_DIR      (POT 0.9.7, scipy 1.17.1, numpy; see README.md)

OpenBLAS runs on one thread (OPENBLAS_NUM_THREADS=1, set before numpy loads): numpy's matrix-vector
products then have one summation order, the one labelassign's single-threaded dgemv has.

{"sinkhorn": [...], "lsa": [...]}
sinkhorn case: {name, method, a, b, M, reg, options, plan, cost, niter, err, err_count, err_min, u, v,
                warnings}
  options   the keyword arguments given to ot.sinkhorn(a, b, M, reg, method=method, log=True, ...):
            numItermax, stopThr, warmstart ([u, v]), tau, print_period
  plan      what ot.sinkhorn returns; cost = np.sum(M * plan)
  niter     log["niter"] (log["n_iter"] for sinkhorn_stabilized)
  err       log["err"], the error at every check (the first 200 of err_count); err_min its minimum
  u, v      log["u"], log["v"] (sinkhorn), log["log_u"], log["log_v"] (sinkhorn_log),
            log["alpha"], log["beta"] (sinkhorn_stabilized)
  warnings  the messages POT warned with
  a or b = [] means uniform weights. Kinds: default options, each method at several reg, budgets
  (numItermax reached), loose stopThr, warm starts (from an earlier run's log), uniform weights,
  absorptions (tau, print_period), numerical errors, zero masses, and `stall`: a stopThr below
  what float64 reaches, so POT runs the whole budget while its error stays at its floor.
lsa case: {name, cost, maximize, rows, cols, total} or {name, cost, maximize, error}
  rows, cols = linear_sum_assignment(cost, maximize=maximize); total = cost[rows, cols].sum();
  error = the ValueError's message. Includes the cases of scipy's own tests
  (test_linear_assignment.py, test_matching.py: linear_sum_assignment_test_cases, both signs and
  transposed).
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from itertools import product  # noqa: E402

import numpy as np  # noqa: E402
import ot  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

assert ot.__version__ == "0.9.7", ot.__version__
assert scipy.__version__ == "1.17.1", scipy.__version__

ERR_KEPT = 200


def floats(x):
    return [float(t) for t in np.asarray(x).reshape(-1)]


def matrix(x):
    return [floats(r) for r in np.asarray(x)]


def run_sinkhorn(a, b, M, reg, method, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        P, log = ot.sinkhorn(a, b, M, reg, method=method, log=True, **options)
    return P, log, [str(w.message) for w in caught]


def duals(method, log):
    if method == "sinkhorn":
        return log["u"], log["v"]
    if method == "sinkhorn_log":
        return log["log_u"], log["log_v"]
    return log["alpha"], log["beta"]


def sinkhorn_case(name, a, b, M, reg, method="sinkhorn", **options):
    P, log, caught = run_sinkhorn(a, b, M, reg, method, **options)
    u, v = duals(method, log)
    err = floats(log["err"])
    out = {
        "name": name, "method": method, "a": floats(a), "b": floats(b), "M": matrix(M), "reg": reg,
        "options": {k: ([floats(w) for w in x] if k == "warmstart" else x) for k, x in options.items()},
        "plan": matrix(P), "cost": float(np.sum(M * P)),
        "niter": int(log["niter"] if "niter" in log else log["n_iter"]),
        "err": err[:ERR_KEPT], "err_count": len(err), "err_min": min(err) if err else None,
        "u": floats(u), "v": floats(v), "warnings": caught,
    }
    return out


def warm(a, b, M, reg, method, iterations):
    """The warm start POT's own log gives after `iterations` iterations, in the method's terms."""
    _, log, _ = run_sinkhorn(a, b, M, reg, method, numItermax=iterations, stopThr=0.0)
    if method == "sinkhorn":
        return (np.log(log["u"]), np.log(log["v"]))
    if method == "sinkhorn_log":
        return (log["log_u"], log["log_v"])
    return log["warmstart"]


def problem(rng, m, n, scale=1.0, total=1.0):
    M = rng.uniform(0, scale, (m, n))
    a = rng.uniform(0.5, 2, m)
    b = rng.uniform(0.5, 2, n)
    return a / a.sum() * total, b / b.sum() * total, M


METHODS = ("sinkhorn", "sinkhorn_log", "sinkhorn_stabilized")


def sinkhorn_cases():
    rng = np.random.default_rng(20260)
    cases = []
    a, b, M = problem(rng, 6, 9)
    cases.append(sinkhorn_case("defaults", a, b, M, 1.0))
    a, b, M = problem(rng, 12, 40, scale=2.0)
    for method, reg in product(METHODS, (1.0, 0.1)):
        cases.append(sinkhorn_case(f"{method} reg {reg}", a, b, M, reg, method, numItermax=5000, stopThr=1e-11))
    for method, budget in zip(METHODS, (7, 13, 25)):
        cases.append(sinkhorn_case(f"{method} budget {budget}", a, b, M, 0.1, method, numItermax=budget, stopThr=1e-14))
    for method in METHODS:
        cases.append(sinkhorn_case(f"{method} loose stopThr", a, b, M, 0.1, method, stopThr=1e-3))
        w = warm(a, b, M, 0.1, method, 7)
        cases.append(sinkhorn_case(f"{method} warmstart", a, b, M, 0.1, method, numItermax=2000, stopThr=1e-10, warmstart=w))
    ua, ub, uM = np.array([]), np.array([]), rng.uniform(0, 1, (7, 5))
    for method in METHODS:
        cases.append(sinkhorn_case(f"{method} uniform", ua, ub, uM, 0.5, method, stopThr=1e-12))
    a, b, M = problem(rng, 8, 30, scale=4.0)
    cases.append(sinkhorn_case("sinkhorn_stabilized reg 0.02", a, b, M, 0.02, "sinkhorn_stabilized", numItermax=20000, stopThr=1e-10))
    cases.append(sinkhorn_case("sinkhorn_stabilized tau 10", a, b, M, 0.05, "sinkhorn_stabilized", numItermax=20000, stopThr=1e-10, tau=10.0))
    cases.append(sinkhorn_case("sinkhorn_stabilized print_period 7", a, b, M, 0.05, "sinkhorn_stabilized", numItermax=20000, stopThr=1e-10, print_period=7))
    cases.append(sinkhorn_case("sinkhorn_log reg 0.02", a, b, M, 0.02, "sinkhorn_log", numItermax=20000, stopThr=1e-10))
    a, b, M = problem(rng, 5, 8, scale=10.0)
    M[:, 3] += 8.0  # exp(-M / 0.01) underflows in the whole column
    cases.append(sinkhorn_case("sinkhorn numerical error", a, b, M, 0.01, "sinkhorn"))
    a, b, M = problem(rng, 6, 10)
    a[2] = 0.0; a /= a.sum()
    b[4] = 0.0; b /= b.sum()
    for method in METHODS:
        cases.append(sinkhorn_case(f"{method} zero masses", a, b, M, 0.2, method, stopThr=1e-12))
    a, b, M = problem(rng, 10, 10, total=1e4)
    for method in METHODS:
        cases.append(sinkhorn_case(f"{method} stall", a, b, M, 0.1, method, numItermax=100000, stopThr=1e-13))
    return cases


def lsa_case(name, cost, maximize):
    cost = np.asarray(cost, dtype=np.float64)
    out = {"name": name, "cost": matrix(cost) if cost.size else [[] for _ in range(cost.shape[0])], "maximize": maximize}
    try:
        with np.errstate(over="ignore"):
            r, c = linear_sum_assignment(cost, maximize=maximize)
            out.update(rows=[int(x) for x in r], cols=[int(x) for x in c], total=float(cost[r, c].sum()))
    except ValueError as e:
        out["error"] = str(e)
    return out


UPSTREAM = [  # scipy/sparse/csgraph/tests/test_matching.py linear_sum_assignment_test_cases
    [[400, 150, 400], [400, 450, 600], [300, 225, 300]],
    [[400, 150, 400, 1], [400, 450, 600, 2], [300, 225, 300, 3]],
    [[10, 10, 8], [9, 8, 1], [9, 7, 4]],
    [[10, 10, 8, 11], [9, 8, 1, 1], [9, 7, 4, 10]],
    [[10, np.inf, np.inf], [np.inf, np.inf, 1], [np.inf, 7, np.inf]],
]


def lsa_cases():
    rng = np.random.default_rng(1701)
    cases = []
    for k, (sign, c) in enumerate(product([-1, 1], UPSTREAM)):
        c = sign * np.array(c, dtype=np.float64)
        cases.append(lsa_case(f"scipy upstream {k}", c, sign == -1))
        cases.append(lsa_case(f"scipy upstream {k} transposed", c.T, sign == -1))
    cases.append(lsa_case("scipy upstream nan", np.diag([np.nan, 1, 1]), False))
    cases.append(lsa_case("scipy upstream -inf", np.diag([1, -np.inf, 1]), False))
    inf_col = np.identity(3); inf_col[:, 0] = np.inf
    cases.append(lsa_case("scipy upstream inf column", inf_col, False))
    cases.append(lsa_case("scipy upstream constant", np.ones((8, 8)), True))
    for shape in [(6, 6), (4, 7), (7, 4), (1, 5), (5, 1)]:
        cases.append(lsa_case(f"random {shape[0]}x{shape[1]} maximize", rng.uniform(-3, 3, shape), True))
    for shape in [(8, 8), (5, 9), (9, 5)]:
        cases.append(lsa_case(f"ties {shape[0]}x{shape[1]} maximize", rng.integers(0, 3, shape).astype(float), True))
    big = rng.uniform(0, 1, (5, 5)) * 1e300
    cases.append(lsa_case("large values maximize", big, True))
    cases.append(lsa_case("large values", big, False))
    cases.append(lsa_case("total overflows maximize", [[1e308, 0.0], [0.0, 1e308]], True))
    cases.append(lsa_case("total overflows", [[1e308, 1e308], [1e308, 1e308]], False))
    forbid = rng.uniform(0, 5, (4, 6)); forbid[0, :5] = -np.inf; forbid[2, 1] = -np.inf
    cases.append(lsa_case("-inf forbidden maximize", forbid, True))
    cases.append(lsa_case("-inf forbidden maximize transposed", forbid.T, True))
    cases.append(lsa_case("-inf invalid", forbid, False))
    cases.append(lsa_case("+inf invalid maximize", [[1.0, np.inf], [2.0, 3.0]], True))
    cases.append(lsa_case("nan invalid maximize", [[1.0, 2.0], [np.nan, 3.0]], True))
    cases.append(lsa_case("-inf row infeasible maximize", [[-np.inf, -np.inf], [2.0, 3.0]], True))
    cases.append(lsa_case("-inf rows infeasible maximize tall", [[-np.inf, -np.inf], [-np.inf, -np.inf], [2.0, 3.0]], True))
    cases.append(lsa_case("empty maximize", np.zeros((0, 3)), True))
    return cases


def main(out_dir):
    data = {"sinkhorn": sinkhorn_cases(), "lsa": lsa_cases()}
    path = os.path.join(out_dir, "transport-options.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(data['sinkhorn'])} sinkhorn cases, {len(data['lsa'])} lsa cases")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
