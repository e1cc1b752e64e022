"""Write a scene of a JSON-lines fixture as a safetensors file, as a PyTorch user saves one.

usage: python make_safetensors_fixture.py SCENES.jsonl LINE OUT.safetensors

Tensors under the scene format's names (`safetensors.torch.save_file`): `image` int32 [2],
`strides` float32 [L], `priors`, `gt_bboxes`, `pred_bboxes`, `gt_ignore`, `anchors` float32 [n, 4],
`cls_logits` float32 [N, C], `gt_labels` int64 [G]; `__metadata__` {"num_classes": C}.
Tests/Fixtures/anchors-fractional-13.safetensors is line 0 of anchors-fractional.jsonl.
"""
import json
import sys

import torch
from safetensors.torch import save_file


def main(src, line, out):
    with open(src) as f:
        sc = json.loads(f.readlines()[int(line)])
    tensors = {
        "image": torch.tensor(sc["image"], dtype=torch.int32),
        "strides": torch.tensor(sc["strides"], dtype=torch.float32),
        "cls_logits": torch.tensor(sc["cls_logits"], dtype=torch.float32).reshape(len(sc["priors"]), sc["num_classes"]),
        "gt_labels": torch.tensor(sc["gt_labels"], dtype=torch.int64),
    }
    for k in ("priors", "gt_bboxes", "pred_bboxes", "gt_ignore", "anchors"):
        if sc.get(k) is not None:
            tensors[k] = torch.tensor(sc[k], dtype=torch.float32).reshape(-1, 4)
    save_file(tensors, out, metadata={"num_classes": str(sc["num_classes"]), "name": sc["name"]})


if __name__ == "__main__":
    main(*sys.argv[1:4])
