"""Write Tests/Fixtures/anchors.jsonl: RetinaNet-style 9-anchor scenes and what mmdet 3.3's
anchor-based assigners return on them.

usage: python make_anchor_fixtures.py OUT_FILE [--strides 5.5,11,22 --size 66]

With --strides and --size the scenes use those strides (they need not be whole numbers: mmdet's
generator and assigners take any stride) on a size x size image, named `retinanet-fractional-SEED`
(Tests/Fixtures/anchors-fractional.jsonl: strides 5.5, 11, 22 on 66x66, 1701 anchors).

Anchors are mmdet's own `AnchorGenerator(octave_base_scale=4, scales_per_octave=3,
ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32, 64, 128])` on a 256x256 image (feature maps of
ceil(256 / s) cells: 12276 anchors), in its order: level by level, location by location (row-major), the 9
anchors of a location (ratio-major, scale inner). Each anchor is one prior: `priors` holds its
location `(x * s, y * s, s, s)`, `anchors` its box, and every per-prior array (`pred_bboxes`,
`cls_logits`) one row per anchor.

Expectations, each kept for a scene only when the reference gives the same discrete answer on
two tiny perturbations of the inputs (relative 2e-6) and in float64, as make_fixtures.py does:
  mmdet_atss           ATSSAssigner(topk=9) (ignore_iof_thr -1: ignore boxes change nothing)
  mmdet_atss_ignore    ATSSAssigner(topk=9, ignore_iof_thr=0.5) with gt_bboxes_ignore
  mmdet_maxiou         MaxIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0, ignore_iof_thr=-1)
  mmdet_maxiou_ignore  the same with ignore_iof_thr=0.5 and gt_bboxes_ignore
  mmdet_tal            TaskAlignedAssigner(topk=13), alpha 1, beta 6, scores sigmoid(cls_logits)
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import mmdet_shim  # noqa: E402,F401
from mmengine.structures import InstanceData  # noqa: E402
from mmdet.models.task_modules.prior_generators.anchor_generator import AnchorGenerator  # noqa: E402
from mmdet.models.task_modules.assigners.atss_assigner import ATSSAssigner  # noqa: E402
from mmdet.models.task_modules.assigners.max_iou_assigner import MaxIoUAssigner  # noqa: E402
from mmdet.models.task_modules.assigners.task_aligned_assigner import TaskAlignedAssigner  # noqa: E402


torch.set_num_threads(1)
STRIDES = [8, 16, 32, 64, 128]
DTYPE = torch.float32


def t(a, dtype=None):
    return torch.as_tensor(np.asarray(a), dtype=DTYPE if dtype is None else dtype)


def retinanet_anchors(width, height):
    """mmdet's RetinaNet anchors and each anchor's location prior `(x * s, y * s, s, s)`."""
    gen = AnchorGenerator(octave_base_scale=4, scales_per_octave=3, ratios=[0.5, 1.0, 2.0], strides=STRIDES)
    sizes = [(math.ceil(height / s), math.ceil(width / s)) for s in STRIDES]
    levels = gen.grid_priors(sizes, device="cpu")
    anchors, priors = [], []
    for (h, w), s, a in zip(sizes, STRIDES, levels):
        ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        loc = np.stack([xs.reshape(-1) * s, ys.reshape(-1) * s, np.full(h * w, s), np.full(h * w, s)], 1)
        priors.append(np.repeat(loc, gen.num_base_anchors[0], axis=0))
        anchors.append(a.numpy())
    return np.concatenate(priors).astype(np.float32), np.concatenate(anchors).astype(np.float32)


def make_scene(seed, num_gt, width=256, height=256, num_classes=3, num_ignore=2):
    rng = np.random.default_rng(seed)
    priors, anchors = retinanet_anchors(width, height)
    n = len(priors)
    side = np.exp(rng.uniform(np.log(8.0), np.log(0.7 * min(width, height)), num_gt))
    aspect = np.exp(rng.uniform(np.log(1 / 3), np.log(3), num_gt))
    w, h = side * np.sqrt(aspect), side / np.sqrt(aspect)
    cx, cy = rng.uniform(0, width, num_gt), rng.uniform(0, height, num_gt)
    gt = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
    gt[:, [0, 2]] = gt[:, [0, 2]].clip(0, width)
    gt[:, [1, 3]] = gt[:, [1, 3]].clip(0, height)
    gt = gt[(gt[:, 2] - gt[:, 0] > 2) & (gt[:, 3] - gt[:, 1] > 2)].astype(np.float32)
    labels = rng.integers(0, num_classes, len(gt)).astype(np.int64)

    # Predictions: each anchor regresses towards the object whose centre is nearest (in anchor
    # sizes); far from every object it keeps a jittered copy of its anchor.
    acx, acy = (anchors[:, 0] + anchors[:, 2]) / 2, (anchors[:, 1] + anchors[:, 3]) / 2
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    pred = anchors + rng.normal(0, 0.15, (n, 4)) * np.stack([aw, ah, aw, ah], 1)
    cls = rng.normal(-4.0, 1.5, (n, num_classes))
    if len(gt):
        gcx, gcy = (gt[:, 0] + gt[:, 2]) / 2, (gt[:, 1] + gt[:, 3]) / 2
        gw, gh = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
        d = np.hypot(acx[:, None] - gcx[None], acy[:, None] - gcy[None])
        near = d / np.maximum(np.maximum(gw, gh)[None] / 2, np.maximum(aw, ah)[:, None] / 2)
        j = near.argmin(1)
        q = np.clip(1.0 - near[np.arange(n), j], 0, 1)
        close = q > 0
        jitter = rng.normal(0, 1, (n, 4)) * (1.2 - q)[:, None] * 0.25
        box = gt[j] + jitter * np.stack([gw[j], gh[j], gw[j], gh[j]], 1)
        pred = np.where(close[:, None], box, pred)
        cls[np.arange(n), labels[j]] += np.where(close, rng.uniform(0, 7, n) * q, 0)
    pred[:, 2] = np.maximum(pred[:, 2], pred[:, 0] + 1)
    pred[:, 3] = np.maximum(pred[:, 3], pred[:, 1] + 1)

    # Ignore regions: one over part of an object (when there is one), others anywhere.
    ign = []
    for k in range(num_ignore):
        if k == 0 and len(gt):
            b = gt[rng.integers(len(gt))]
            bw, bh = b[2] - b[0], b[3] - b[1]
            ign.append([b[0] + 0.3 * bw, b[1] + 0.3 * bh, b[2] + 0.2 * bw, b[3] + 0.2 * bh])
        else:
            x, y = rng.uniform(0, width * 0.8), rng.uniform(0, height * 0.8)
            ign.append([x, y, x + rng.uniform(16, 96), y + rng.uniform(16, 96)])
    return {
        "seed": int(seed), "image": [width, height], "strides": STRIDES, "num_classes": num_classes,
        "priors": priors, "anchors": anchors, "gt_bboxes": gt, "gt_labels": labels,
        "pred_bboxes": pred.astype(np.float32), "cls_logits": cls.astype(np.float32),
        "gt_ignore": np.asarray(ign, dtype=np.float32).reshape(-1, 4),
    }


def level_sizes(sc):
    strides = np.asarray(sc["priors"])[:, 2]
    return [int((strides == s).sum()) for s in sc["strides"]]


def ignore_instances(sc):
    return InstanceData(bboxes=t(sc["gt_ignore"]))


def gts(sc):
    return InstanceData(bboxes=t(sc["gt_bboxes"]), labels=t(sc["gt_labels"], torch.long))


def atss(sc, ignore_iof_thr=-1):
    a = ATSSAssigner(topk=9, ignore_iof_thr=ignore_iof_thr)
    r = a.assign(InstanceData(priors=t(sc["anchors"])), level_sizes(sc), gts(sc), ignore_instances(sc))
    gi = r.gt_inds.numpy()
    ov = r.max_overlaps.numpy().copy()
    ov[gi <= 0] = 0
    return {"assigned_gt": np.where(gi > 0, gi - 1, np.where(gi == 0, -1, -2)), "matched_iou": ov.astype(np.float32)}


def maxiou(sc, ignore_iof_thr=-1):
    a = MaxIoUAssigner(pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0.0, ignore_iof_thr=ignore_iof_thr)
    r = a.assign(InstanceData(priors=t(sc["anchors"])), gts(sc), ignore_instances(sc))
    gi = r.gt_inds.numpy()
    return {"assigned_gt": np.where(gi > 0, gi - 1, np.where(gi == 0, -1, -2))}


def tood(sc):
    a = TaskAlignedAssigner(topk=13)
    pred = InstanceData(bboxes=t(sc["pred_bboxes"]), scores=torch.sigmoid(t(sc["cls_logits"])), priors=t(sc["anchors"]))
    r = a.assign(pred, gts(sc), alpha=1, beta=6)
    return {"assigned_gt": r.gt_inds.numpy() - 1, "assign_metrics": r.assign_metrics.numpy().astype(np.float32)}


REFERENCES = {
    "mmdet_atss": atss,
    "mmdet_atss_ignore": lambda sc: atss(sc, ignore_iof_thr=0.5),
    "mmdet_maxiou": maxiou,
    "mmdet_maxiou_ignore": lambda sc: maxiou(sc, ignore_iof_thr=0.5),
    "mmdet_tal": tood,
}


def perturbed(sc, seed, rel=2e-6):
    rng = np.random.default_rng(seed)
    out = dict(sc)
    for k in ("pred_bboxes", "cls_logits", "gt_bboxes"):
        a = sc[k]
        out[k] = (a * (1 + rng.uniform(-rel, rel, a.shape))).astype(np.float32)
    return out


def robust(fn, sc):
    global DTYPE
    base = fn(sc)
    others = [fn(perturbed(sc, s)) for s in (101, 202)]
    DTYPE = torch.float64
    try:
        others.append(fn(sc))
    finally:
        DTYPE = torch.float32
    if any(not np.array_equal(base["assigned_gt"], o["assigned_gt"]) for o in others):
        return None
    return base


# (seed, objects)
SPECS = [(1, 6), (2, 14), (3, 1), (4, 9), (5, 4)]


def jsonable(x):
    """Plain JSON values; float32 arrays as their shortest decimals, which read back to the same
    float32 values (the scene reader rounds every number correctly to float32)."""
    if isinstance(x, np.ndarray):
        if x.dtype == np.float32:
            flat = [float(str(v)) for v in x.reshape(-1)]
            return flat if x.ndim <= 1 else [flat[i:i + x.shape[1]] for i in range(0, len(flat), x.shape[1])]
        return x.tolist()
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    return x


def main(out_path, size=256, prefix="retinanet"):
    scenes = []
    for seed, num_gt in SPECS:
        sc = make_scene(seed, num_gt, width=size, height=size)
        expected, fragile = {}, []
        for name, fn in REFERENCES.items():
            r = robust(fn, sc)
            if r is None:
                fragile.append(name)
            else:
                expected[name] = r
        sc["name"] = f"{prefix}-{seed}"
        sc["expected"], sc["fragile"] = expected, fragile
        pos = {k: int((v["assigned_gt"] >= 0).sum()) for k, v in expected.items()}
        print(sc["name"], "anchors", len(sc["anchors"]), "gts", len(sc["gt_bboxes"]), "positives", pos, "fragile", fragile,
              flush=True)
        scenes.append(jsonable(sc))
    with open(out_path, "w") as f:
        for s in scenes:
            f.write(json.dumps(s, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    torch.manual_seed(0)
    args = sys.argv[2:]
    if args:
        opts = dict(zip(args[::2], args[1::2]))
        STRIDES = [float(v) if "." in v else int(v) for v in opts["--strides"].split(",")]
        SPECS = [(13, 1), (14, 2), (15, 4), (16, 3)]
        main(sys.argv[1], size=int(opts["--size"]), prefix="retinanet-fractional")
    else:
        main(sys.argv[1])
