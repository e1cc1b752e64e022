"""ultralytics 8.4.190 `ultralytics.utils.tal.TaskAlignedAssigner`, computed by the engine's `tal` preset."""

import numpy as np
import torch
from torch import nn

from . import _engine


class TaskAlignedAssigner(nn.Module):
    """Drop-in for ultralytics 8.4.190 `TaskAlignedAssigner` (same constructor, same `forward`).

    `forward(pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt)` takes what
    `v8DetectionLoss` passes (sigmoid scores (b, n, C), xyxy pixel boxes (b, n, 4), anchor points
    in pixels (n, 2), padded labels (b, m, 1), boxes (b, m, 4) and mask (b, m, 1)) and returns
    `(target_labels, target_bboxes, target_scores, fg_mask, target_gt_idx)` with upstream's
    shapes, dtypes and device. The assignment runs on the CPU in float32 (inputs of other dtypes
    or devices are converted, outputs moved back); padded or masked object rows get no
    candidates, as upstream. `threads` (attribute, default None: `torch.get_num_threads()`) sets
    the engine's workers; every count gives the same result. Raises `labelassign.LabelAssignError` for input the engine rejects
    (non-finite values, inverted object boxes, labels outside [0, num_classes), scores outside [0, 1]).
    """

    def __init__(self, topk=13, num_classes=80, alpha=1.0, beta=6.0, stride=None, eps=1e-9, topk2=None):
        super().__init__()
        self.topk = topk
        self.topk2 = topk2 or topk
        self.num_classes = num_classes
        self.alpha = alpha
        self.beta = beta
        self.stride = stride if stride is not None else [8, 16, 32]
        self.stride_val = self.stride[1] if len(self.stride) > 1 else self.stride[0]
        self.eps = eps
        self.threads = None
        self._engine = _engine.engine_assigner(
            "tal", topk=int(topk), alpha=float(alpha), beta=float(beta), eps=float(eps),
            topk2=None if self.topk2 == self.topk else int(self.topk2),
            stride_val=float(self.stride_val), scores_are_probabilities=True)

    @torch.no_grad()
    def forward(self, pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt, **extra):
        """The task-aligned assignment of a padded batch (see the class)."""
        if extra:
            raise TypeError(f"TaskAlignedAssigner.forward: unexpected arguments {sorted(extra)}")
        self.bs = pd_scores.shape[0]
        self.n_max_boxes = gt_bboxes.shape[1]
        if self.n_max_boxes == 0:
            return (
                torch.full_like(pd_scores[..., 0], self.num_classes),
                torch.zeros_like(pd_bboxes),
                torch.zeros_like(pd_scores),
                torch.zeros_like(pd_scores[..., 0], dtype=torch.bool),
                torch.zeros_like(pd_scores[..., 0]),
            )
        assigned, quality = self._assign(pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt)
        return self._targets(assigned, quality, pd_scores, pd_bboxes, gt_labels, gt_bboxes)

    def _assign(self, pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt):
        """Engine `assigned_gt` and `target_scores` (b, n) on the CPU: int64 and float32."""
        priors, strides, image = _engine.prior_layout(_engine.host(anc_points), self.stride)
        layout = dict(image_size=image, strides=strides, num_classes=self.num_classes, priors=priors)
        scores, preds = _engine.host(pd_scores), _engine.host(pd_bboxes)
        boxes, labels = _engine.host(gt_bboxes), _engine.host(gt_labels[..., 0], np.float64)
        valid = _engine.host(mask_gt[..., 0], np.float64) != 0
        far = _engine.far_box(priors, self.stride_val)
        gt_boxes, gt_classes = [], []
        for b in range(self.bs):
            rows = np.flatnonzero(valid[b])
            count = int(rows[-1]) + 1 if len(rows) else 0
            keep = valid[b, :count]
            gt_boxes.append(np.where(keep[:, None], boxes[b, :count], far).astype(np.float32))
            gt_classes.append(np.where(keep, np.trunc(labels[b, :count]), 0).astype(np.int32))
        result = _engine.assign_batch(self._engine, layout, gt_boxes, gt_classes, preds, scores, self.threads)
        assigned = result["assigned_gt"].astype(np.int64)
        quality = result["target_scores"]
        return torch.from_numpy(assigned), torch.from_numpy(quality)

    def _targets(self, assigned, quality, pd_scores, pd_bboxes, gt_labels, gt_bboxes):
        """`get_targets` and the normalised scores of `_forward`, on the inputs' device."""
        device = pd_scores.device
        fg_mask = (assigned >= 0).to(device)
        target_gt_idx = assigned.clamp(min=0).to(device)
        flat = target_gt_idx + torch.arange(self.bs, device=device)[:, None] * self.n_max_boxes
        target_labels = gt_labels.long().flatten()[flat]
        target_bboxes = gt_bboxes.view(-1, gt_bboxes.shape[-1])[flat]
        target_labels.clamp_(0)
        dtype = torch.promote_types(torch.promote_types(pd_scores.dtype, gt_bboxes.dtype), pd_bboxes.dtype)
        target_scores = torch.zeros((*target_labels.shape, self.num_classes), dtype=dtype, device=device)
        values = (quality.to(device=device, dtype=dtype) * fg_mask).unsqueeze(-1)
        target_scores.scatter_(2, target_labels.unsqueeze(-1), values)
        return target_labels, target_bboxes, target_scores, fg_mask, target_gt_idx
