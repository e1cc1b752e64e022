"""DETR's own `HungarianMatcher` (facebookresearch/detr is not a package): `models/matcher.py` and
`util/box_ops.py` of commit DETR_COMMIT, kept unchanged in third_party/detr (or `$DETR_SRC`)."""

import importlib.util
import os
import sys

DETR_COMMIT = "29901c51d7fe8712168b8d0d64351170bc0f83e0"
VENDORED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "third_party", "detr")


def matcher_module():
    """DETR's `models/matcher.py` as a module (its `util.box_ops` import resolved in the source tree)."""
    root = os.environ.get("DETR_SRC") or VENDORED
    if root not in sys.path:
        sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location("detr_matcher", os.path.join(root, "models", "matcher.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
