"""Time POT's ot.emd on the problems of the `emd` benchmarks (Benchmarks/, AssignBenchmarks.swift).

usage: OMP_NUM_THREADS=1 python bench_emd.py [--repeat R] [PROBLEM...]
PROBLEM: random-100x1000 | random-300x3000 | random-101x8400 | ota-11x8400 | ota-101x8400
         | FILE.json (a `labelassign ot` problem file {"method": "emd", "a", "b", "M"}, e.g. OTA's
           own transport problem of a benchmark scene, `OTAAssigner.transportProblem`, written out)
Prints one JSON object: {problem: {"ms": median ms, "cost": ot.emd2's cost}}.

The problems come from the generator the Swift benchmarks use (SplitMix64, uniforms
`(z >> 11) / 2^53`, sums taken left to right), so both sides solve bit-identical input:
- random-RxC (seed s): costs U(0, 1) row-major, then masses 0.5 + 1.5 U for the rows and the
  columns, each divided by its sum;
- ota-(G+1)xN (seed s): OTA's shape. Object rows 1e6 + 6 U (the penalty), then per object
  10 + (next % 21) valid priors `j = next % N` with cost 6 U, a background row 3 U, supplies
  1 + (next % 10) per object and N - sum for the background, unit demands.
"""
import argparse
import json
import statistics
import time

import numpy as np
import ot

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) / 9007199254740992.0

    def below(self, n):
        return self.next() % n


def sequential_sum(xs):
    s = 0.0
    for x in xs:
        s += x
    return s


def random_problem(rows, cols, seed):
    g = SplitMix64(seed)
    cost = np.array([g.uniform() for _ in range(rows * cols)]).reshape(rows, cols)
    a = [0.5 + 1.5 * g.uniform() for _ in range(rows)]
    b = [0.5 + 1.5 * g.uniform() for _ in range(cols)]
    sa, sb = sequential_sum(a), sequential_sum(b)
    return np.array([x / sa for x in a]), np.array([x / sb for x in b]), cost


def ota_problem(objects, priors, seed):
    g = SplitMix64(seed)
    cost = [1e6 + 6.0 * g.uniform() for _ in range(objects * priors)]
    for o in range(objects):
        for _ in range(10 + g.below(21)):
            j = g.below(priors)
            cost[o * priors + j] = 6.0 * g.uniform()
    cost += [3.0 * g.uniform() for _ in range(priors)]
    a = [float(1 + g.below(10)) for _ in range(objects)]
    a.append(float(priors) - sequential_sum(a))
    return np.array(a), np.ones(priors), np.array(cost).reshape(objects + 1, priors)


PROBLEMS = {
    "random-100x1000": lambda: random_problem(100, 1000, 1),
    "random-300x3000": lambda: random_problem(300, 3000, 2),
    "random-101x8400": lambda: random_problem(101, 8400, 3),
    "ota-11x8400": lambda: ota_problem(10, 8400, 5),
    "ota-101x8400": lambda: ota_problem(100, 8400, 4),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("problems", nargs="*")
    args = ap.parse_args()
    out = {}
    for name in args.problems or list(PROBLEMS):
        if name.endswith(".json"):
            with open(name) as f:
                d = json.load(f)
            a, b, M = np.array(d["a"], np.float64), np.array(d["b"], np.float64), np.array(d["M"], np.float64)
        else:
            a, b, M = PROBLEMS[name]()
        ot.emd(a, b, M)  # warm-up
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            _, log = ot.emd(a, b, M, log=True)
            times.append((time.perf_counter() - t0) * 1e3)
        out[name] = {"ms": round(statistics.median(times), 2), "cost": log["cost"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
