"""Python call overhead per image against `labelassign bench` on the same scenes, and
`assign_batch` throughput on 64 COCO-like images at 1 and 2 threads.

    python bench.py --cli .build/release/labelassign [--presets simota,tal] [--repeat 50]

Scenes: the COCO-regime fixture scenes (Tests/Fixtures/scenes/scene-coco-*.json, 320 x 320,
2,100 priors), cycled to 64 images and written as one JSON-lines file that both sides read.
Per image, both sides time one assignment after a warm-up (the median over --repeat runs); the
CLI's time excludes reading and preparing the scene, the Python time is the whole `assign` call
(argument checks, la_assign, which validates and prepares the scene, and the result); the C call
alone (la_assign on structures built once) splits the difference between the two layers. Target:
Python median <= 1.1 x CLI median + 20 us.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import labelassign

ROOT = Path(__file__).resolve().parents[2]


def coco_scenes(count):
    files = sorted((ROOT / "Tests" / "Fixtures" / "scenes").glob("scene-coco-*.json"))
    documents = []
    for k in range(count):
        document = json.loads(files[k % len(files)].read_text())
        for key in ("expected", "fragile"):
            document.pop(key, None)
        document["name"] = f"{files[k % len(files)].stem}#{k}"
        documents.append(document)
    return documents


def cli_bench(cli, path, preset, repeat, threads):
    """`labelassign bench --json`: per-image medians (ms) and the throughput (images/s)."""
    out = subprocess.run([cli, "bench", str(path), "--assigner", preset, "--repeat", str(repeat), "--threads",
                          str(threads), "--json"], check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [line["median_ms"] for line in lines if "median_ms" in line], lines[-1]["images_per_s"]


def python_medians(assigner, scenes, repeat):
    medians = []
    for scene in scenes:
        inputs = scene.inputs
        assigner.assign(**inputs)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter_ns()
            assigner.assign(**inputs)
            times.append((time.perf_counter_ns() - t0) / 1e6)
        medians.append(statistics.median(times))
    return medians


def c_medians(assigner, scenes, repeat):
    """la_assign alone: the C call on structures built once (what the Python call adds is the rest)."""
    import ctypes
    from labelassign import _inputs, _library
    function, buffer = _library.function("la_assign"), ctypes.create_string_buffer(4096)
    medians = []
    for scene in scenes:
        s = scene.inputs
        layout = _inputs.Layout(s["image_size"], s["strides"], s["num_classes"], s["priors"], s["anchors"])
        image = _inputs.Image(layout, s["gt_bboxes"], s["gt_labels"], s["pred_bboxes"], s["cls_logits"],
                              s["obj_logits"], s["gt_ignore"])
        buffers, outputs = assigner._buffers(layout.num_priors, image.num_gt)  # buffers: kept alive
        arguments = (assigner._handle, ctypes.byref(layout.structure), ctypes.byref(image.structure),
                     ctypes.byref(outputs), buffer, 4096)
        function(*arguments)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter_ns()
            function(*arguments)
            times.append((time.perf_counter_ns() - t0) / 1e6)
        medians.append(statistics.median(times))
    return medians


def batch_rate(assigner, scenes, threads, rounds=5):
    first = scenes[0]
    import numpy as np
    values = dict(image_size=first["image_size"], strides=first["strides"], num_classes=first["num_classes"],
                  priors=first["priors"], gt_bboxes=[s["gt_bboxes"] for s in scenes],
                  gt_labels=[s["gt_labels"] for s in scenes], pred_bboxes=np.stack([s["pred_bboxes"] for s in scenes]),
                  cls_logits=np.stack([s["cls_logits"] for s in scenes]),
                  obj_logits=np.stack([s["obj_logits"] for s in scenes]))
    assigner.assign_batch(**values, threads=threads)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        assigner.assign_batch(**values, threads=threads)
        best = min(best, time.perf_counter() - t0)
    return len(scenes) / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--presets", default="simota,tal,tood,atss,ota")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--images", type=int, default=64)
    args = parser.parse_args()
    documents = coco_scenes(args.images)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "coco64.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in documents))
        scenes = labelassign.load_scenes(path)
        print(f"{len(scenes)} COCO-like images ({scenes[0]['priors'].shape[0]} priors, "
              f"{sum(len(s['gt_labels']) for s in scenes) / len(scenes):.1f} objects on average), "
              f"library {labelassign.library_version()}")
        print("preset | CLI bench median/image | la_assign alone | Python assign | Python - CLI | within 10% + 20 us | "
              "Python - la_assign | assign_batch 1 thread | 2 threads | CLI bench throughput 1 / 2 threads")
        ok = True
        for preset in args.presets.split(","):
            assigner = labelassign.Assigner(preset)
            cli_medians, cli_rate1 = cli_bench(args.cli, path, preset, args.repeat, 1)
            _, cli_rate2 = cli_bench(args.cli, path, preset, 1, 2)
            py_medians = python_medians(assigner, scenes, args.repeat)
            c_ms = statistics.median(c_medians(assigner, scenes, args.repeat))
            cli_ms, py_ms = statistics.median(cli_medians), statistics.median(py_medians)
            within = py_ms <= 1.1 * cli_ms + 0.020
            ok &= within
            rates = [batch_rate(assigner, scenes, t) for t in (1, 2)]
            print(f"{preset} | {cli_ms * 1e3:.0f} us | {c_ms * 1e3:.0f} us | {py_ms * 1e3:.0f} us | "
                  f"{(py_ms - cli_ms) * 1e3:+.0f} us ({(py_ms / cli_ms - 1) * 100:+.1f}%) | {'yes' if within else 'NO'} | "
                  f"{(py_ms - c_ms) * 1e3:+.0f} us | {rates[0]:.0f} images/s | {rates[1]:.0f} images/s | "
                  f"{cli_rate1:.0f} / {cli_rate2:.0f} images/s")
    print("target (Python <= 1.1 x CLI + 20 us):", "met by every preset" if ok else "missed (see the table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
