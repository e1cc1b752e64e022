"""Run by `torchrun --nproc-per-node 2` (test_distributed.py): every rank takes its shard of the
8-image batch, runs the `v8DetectionLoss` step with the drop-in under DistributedDataParallel
(gloo) and writes its losses and averaged gradients to OUT/rank-R.pt."""

import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from ultralytics.utils.loss import v8DetectionLoss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import training  # noqa: E402
from labelassign.torch import TaskAlignedAssigner  # noqa: E402


def shard(imgs, batch, rank, world):
    """Images [rank·k, (rank+1)·k) and their targets, re-indexed from 0."""
    k = len(imgs) // world
    lo, hi = rank * k, (rank + 1) * k
    keep = (batch["batch_idx"] >= lo) & (batch["batch_idx"] < hi)
    part = {"batch_idx": batch["batch_idx"][keep] - lo, "cls": batch["cls"][keep], "bboxes": batch["bboxes"][keep]}
    return imgs[lo:hi], part


def drop_in(criterion):
    a = criterion.assigner
    return TaskAlignedAssigner(topk=a.topk, num_classes=a.num_classes, alpha=a.alpha, beta=a.beta, stride=a.stride,
                               eps=a.eps, topk2=a.topk2)


def main(out):
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.set_num_threads(1)
    net = training.model(0)
    imgs, batch = training.synthetic_batch(0)
    criterion = v8DetectionLoss(net)
    criterion.assigner = drop_in(criterion)
    ddp = DistributedDataParallel(net)
    part_imgs, part = shard(imgs, batch, rank, world)
    ddp.zero_grad(set_to_none=True)
    loss, items = criterion(ddp(part_imgs), part)
    loss.sum().backward()
    grads = [p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p) for p in net.parameters()]
    torch.save({"loss": loss.detach(), "grads": grads}, os.path.join(out, f"rank-{rank}.pt"))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
