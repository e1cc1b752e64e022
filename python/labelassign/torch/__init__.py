"""Drop-ins over torch tensors for the trainers' own assigners (torch is imported only here).

- `TaskAlignedAssigner`: ultralytics 8.4.190 `ultralytics.utils.tal.TaskAlignedAssigner`.
- `HungarianMatcher`: DETR's `models/matcher.py` `HungarianMatcher`.
"""

from .detr import HungarianMatcher
from .ultralytics import TaskAlignedAssigner

__all__ = ["HungarianMatcher", "TaskAlignedAssigner"]
