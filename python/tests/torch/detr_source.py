"""DETR's own `HungarianMatcher` (facebookresearch/detr is not a package): `models/matcher.py` and
`util/box_ops.py` of commit DETR_COMMIT, from `$DETR_SRC` or the cache `make test-integrations` fills."""

import importlib.util
import os
import sys

DETR_COMMIT = "29901c51d7fe8712168b8d0d64351170bc0f83e0"


def source_dir():
    """The directory holding models/matcher.py and util/box_ops.py, or None."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for root in (os.environ.get("DETR_SRC"), os.path.join(cache, "labelassign", f"detr-{DETR_COMMIT}")):
        if root and os.path.isfile(os.path.join(root, "models", "matcher.py")):
            return root
    return None


def matcher_module():
    """DETR's `models/matcher.py` as a module (its `util.box_ops` import resolved in the source tree)."""
    root = source_dir()
    if root is None:
        return None
    if root not in sys.path:
        sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location("detr_matcher", os.path.join(root, "models", "matcher.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
