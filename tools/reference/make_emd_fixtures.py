"""Write Tests/Fixtures/emd.json: exact optimal transport problems and what POT's ot.emd returns.

usage: python make_emd_fixtures.py FIXTURE_DIR      (needs POT 0.9.7 and numpy; see README.md)

Each case is {name, kind, a, b, M, numItermax?, support, cost, u, v, warning, pot_infeasible}:
  support  [[i, j, value], ...]: the non-zero entries of ot.emd(a, b, M, log=True)'s plan
  cost     log["cost"] (what ot.emd2 returns), u / v: log["u"], log["v"] (centred duals)
  warning  log["warning"] (None, or POT's numItermax message)
Kinds: random (continuous masses and costs, a unique optimum), ties (integer costs, many
optimal plans), zero-mass (rows and columns without mass), uniform (a = b = []), negative
(mixed-sign costs), max-iter (numItermax reached), ota (OTA's shape: G + 1 rows with integer
supplies, the background last, N unit columns, 1e6 penalties), ota-real (the cost matrices of
ota-plan.json, referenced by `M_from` instead of copied).
A case with pot_infeasible = true is one where POT answers "Problem infeasible" with a zero plan
(all costs below -1: its artificial cost (max M + 1) * N is negative); its expectation is
POT's answer on M - min(M), which has the same optimal plans, with the cost summed on M.
"""
import json
import os
import sys
import warnings

import numpy as np
import ot

assert ot.__version__ == "0.9.7", ot.__version__


def solve(a, b, M, numItermax=100000):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        P, log = ot.emd(a, b, M, numItermax=numItermax, log=True)
    return P, log


def case(name, kind, a, b, M, numItermax=None, m_from=None):
    kwargs = {} if numItermax is None else {"numItermax": numItermax}
    P, log = solve(a, b, M, **kwargs)
    infeasible = log["warning"] is not None and log["warning"].startswith("Problem infeasible")
    cost = log["cost"]
    if infeasible:
        P, log = solve(a, b, M - M.min(), **kwargs)
        flat, m = P.reshape(-1), M.reshape(-1)
        cost = 0.0
        for k in range(len(flat) - 1, -1, -1):  # EMD_wrap's order: the matrix backwards
            if flat[k] != 0:
                cost += float(flat[k]) * float(m[k])
    rows, cols = np.nonzero(P)
    out = {
        "name": name, "kind": kind,
        "a": [float(x) for x in a], "b": [float(x) for x in b],
        "support": [[int(i), int(j), float(P[i, j])] for i, j in zip(rows, cols)],
        "cost": float(cost), "u": [float(x) for x in log["u"]], "v": [float(x) for x in log["v"]],
        "warning": log["warning"], "pot_infeasible": bool(infeasible),
    }
    if m_from is None:
        out["M"] = [[float(x) for x in r] for r in M]
    else:
        out["M_from"] = m_from
    if numItermax is not None:
        out["numItermax"] = numItermax
    return out


def normalised(x):
    return x / x.sum()


def ota_shaped(rng, g, n, valid_per_object=6, empty_object=False, no_background=False):
    """OTA's problem shape: object rows penalised by 1e6 outside a few valid priors, a background
    row of smaller costs, integer supplies (>= 1) and N - sum for the background, unit demands."""
    M = 1e6 + rng.uniform(0, 6, (g + 1, n))
    for r in range(g):
        if empty_object and r == 0:
            continue  # an object without a valid prior keeps its penalised row
        idx = rng.choice(n, valid_per_object, replace=False)
        M[r, idx] = rng.uniform(0, 6, valid_per_object)
    M[g] = rng.uniform(0, 3, n)
    a = np.ones(g + 1)
    a[:g] = rng.integers(1, 5, g)
    if no_background:
        a[:g] = n // g
        a[0] += n - a[:g].sum()
    a[g] = n - a[:g].sum()
    return a, np.ones(n), M


def cases(fixture_dir):
    rng = np.random.default_rng(13)
    out = []
    for m, n in [(3, 5), (7, 40), (20, 13), (1, 9), (9, 1), (30, 200)]:
        M = rng.uniform(0, 4, (m, n))
        out.append(case(f"random-{m}x{n}", "random", normalised(rng.uniform(0.5, 2, m)), normalised(rng.uniform(0.5, 2, n)), M))
    for m, n in [(6, 6), (10, 25), (25, 10), (40, 40)]:
        M = rng.integers(0, 3, (m, n)).astype(np.float64)
        out.append(case(f"ties-{m}x{n}", "ties", np.full(m, 1.0 / m), np.full(n, 1.0 / n), M))
    out.append(case("ties-constant-5x8", "ties", np.full(5, 8.0), np.full(8, 5.0), np.full((5, 8), 2.5)))
    out.append(case("ties-permutation-12x12", "ties", np.ones(12), np.ones(12), rng.integers(0, 2, (12, 12)).astype(np.float64)))
    for m, n in [(8, 30), (15, 15)]:
        a = rng.uniform(0, 1, m) * (rng.uniform(size=m) > 0.3)
        b = rng.uniform(0, 1, n) * (rng.uniform(size=n) > 0.3)
        a[0], b[-1] = max(a[0], 0.2), max(b[-1], 0.2)
        out.append(case(f"zero-mass-{m}x{n}", "zero-mass", normalised(a), normalised(b), rng.uniform(-1, 3, (m, n))))
    M = rng.uniform(0, 2, (6, 9))
    out.append(case("uniform-6x9", "uniform", np.array([]), np.array([]), M))
    out.append(case("negative-mixed-10x14", "negative", normalised(rng.uniform(0.5, 2, 10)), normalised(rng.uniform(0.5, 2, 14)),
                    rng.uniform(-4, 4, (10, 14))))
    out.append(case("negative-all-7x11", "negative", np.full(7, 1 / 7), np.full(11, 1 / 11), -rng.uniform(2, 5, (7, 11))))
    for cap in (1, 5, 30):
        M = rng.uniform(0, 1, (12, 15))
        out.append(case(f"max-iter-{cap}", "max-iter", normalised(rng.uniform(0.5, 2, 12)), normalised(rng.uniform(0.5, 2, 15)), M, numItermax=cap))
    for g, n, extra in [(4, 60, {}), (10, 300, {}), (15, 500, {}), (5, 80, {"empty_object": True}), (6, 48, {"no_background": True})]:
        a, b, M = ota_shaped(rng, g, n, **extra)
        out.append(case(f"ota-{g + 1}x{n}" + "".join(f"-{k}" for k in extra), "ota", a, b, M))
    with open(os.path.join(fixture_dir, "ota-plan.json")) as f:
        plans = json.load(f)
    for k, p in enumerate(plans):
        M = np.array(p["cost"], dtype=np.float64)
        out.append(case(f"ota-real-{k}", "ota-real", np.array(p["mu"], np.float64), np.array(p["nu"], np.float64), M,
                        m_from={"file": "ota-plan.json", "index": k, "key": "cost"}))
    return out


if __name__ == "__main__":
    directory = sys.argv[1]
    items = cases(directory)
    with open(os.path.join(directory, "emd.json"), "w") as f:
        json.dump(items, f)
    for c in items:
        print(c["name"], "support", len(c["support"]), "cost", c["cost"], "warning", c["warning"], "pot_infeasible", c["pot_infeasible"])
