"""Write options.jsonl: the references run with non-default constructor arguments.

usage: python make_option_fixtures.py OUT_DIR      (writes OUT_DIR/options.jsonl)

Every case names a preset, the options (the reference's own argument names) and the reference
runner called with the same arguments; the test sets the options on the preset and compares its
output with the case's expectation, field by field as the preset's fixture key is compared.
A case is kept only when the reference gives the same discrete answer on two tiny perturbations
of the inputs and in float64 (`make_fixtures.robust`). Options that are literals in the reference
code (margins, eps, penalties) have no argument to run the reference with and are left out.
"""
import json
import os
import sys

import numpy as np
import torch

import make_fixtures
import refs
import scenes
from mmengine.structures import InstanceData


def mmdet_atss(sc, topk=9, ignore_iof_thr=-1, octave_base_scale=8):
    from mmdet.models.task_modules.assigners.atss_assigner import ATSSAssigner
    a = ATSSAssigner(topk=topk, ignore_iof_thr=ignore_iof_thr)
    w, h = sc["image"]
    per_level = [(w // s) * (h // s) for s in sc["strides"]]
    pred = InstanceData(priors=refs._anchor_boxes(sc, octave_base_scale))
    gt = InstanceData(bboxes=refs.t(sc["gt_bboxes"]), labels=refs.t(sc["gt_labels"], torch.long))
    ignore = InstanceData(bboxes=refs.t(np.asarray(sc.get("gt_ignore", np.zeros((0, 4))), np.float32).reshape(-1, 4)))
    r = a.assign(pred, per_level, gt, ignore)
    ov = r.max_overlaps.numpy().copy()
    ov[r.gt_inds.numpy() <= 0] = 0
    gi = r.gt_inds.numpy()
    return {"assigned_gt": np.where(gi > 0, gi - 1, np.where(gi == 0, -1, -2)), "matched_iou": ov.astype(np.float32)}


def mmdet_maxiou(sc, pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0.0, gt_max_assign_all=True,
                 match_low_quality=True, ignore_iof_thr=-1, octave_base_scale=4):
    from mmdet.models.task_modules.assigners.max_iou_assigner import MaxIoUAssigner
    a = MaxIoUAssigner(pos_iou_thr=pos_iou_thr, neg_iou_thr=tuple(neg_iou_thr) if isinstance(neg_iou_thr, list) else neg_iou_thr,
                       min_pos_iou=min_pos_iou, gt_max_assign_all=gt_max_assign_all,
                       match_low_quality=match_low_quality, ignore_iof_thr=ignore_iof_thr)
    pred = InstanceData(priors=refs._anchor_boxes(sc, octave_scale=octave_base_scale))
    gt = InstanceData(bboxes=refs.t(sc["gt_bboxes"]), labels=refs.t(sc["gt_labels"], torch.long))
    ignore = InstanceData(bboxes=refs.t(np.asarray(sc.get("gt_ignore", np.zeros((0, 4))), np.float32).reshape(-1, 4)))
    r = a.assign(pred, gt, ignore)
    gi = r.gt_inds.numpy()
    return {"assigned_gt": np.where(gi > 0, gi - 1, np.where(gi == 0, -1, -2))}


def mmdet_simota(sc, center_radius=2.5, candidate_topk=10, iou_weight=3.0, cls_weight=1.0):
    from mmdet.models.task_modules.assigners.sim_ota_assigner import SimOTAAssigner
    a = SimOTAAssigner(center_radius=center_radius, candidate_topk=candidate_topk, iou_weight=iou_weight, cls_weight=cls_weight)
    scores = torch.sigmoid(refs.t(sc["cls_logits"])) * torch.sigmoid(refs.t(sc["obj_logits"]))[:, None]
    pred = InstanceData(bboxes=refs.t(sc["pred_bboxes"]), scores=scores.sqrt(), priors=refs.t(sc["priors"]))
    gt = InstanceData(bboxes=refs.t(sc["gt_bboxes"]), labels=refs.t(sc["gt_labels"], torch.long))
    r = a.assign(pred, gt)
    ov = r.max_overlaps.numpy().copy()
    ov[r.gt_inds.numpy() <= 0] = 0
    return {"assigned_gt": r.gt_inds.numpy() - 1, "matched_iou": ov}


def mmdet_dsl(sc, soft_center_radius=3.0, topk=13, iou_weight=3.0):
    from mmdet.models.task_modules.assigners.dynamic_soft_label_assigner import DynamicSoftLabelAssigner
    a = DynamicSoftLabelAssigner(soft_center_radius=soft_center_radius, topk=topk, iou_weight=iou_weight)
    pred = InstanceData(bboxes=refs.t(sc["pred_bboxes"]), scores=refs.t(sc["cls_logits"]), priors=refs.t(sc["priors"]))
    gt = InstanceData(bboxes=refs.t(sc["gt_bboxes"]), labels=refs.t(sc["gt_labels"], torch.long))
    r = a.assign(pred, gt)
    ov = r.max_overlaps.numpy().copy()
    ov[r.gt_inds.numpy() <= 0] = 0
    return {"assigned_gt": r.gt_inds.numpy() - 1, "matched_iou": ov.astype(np.float32)}


def ultralytics_tal(sc, topk=10, alpha=0.5, beta=6.0, eps=1e-9, stride_val=None):
    from ultralytics.utils.tal import TaskAlignedAssigner
    n, g, c = len(sc["priors"]), len(sc["gt_bboxes"]), sc["num_classes"]
    strides = list(sc["strides"])
    if stride_val is not None:
        strides[1] = stride_val
    a = TaskAlignedAssigner(topk=topk, num_classes=c, alpha=alpha, beta=beta, eps=eps, stride=strides)
    scores = torch.sigmoid(refs.t(sc["cls_logits"]))[None]
    res = a(scores, refs.t(sc["pred_bboxes"])[None], refs.t(sc["priors"])[:, :2], refs.t(sc["gt_labels"])[None, :, None],
            refs.t(sc["gt_bboxes"])[None], torch.ones(1, g, 1))
    labels, boxes, tscores, fg, gidx = res
    fg = fg[0].numpy()
    return {"assigned_gt": np.where(fg, gidx[0].numpy(), -1),
            "target_scores": tscores[0].max(-1).values.numpy().astype(np.float32)}


def ota(sc, center_sampling_radius=2.5, reg_weight=1.5, top_candidates=20, sinkhorn_eps=0.1, sinkhorn_iters=50):
    n, g = len(sc["priors"]), len(sc["gt_bboxes"])
    cost, mu, nu, ious = refs.ota_cost(sc, radius=center_sampling_radius, reg_weight=reg_weight, top_candidates=top_candidates)
    pi = refs.sinkhorn_log_fixed(mu, nu, cost, sinkhorn_eps, sinkhorn_iters)
    pi = pi / pi.max(dim=1).values[:, None]
    _, matched = pi.max(dim=0)
    fg = matched != g
    miou = np.zeros(n, np.float32)
    idx = np.nonzero(fg.numpy())[0]
    miou[idx] = ious[matched[fg], torch.as_tensor(idx)].numpy()
    return {"assigned_gt": np.where(fg.numpy(), matched.numpy(), -1), "matched_iou": miou, "mu": mu.numpy()}


def yolov5(sc, anchor_t=4.0, anchors=None):
    saved = refs.YOLOV5_ANCHORS
    if anchors is not None:
        refs.YOLOV5_ANCHORS = anchors
    try:
        return refs.yolov5_targets(sc, anchor_t=anchor_t)
    finally:
        refs.YOLOV5_ANCHORS = saved


def hungarian(sc, cost_class=1.0, cost_bbox=5.0, cost_giou=2.0):
    cost, q = refs.detr_cost(sc, w_cls=cost_class, w_l1=cost_bbox, w_giou=cost_giou, seed=sc["seed"])
    return {"queries": q, "cost": cost, **refs.hungarian(cost)}


ANCHORS = [[8, 8, 16, 16, 24, 24], [32, 32, 48, 48, 64, 64], [96, 96, 128, 128, 192, 192]]

# (preset, reference runner, fixture key whose fields are compared, options, needs ignore boxes)
CASES = [
    ("atss", mmdet_atss, "mmdet_atss", {"topk": 5}, False),
    ("atss", mmdet_atss, "mmdet_atss", {"octave_base_scale": 4}, False),
    ("atss", mmdet_atss, "mmdet_atss", {"ignore_iof_thr": 0.5}, True),
    ("atss", mmdet_atss, "mmdet_atss", {"ignore_iof_thr": -1}, True),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"pos_iou_thr": 0.6}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"neg_iou_thr": [0.1, 0.4]}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"min_pos_iou": 0.3}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"gt_max_assign_all": False}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"match_low_quality": False}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"octave_base_scale": 8}, False),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"ignore_iof_thr": 0.5}, True),
    ("maxiou", mmdet_maxiou, "mmdet_maxiou", {"ignore_iof_thr": -1}, True),
    ("simota-mmdet", mmdet_simota, "mmdet_simota", {"center_radius": 1.5}, False),
    ("simota-mmdet", mmdet_simota, "mmdet_simota", {"candidate_topk": 5}, False),
    ("simota-mmdet", mmdet_simota, "mmdet_simota", {"iou_weight": 1.0}, False),
    ("simota-mmdet", mmdet_simota, "mmdet_simota", {"cls_weight": 2.0}, False),
    ("dsl", mmdet_dsl, "mmdet_dsl", {"soft_center_radius": 2.0}, False),
    ("dsl", mmdet_dsl, "mmdet_dsl", {"topk": 5}, False),
    ("dsl", mmdet_dsl, "mmdet_dsl", {"iou_weight": 1.0}, False),
    ("tal", ultralytics_tal, "ultralytics_tal", {"topk": 5}, False),
    ("tal", ultralytics_tal, "ultralytics_tal", {"alpha": 1.0}, False),
    ("tal", ultralytics_tal, "ultralytics_tal", {"beta": 2.0}, False),
    ("tal", ultralytics_tal, "ultralytics_tal", {"eps": 0.01}, False),
    ("tal", ultralytics_tal, "ultralytics_tal", {"stride_val": 64}, False),
    ("tood", refs.mmdet_tal, "mmdet_tal", {"topk": 5}, False),
    ("tood", refs.mmdet_tal, "mmdet_tal", {"alpha": 2}, False),
    ("tood", refs.mmdet_tal, "mmdet_tal", {"beta": 2}, False),
    ("ota", ota, "ota", {"center_sampling_radius": 1.5}, False),
    ("ota", ota, "ota", {"reg_weight": 3.0}, False),
    ("ota", ota, "ota", {"top_candidates": 5}, False),
    ("ota", ota, "ota", {"sinkhorn_eps": 0.5}, False),
    ("ota", ota, "ota", {"sinkhorn_iters": 20}, False),
    ("yolov5", yolov5, "yolov5_build_targets", {"anchor_t": 2.0}, False),
    ("yolov5", yolov5, "yolov5_build_targets", {"anchors": ANCHORS}, False),
    ("hungarian", hungarian, "detr_hungarian", {"cost_class": 2.0, "cost_bbox": 1.0, "cost_giou": 1.0}, False),
]


def with_ignore(sc, seed):
    """Four ignore boxes, each over part of an object, so ignoring changes the answer."""
    rng = np.random.default_rng(seed)
    gt = sc["gt_bboxes"]
    boxes = []
    for j in rng.choice(len(gt), size=min(4, len(gt)), replace=False):
        x1, y1, x2, y2 = gt[j]
        w, h = x2 - x1, y2 - y1
        boxes.append([x1 + 0.3 * w, y1 - 0.2 * h, x2 + 0.6 * w, y2 + 0.1 * h])
    out = dict(sc)
    out["gt_ignore"] = np.asarray(boxes, np.float32)
    return out


def case_name(preset, options):
    """`atss(topk=5)`: the preset spelled with its options, as `compare --assigners` takes it."""
    return preset + "(" + ",".join(f"{k}={json.dumps(v, separators=(',', ':'))}" for k, v in options.items()) + ")"


def main(root):
    specs = [(4, "coco", 320, 320, 8, None), (9, "coco", 320, 320, 8, None)]
    base = [scenes.make_scene(s, r, w, h, (8, 16, 32), c, n) for s, r, w, h, c, n in specs]
    lines = []
    for k, sc in enumerate(base):
        for ignore, scene in ((False, dict(sc, name=f"scene-coco-{sc['seed']}")),
                              (True, dict(with_ignore(sc, 100 + k), name=f"scene-coco-{sc['seed']}-ignore"))):
            cases = []
            for preset, fn, key, options, needs_ignore in CASES:
                if needs_ignore != ignore:
                    continue
                pick = {"yolov5_build_targets": "rows", "detr_hungarian": "cols"}.get(key, "assigned_gt")
                r = make_fixtures.robust(lambda s: fn(s, **options), scene, key=pick, cols=5 if pick == "rows" else None)
                if r is None:
                    print("fragile", preset, options, scene["name"], flush=True)
                    continue
                if key == "yolov5_build_targets":
                    r = {"rows": r["rows"]}
                cases.append({"preset": preset, "fixture_key": key, "options": options, "outputs": r})
                print(preset, options, scene["name"], flush=True)
            expected = {case_name(c["preset"], c["options"]): c for c in cases}
            lines.append(json.dumps(make_fixtures.jsonable(dict(scene, expected=expected))))
    with open(os.path.join(root, "options.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    torch.manual_seed(0)
    main(sys.argv[1])
