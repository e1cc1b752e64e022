"""DETR `HungarianMatcher` (facebookresearch/detr `models/matcher.py`) with the engine's `linear_sum_assignment`."""

import torch
from torch import nn

import labelassign


def _cxcywh_to_xyxy(x):
    """DETR `util/box_ops.box_cxcywh_to_xyxy`."""
    x_c, y_c, w, h = x.unbind(-1)
    return torch.stack([(x_c - 0.5 * w), (y_c - 0.5 * h), (x_c + 0.5 * w), (y_c + 0.5 * h)], dim=-1)


def _box_area(boxes):
    """torchvision `box_area`."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _generalized_box_iou(boxes1, boxes2):
    """DETR `util/box_ops.generalized_box_iou` (its `box_iou` included)."""
    if not (boxes1[:, 2:] >= boxes1[:, :2]).all():
        raise ValueError("pred_boxes: a box has x2 < x1 or y2 < y1 after cxcywh -> xyxy (negative width or height)")
    if not (boxes2[:, 2:] >= boxes2[:, :2]).all():
        raise ValueError("targets boxes: a box has x2 < x1 or y2 < y1 after cxcywh -> xyxy (negative width or height)")
    area1, area2 = _box_area(boxes1), _box_area(boxes2)
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    union = area1[:, None] + area2 - inter
    iou = inter / union
    lt = torch.min(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.max(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    area = wh[:, :, 0] * wh[:, :, 1]
    return iou - (area - union) / area


class HungarianMatcher(nn.Module):
    """Drop-in for DETR's `HungarianMatcher`; the defaults are `main.py`'s training weights
    (`set_cost_class` 1, `set_cost_bbox` 5, `set_cost_giou` 2; DETR's class defaults are 1, 1, 1).

    `forward(outputs, targets)`: `outputs["pred_logits"]` (b, q, K + 1), `outputs["pred_boxes"]`
    (b, q, 4) normalised cxcywh, `targets` a list of dicts with `labels` (n_i,) and `boxes`
    (n_i, 4). The cost is DETR's, in its operation order on the tensors' device
    (`cost_bbox·L1 + cost_class·(−softmax) + cost_giou·(−GIoU)`); each image's block is solved by
    `labelassign.linear_sum_assignment` (scipy's result, ties included). Returns a list of
    `(index_i, index_j)` int64 CPU tensors, `min(q, n_i)` pairs each, queries ascending.
    Raises `ValueError` for a cost block with NaN (scipy's error), as DETR would.
    """

    def __init__(self, cost_class: float = 1, cost_bbox: float = 5, cost_giou: float = 2):
        super().__init__()
        self.cost_class = cost_class
        self.cost_bbox = cost_bbox
        self.cost_giou = cost_giou
        if cost_class == 0 and cost_bbox == 0 and cost_giou == 0:
            raise ValueError("all costs cant be 0")

    @torch.no_grad()
    def forward(self, outputs, targets):
        """The optimal query ↔ object matching of every image (see the class)."""
        bs, num_queries = outputs["pred_logits"].shape[:2]
        out_prob = outputs["pred_logits"].flatten(0, 1).softmax(-1)
        out_bbox = outputs["pred_boxes"].flatten(0, 1)
        tgt_ids = torch.cat([v["labels"] for v in targets])
        tgt_bbox = torch.cat([v["boxes"] for v in targets])
        cost_class = -out_prob[:, tgt_ids]
        cost_bbox = torch.cdist(out_bbox, tgt_bbox, p=1)
        cost_giou = -_generalized_box_iou(_cxcywh_to_xyxy(out_bbox), _cxcywh_to_xyxy(tgt_bbox))
        C = self.cost_bbox * cost_bbox + self.cost_class * cost_class + self.cost_giou * cost_giou
        C = C.view(bs, num_queries, -1).cpu()
        sizes = [len(v["boxes"]) for v in targets]
        indices = [labelassign.linear_sum_assignment(c[i].numpy()) for i, c in enumerate(C.split(sizes, -1))]
        return [(torch.as_tensor(i, dtype=torch.int64), torch.as_tensor(j, dtype=torch.int64)) for i, j in indices]
