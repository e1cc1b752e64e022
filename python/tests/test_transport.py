"""emd / emd2 / sinkhorn / linear_sum_assignment against the transport fixtures (POT 0.9.7,
scipy 1.17.1; tolerances of Tests/Fixtures/README.md), and against POT and scipy themselves when
they are importable."""

import warnings

import numpy as np
import pytest

import labelassign
from fixtures import load_json

SINKHORN_CASES = load_json("transport-options.json")["sinkhorn"]
LSA_CASES = load_json("transport-options.json")["lsa"]
EMD_CASES = load_json("emd.json")
TOLERANCE = 1e-12


def emd_problem(case):
    if "M_from" in case:
        source = case["M_from"]
        cost = np.array(load_json(source["file"])[source["index"]][source["key"]], dtype=np.float64)
    else:
        cost = np.array(case["M"], dtype=np.float64)
    plan = np.zeros(cost.shape)
    for i, j, value in case["support"]:
        plan[int(i), int(j)] = value
    return cost, plan


@pytest.mark.parametrize("case", EMD_CASES, ids=[c["name"] for c in EMD_CASES])
def test_emd_is_pots_to_the_bit(case):
    cost, expected = emd_problem(case)
    limit = case.get("numItermax") or 100000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = labelassign.emd(case["a"], case["b"], cost, numItermax=limit)
        total = labelassign.emd2(case["a"], case["b"], cost, numItermax=limit)
    messages = [str(w.message) for w in caught]
    assert messages == ([case["warning"]] * 2 if case["warning"] else [])
    assert plan.dtype == np.float64 and plan.shape == cost.shape
    assert np.array_equal(plan, expected)
    if case["pot_infeasible"]:  # POT's expectation is on M - min M, its cost summed on M
        assert abs(total - case["cost"]) <= 1e-9 * abs(case["cost"])
    else:
        assert total == case["cost"]


@pytest.mark.parametrize("case", EMD_CASES, ids=[c["name"] for c in EMD_CASES])
def test_emd_log_is_pots(case):
    """log=True: POT's keys, cost, centred duals to the bit (a pot_infeasible case's POT duals are
    those of M - min M), warning and result_code (1 OPTIMAL, 3 MAX_ITER_REACHED)."""
    cost, expected = emd_problem(case)
    limit = case.get("numItermax") or 100000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan, log = labelassign.emd(case["a"], case["b"], cost, numItermax=limit, log=True)
        total, log2 = labelassign.emd2(case["a"], case["b"], cost, numItermax=limit, log=True)
        _, log3 = labelassign.emd2(case["a"], case["b"], cost, numItermax=limit, return_matrix=True)
    assert set(log) == {"cost", "u", "v", "warning", "result_code"} and set(log3) == set(log) | {"G"}
    assert np.array_equal(plan, expected) and np.array_equal(log3["G"], expected)
    assert log["warning"] == case["warning"] and log["result_code"] == (3 if case["warning"] else 1)
    assert log["u"].shape == (cost.shape[0],) and log["v"].shape == (cost.shape[1],)
    assert log["cost"] == total
    if not case["pot_infeasible"]:
        assert log["cost"] == case["cost"]
        assert np.array_equal(log["u"], case["u"]) and np.array_equal(log["v"], case["v"])
    for other in (log2, log3):
        assert all(np.array_equal(other[k], log[k]) for k in log), case["name"]


def test_emd_log_against_pot():
    ot = pytest.importorskip("ot")
    for case in EMD_CASES:
        if case["pot_infeasible"]:
            continue
        cost, _ = emd_problem(case)
        limit = case.get("numItermax") or 100000
        a, b = np.array(case["a"], dtype=np.float64), np.array(case["b"], dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = labelassign.emd(case["a"], case["b"], cost, numItermax=limit, log=True)
            theirs = ot.emd(a, b, cost, numItermax=limit, log=True)
            ours2 = labelassign.emd2(case["a"], case["b"], cost, numItermax=limit, log=True)
            theirs2 = ot.emd2(a, b, cost, numItermax=limit, log=True)
        assert np.array_equal(ours[0], theirs[0]) and ours2[0] == theirs2[0], case["name"]
        for mine, pots in ((ours[1], theirs[1]), (ours2[1], theirs2[1])):
            assert set(mine) == set(pots), case["name"]
            for key in ("cost", "warning", "result_code"):
                assert mine[key] == pots[key], (case["name"], key)
            assert np.array_equal(mine["u"], pots["u"]) and np.array_equal(mine["v"], pots["v"]), case["name"]


def status_of(warnings_list):
    if any("umerical errors" in w for w in warnings_list):
        return "numerical"
    return "not converged" if any("did not converge" in w for w in warnings_list) else "converged"


def run_sinkhorn(case):
    options = dict(case["options"])
    warmstart = options.pop("warmstart", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan, log = labelassign.sinkhorn(case["a"], case["b"], np.array(case["M"]), case["reg"], method=case["method"],
                                         log=True, warmstart=warmstart, **options)
    return plan, log, [str(w.message) for w in caught]


def relative(got, want):
    got, want = np.asarray(got, dtype=np.float64).ravel(), np.asarray(want, dtype=np.float64).ravel()
    assert got.shape == want.shape
    differ = got != want
    return float(np.max(np.abs(got[differ] - want[differ]) / np.abs(want[differ]))) if differ.any() else 0.0


def errors_match(got, want, case):
    """A checked error against POT's: 1e-9 relative plus 4·m·ε·Σb (a column sum's rounding)."""
    mass = sum(case["b"]) if case["b"] else 1.0
    return abs(got - want) <= 1e-9 * want + 4 * len(case["M"]) * np.finfo(float).eps * mass


def every_error_matches(got, case):
    """log["err"] against POT's whole list (the fixture keeps the first 200 of a longer one)."""
    assert isinstance(got, list)
    want = case["err"]
    if case["err_count"] <= len(want):
        assert len(got) == case["err_count"]
    assert len(got) <= len(want) or len(want) < case["err_count"]
    return all(errors_match(g, w, case) for g, w in zip(got, want))


def duals(case, log):
    keys = {"sinkhorn": ("u", "v"), "sinkhorn_log": ("log_u", "log_v"), "sinkhorn_stabilized": ("alpha", "beta")}
    return [log[k] for k in keys[case["method"]]]


SUPPORTED = [c for c in SINKHORN_CASES if not c["name"].endswith(" stall")]


@pytest.mark.parametrize("case", SUPPORTED, ids=[c["name"] for c in SUPPORTED])
def test_sinkhorn_is_pots(case):
    plan, log, messages = run_sinkhorn(case)
    pot_status = status_of(case["warnings"])
    assert status_of(messages) == pot_status, messages
    assert log["n_iter" if case["method"] == "sinkhorn_stabilized" else "niter"] == case["niter"]
    assert relative(plan, case["plan"]) <= TOLERANCE
    u, v = duals(case, log)
    assert max(relative(u, case["u"]), relative(v, case["v"])) <= TOLERANCE
    assert relative([np.sum(plan * np.array(case["M"]))], [case["cost"]]) <= TOLERANCE
    assert every_error_matches(log["err"], case)


STALLS = [c for c in SINKHORN_CASES if c["name"].endswith(" stall")]


@pytest.mark.parametrize("case", STALLS, ids=[c["name"] for c in STALLS])
def test_sinkhorn_stops_at_the_floor_with_pots_plan(case):
    """POT ran all 100,000 iterations at its error floor; the engine stops within 2,000 with POT's
    final plan, warning as POT does, its last error one of POT's."""
    plan, log, messages = run_sinkhorn(case)
    assert case["niter"] == 99999 and status_of(messages) == "not converged"
    niter = log["n_iter" if case["method"] == "sinkhorn_stabilized" else "niter"]
    assert niter < 2000
    assert relative(plan, case["plan"]) <= TOLERANCE
    check = niter // (20 if case["method"] == "sinkhorn_stabilized" else 10)
    assert len(log["err"]) == check + 1
    assert every_error_matches(log["err"], case)


@pytest.mark.parametrize("name", ("tau", "print_period"))
def test_sinkhorn_absorption_options_reach_the_stabilized_method(name):
    """The fixture's "tau 10" and "print_period 7" runs differ from the defaults' run; the other
    methods ignore both keywords, as POT's."""
    case = next(c for c in SINKHORN_CASES if name in c["options"])
    plan, log, _ = run_sinkhorn(case)
    defaults = dict(case, options={k: v for k, v in case["options"].items() if k != name})
    plan_defaults, log_defaults, _ = run_sinkhorn(defaults)
    assert log["n_iter"] == case["niter"] and log["err"] != log_defaults["err"]
    assert not np.array_equal(plan, plan_defaults)
    for method in ("sinkhorn", "sinkhorn_log"):
        ignored, _, _ = run_sinkhorn(dict(case, method=method))
        plain, _, _ = run_sinkhorn(dict(defaults, method=method))
        assert np.array_equal(ignored, plain), method
    with pytest.raises((ValueError, labelassign.LabelAssignError), match=name):
        run_sinkhorn(dict(case, options=dict(case["options"], **{name: 0})))


def test_sinkhorn_converged_plans():
    """sinkhorn.json: POT's sinkhorn_log run to convergence, each method within 1e-7."""
    for item in load_json("sinkhorn.json"):
        for key in ("1.0", "0.1", "0.02"):
            for method in ("sinkhorn", "sinkhorn_log", "sinkhorn_stabilized"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    plan = labelassign.sinkhorn(item["a"], item["b"], item["M"], float(key), method=method,
                                                numItermax=20000, stopThr=1e-12)
                assert np.max(np.abs(plan - np.array(item[f"plan_reg_{key}"]))) <= 1e-7, (key, method)
        assert abs(labelassign.emd2(item["a"], item["b"], item["M"]) - item["emd_cost"]) <= 1e-12 * item["emd_cost"]


def test_sinkhorn_against_pot():
    ot = pytest.importorskip("ot")
    for case in SUPPORTED:
        options = {k: v for k, v in case["options"].items() if k != "warmstart"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, log = labelassign.sinkhorn(case["a"], case["b"], np.array(case["M"]), case["reg"], method=case["method"],
                                             log=True, **options)
            theirs, pots = ot.sinkhorn(np.array(case["a"]), np.array(case["b"]), np.array(case["M"]), case["reg"],
                                       method=case["method"], log=True, **options)
        assert relative(ours, theirs) <= TOLERANCE, case["name"]
        assert len(log["err"]) == len(pots["err"]), case["name"]
        assert all(errors_match(g, float(w), case) for g, w in zip(log["err"], pots["err"])), case["name"]


@pytest.mark.parametrize("case", LSA_CASES, ids=[c["name"] for c in LSA_CASES])
def test_linear_sum_assignment_is_scipys(case):
    cost = np.array(case["cost"], dtype=np.float64)
    if cost.size == 0:  # JSON's [] for scipy's empty 0 x 0 matrix
        cost = cost.reshape(0, 0)
    if "error" in case:
        with pytest.raises(ValueError, match=case["error"]):
            labelassign.linear_sum_assignment(cost, maximize=case["maximize"])
        return
    rows, cols = labelassign.linear_sum_assignment(cost, maximize=case["maximize"])
    assert rows.dtype == np.int64 and cols.dtype == np.int64
    assert rows.tolist() == case["rows"] and cols.tolist() == case["cols"]
    with np.errstate(over="ignore"):
        total = cost[rows, cols].sum() if len(rows) else 0.0
    assert total == case["total"] or (np.isnan(total) and np.isnan(case["total"]))


def hungarian_problems():
    ties = load_json("hungarian-ties.json")["problems"]
    plain = [p for item in load_json("hungarian.json") for p in item["problems"]]
    return [(p, 1e-6) for p in plain] + [(p, 0.0) for p in ties]


def test_linear_sum_assignment_hungarian_fixtures():
    problems = hungarian_problems()
    assert len(problems) == 38
    for problem, tolerance in problems:
        cost = np.array(problem["cost"], dtype=np.float64)
        rows, cols = labelassign.linear_sum_assignment(cost)
        assert rows.tolist() == problem["rows"] and cols.tolist() == problem["cols"]
        assert abs(cost[rows, cols].sum() - problem["total"]) <= tolerance * abs(problem["total"])


def test_linear_sum_assignment_against_scipy():
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(7)
    for shape in [(5, 5), (3, 8), (8, 3), (1, 1), (0, 4)]:
        cost = rng.integers(0, 4, size=shape).astype(np.float64)
        for maximize in (False, True):
            ours = labelassign.linear_sum_assignment(cost, maximize=maximize)
            theirs = optimize.linear_sum_assignment(cost, maximize=maximize)
            assert [a.tolist() for a in ours] == [a.tolist() for a in theirs], (shape, maximize)


def test_linear_sum_assignment_errors_as_scipy():
    with pytest.raises(ValueError, match="expected a matrix"):
        labelassign.linear_sum_assignment(np.zeros(3))
    with pytest.raises(ValueError, match="invalid numeric entries"):
        labelassign.linear_sum_assignment([[np.nan, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="infeasible"):
        labelassign.linear_sum_assignment([[np.inf, np.inf], [1.0, 0.0]])
    rows, cols = labelassign.linear_sum_assignment(np.array([[True, False], [False, True]]), maximize=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
