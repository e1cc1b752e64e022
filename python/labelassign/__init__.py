"""LabelAssign for Python: object-detection label assignment (ultralytics, YOLOX, mmdet, DETR and
OTA reproduced exactly), box overlaps, optimal transport and linear assignment, over the C library
liblabelassign (ctypes and numpy; the GIL is released during every call).

    import labelassign
    scene = labelassign.load_scene("scene.json")
    result = labelassign.assign("simota", **scene.inputs)
    result["assigned_gt"]          # int32: object index, -1 background, -2 ignored
"""

from ._assign import Assigner, BatchResult, Result, assign, presets
from ._errors import LabelAssignError
from ._geometry import box_iou
from ._library import load as _load
from ._scene import Scene, load_scene, load_scenes
from ._transport import emd, emd2, linear_sum_assignment, sinkhorn

__version__ = "0.2.0"

__all__ = ["Assigner", "BatchResult", "LabelAssignError", "Result", "Scene", "assign", "box_iou", "emd", "emd2",
           "library_path", "library_version", "linear_sum_assignment", "load_scene", "load_scenes", "presets",
           "sinkhorn"]


def library_version():
    """The version of the loaded liblabelassign (``la_version``)."""
    return _load().la_version().decode()


def library_path():
    """The path of the loaded liblabelassign."""
    return _load().path
