"""The drop-in under torch.distributed (gloo, two ranks) and in forked DataLoader workers."""

import os
import socket
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("ultralytics")

from ultralytics.utils.loss import v8DetectionLoss  # noqa: E402

import distributed_step  # noqa: E402
import scenes  # noqa: E402
import training  # noqa: E402
from labelassign.torch import TaskAlignedAssigner  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_rank_gets_the_losses_of_its_shard_alone(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(HERE, "..", ".."), os.environ.get("PYTHONPATH", "")]),
               OMP_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
                    "--master-port", str(free_port()),
                    os.path.join(HERE, "distributed_step.py"), str(tmp_path)], check=True, env=env, timeout=600)
    torch.set_num_threads(1)
    net = training.model(0)
    imgs, batch = training.synthetic_batch(0)
    alone = []
    for rank in range(2):
        criterion = v8DetectionLoss(net)
        stock_loss = training.step(net, criterion, *distributed_step.shard(imgs, batch, rank, 2))[0]
        criterion.assigner = distributed_step.drop_in(criterion)
        loss, _, grads = training.step(net, criterion, *distributed_step.shard(imgs, batch, rank, 2))
        torch.testing.assert_close(loss, stock_loss, rtol=1e-5, atol=0)
        ranked = torch.load(tmp_path / f"rank-{rank}.pt")
        torch.testing.assert_close(ranked["loss"], loss, rtol=1e-6, atol=0)
        alone.append(grads)
    # DDP averages the ranks' gradients.
    for rank in range(2):
        ranked = torch.load(tmp_path / f"rank-{rank}.pt")["grads"]
        for g, a, b in zip(ranked, alone[0], alone[1]):
            mean = (a + b) / 2
            torch.testing.assert_close(g, mean, rtol=1e-4, atol=1e-6 * max(mean.abs().max().item(), 1e-12))


class AssigningDataset(torch.utils.data.Dataset):
    """Each item: the drop-in's assignment of scene `index` (the engine runs in the worker)."""

    def __init__(self, assigner):
        self.assigner = assigner

    def __len__(self):
        return 6

    def __getitem__(self, index):
        return self.assigner(*scenes.batch(100 + index, [3 + index, 2 * index], width=320, height=320))


def test_forked_dataloader_workers_assign_as_the_parent():
    assigner = TaskAlignedAssigner(topk=10, num_classes=80, alpha=0.5, beta=6.0, stride=[8.0, 16.0, 32.0])
    assigner.threads = 2
    dataset = AssigningDataset(assigner)
    expected = [dataset[i] for i in range(len(dataset))]  # the engine is loaded and has run before the fork
    loader = torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="fork",
                                         timeout=300)
    got = list(loader)
    assert len(got) == len(expected)
    for e, g in zip(expected, got):
        for x, y in zip(e, g):
            assert torch.equal(x, y)
