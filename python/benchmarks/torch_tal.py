"""ultralytics' stock `TaskAlignedAssigner` (torch, CPU) against `labelassign.torch.TaskAlignedAssigner`.

    python python/benchmarks/torch_tal.py [--batch 16] [--repeat 5] [--objects coco,300,1000] [--threads 1,2]

Per configuration (a fresh process each, so that peak memory is its own): the median assigner
time per batch of `--batch` 640×640 images (8400 priors, 80 classes) as `v8DetectionLoss` calls
it (topk 10, α 0.5, β 6), the peak resident memory the call adds, and the median time of a
whole `v8DetectionLoss` training step (yolov8n.yaml forward, loss, backward) with each assigner.
`coco` draws 1-20 objects per image (COCO's mean is about 7); 300 and 1000 are crowded scenes
(the training step draws 1 to that many per image).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "torch"))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def counts(objects, batch, seed):
    import torch

    if objects == "coco":
        return [int(c) for c in torch.randint(1, 21, (batch,), generator=torch.Generator().manual_seed(seed))]
    return [int(objects)] * batch


def assigner(kind):
    from ultralytics.utils.tal import TaskAlignedAssigner as Stock

    from labelassign.torch import TaskAlignedAssigner as DropIn

    cls = Stock if kind == "stock" else DropIn
    return cls(topk=10, num_classes=80, alpha=0.5, beta=6.0, stride=[8.0, 16.0, 32.0])


def time_assigner(kind, objects, batch, repeat):
    import scenes

    args = scenes.batch(1, counts(objects, batch, 1))
    a = assigner(kind)
    before = peak_rss_mib()
    a(*args)
    added = peak_rss_mib() - before
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        a(*args)
        times.append(time.perf_counter() - start)
    return {"assign_ms": 1e3 * statistics.median(times), "peak_added_mib": added}


def time_step(kind, objects, batch, repeat):
    import training
    from ultralytics.utils.loss import v8DetectionLoss

    net = training.model(0)
    most = 20 if objects == "coco" else int(objects)
    imgs, data = training.synthetic_batch(0, images=batch, size=640, max_objects=most, empty=())
    criterion = v8DetectionLoss(net)
    if kind == "drop-in":
        criterion.assigner = assigner(kind)
    training.step(net, criterion, imgs, data)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        training.step(net, criterion, imgs, data)
        times.append(time.perf_counter() - start)
    return {"step_ms": 1e3 * statistics.median(times)}


def child(spec):
    import torch

    torch.set_num_threads(spec["threads"])
    if spec["what"] == "assign":
        out = time_assigner(spec["kind"], spec["objects"], spec["batch"], spec["repeat"])
    else:
        out = time_step(spec["kind"], spec["objects"], spec["batch"], spec["repeat"])
    print(json.dumps(out))


def run(spec):
    text = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(text.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--objects", default="coco,300,1000")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--step-batch", type=int, default=8, help="images of the training step (0: skip it)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(json.loads(args.child))
    threads = [int(t) for t in args.threads.split(",")]
    print(f"assigner per batch of {args.batch} images, 640x640, median of {args.repeat} (ms; peak MiB added)")
    print(f"{'objects':>8} {'threads':>7} {'stock ms':>10} {'drop-in ms':>11} {'speed-up':>9} {'stock MiB':>10} {'drop-in MiB':>12}")
    for objects in args.objects.split(","):
        for t in threads:
            base = dict(what="assign", objects=objects, batch=args.batch, repeat=args.repeat, threads=t)
            s, d = run(dict(base, kind="stock")), run(dict(base, kind="drop-in"))
            print(f"{objects:>8} {t:>7} {s['assign_ms']:>10.1f} {d['assign_ms']:>11.1f} {s['assign_ms'] / d['assign_ms']:>8.1f}x"
                  f" {s['peak_added_mib']:>10.0f} {d['peak_added_mib']:>12.0f}")
    if args.step_batch:
        print(f"v8DetectionLoss training step (yolov8n, {args.step_batch} images 640x640, forward + loss + backward), median ms")
        print(f"{'objects':>8} {'threads':>7} {'stock ms':>10} {'drop-in ms':>11}")
        for objects in args.objects.split(","):
            for t in threads:
                base = dict(what="step", objects=objects, batch=args.step_batch, repeat=max(1, args.repeat // 2), threads=t)
                s, d = run(dict(base, kind="stock")), run(dict(base, kind="drop-in"))
                print(f"{objects:>8} {t:>7} {s['step_ms']:>10.0f} {d['step_ms']:>11.0f}")


if __name__ == "__main__":
    main()
