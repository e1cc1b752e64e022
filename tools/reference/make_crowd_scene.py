"""Write one large crowd scene (scene JSON) for the memory and speed measurements.

usage: python make_crowd_scene.py --objects G [--size 1280] [--classes 80] [--seed 0] OUT.json
       python make_crowd_scene.py --workload coco640|crowd640|sku1280 OUT.json

The second form writes the scene `bench_refs.py` times under that name, so `labelassign bench`
runs on the same input as the references.

The scene follows `scenes.make_scene`'s crowd statistics (log-uniform sides from 6 px to 0.35 of
the image side, log-uniform aspect, predictions good near objects), on point priors at strides
8, 16, 32 (1280 x 1280: 33,600 priors; 320 x 320: 2,100). The nearest object of every prior is
found in chunks of objects, so a million objects need memory in priors x chunk, not priors x
objects. Deterministic for a given seed, size, class count and object count.
"""
import argparse
import json

import numpy as np

from scenes import priors_for

CHUNK = 4096


def nearest_object(priors, gt):
    """Per prior: index of the object with the smallest scaled centre distance, and that distance."""
    pcx, pcy, ps = priors[:, 0], priors[:, 1], priors[:, 2]
    best = np.full(len(priors), np.inf)
    arg = np.zeros(len(priors), np.int64)
    for start in range(0, len(gt), CHUNK):
        g = gt[start:start + CHUNK].astype(np.float64)
        gcx, gcy = (g[:, 0] + g[:, 2]) / 2, (g[:, 1] + g[:, 3]) / 2
        half = np.maximum(g[:, 2] - g[:, 0], g[:, 3] - g[:, 1]) / 2
        d = np.hypot(pcx[:, None] - gcx[None], pcy[:, None] - gcy[None])
        near = d / np.maximum(half[None], ps[:, None] * 2)
        j = near.argmin(1)
        v = near[np.arange(len(priors)), j]
        better = v < best
        best = np.where(better, v, best)
        arg = np.where(better, j + start, arg)
    return arg, best


def make(objects, size, classes, seed):
    rng = np.random.default_rng(seed)
    priors = priors_for(size, size, (8, 16, 32))
    n = len(priors)
    side = np.exp(rng.uniform(np.log(6.0), np.log(0.35 * size), objects))
    aspect = np.exp(rng.uniform(np.log(1 / 3), np.log(3), objects))
    w, h = side * np.sqrt(aspect), side / np.sqrt(aspect)
    cx, cy = rng.uniform(0, size, objects), rng.uniform(0, size, objects)
    gt = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1).clip(0, size)
    # widen boxes squeezed by the clip so every object keeps a positive area
    gt[:, 2] = np.maximum(gt[:, 2], np.minimum(gt[:, 0] + 2, size))
    gt[:, 0] = np.minimum(gt[:, 0], gt[:, 2] - 2)
    gt[:, 3] = np.maximum(gt[:, 3], np.minimum(gt[:, 1] + 2, size))
    gt[:, 1] = np.minimum(gt[:, 1], gt[:, 3] - 2)
    gt = gt.astype(np.float32)
    labels = rng.integers(0, classes, objects)

    pcx, pcy, ps = priors[:, 0], priors[:, 1], priors[:, 2]
    pw, ph = ps * np.exp(rng.uniform(0.5, 2.5, n)), ps * np.exp(rng.uniform(0.5, 2.5, n))
    pred = np.stack([pcx - pw / 2, pcy - ph / 2, pcx + pw / 2, pcy + ph / 2], 1)
    cls = rng.normal(-4.0, 1.5, (n, classes))
    obj = rng.normal(-4.0, 1.5, n)
    j, near = nearest_object(priors, gt)
    close = near < 1.0
    q = np.clip(1.0 - near, 0, 1)
    gw, gh = gt[j, 2] - gt[j, 0], gt[j, 3] - gt[j, 1]
    box = gt[j] + rng.normal(0, 1, (n, 4)) * (1.2 - q)[:, None] * 0.25 * np.stack([gw, gh, gw, gh], 1)
    box[:, 2] = np.maximum(box[:, 2], box[:, 0] + 1)
    box[:, 3] = np.maximum(box[:, 3], box[:, 1] + 1)
    pred = np.where(close[:, None], box, pred)
    cls[np.arange(n), labels[j]] += np.where(close, rng.uniform(0, 7, n) * q, 0)
    obj += np.where(close, rng.uniform(0, 7, n) * q, 0)
    f32 = lambda a: np.asarray(a, np.float32).astype(np.float64).tolist()  # exact float32 values
    return {
        "seed": seed, "regime": "crowd", "image": [size, size], "strides": [8, 16, 32], "num_classes": classes,
        "priors": f32(priors), "gt_bboxes": f32(gt), "gt_labels": labels.tolist(),
        "pred_bboxes": f32(pred), "cls_logits": f32(cls), "obj_logits": f32(obj),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int)
    ap.add_argument("--workload")
    ap.add_argument("--size", type=int, default=1280)
    ap.add_argument("--classes", type=int, default=80)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("out")
    a = ap.parse_args()
    if a.workload:
        import bench_refs
        sc = bench_refs.load(a.workload)
        scene = {k: (np.asarray(v).astype(np.float64 if np.asarray(v).dtype == np.float32 else np.int64).tolist()
                     if isinstance(v, np.ndarray) else v) for k, v in sc.items()}
    else:
        scene = make(a.objects, a.size, a.classes, a.seed)
    with open(a.out, "w") as f:
        json.dump(scene, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
