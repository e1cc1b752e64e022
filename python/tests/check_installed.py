"""Checks an installed labelassign (a wheel, or `pip install ./python`): run from outside the
checkout as `python check_installed.py FIXTURES_DIR [--bundled]`. It imports the installed package,
assigns a fixture scene with several presets and compares each with its expectation (assigned_gt
equal, floats within 1e-4), and, with --bundled, requires the library to be the package's own copy
(no LABELASSIGN_LIB, no Swift toolchain on the PATH)."""

import os
import shutil
import sys
from pathlib import Path

import numpy as np

import labelassign

CHECKS = {"simota": ("yolox_simota", "matched_iou"), "tal": ("ultralytics_tal", "target_scores"),
          "ota": ("ota", "matched_iou"), "atss": ("mmdet_atss", "matched_iou")}


def main():
    fixtures, bundled = Path(sys.argv[1]), "--bundled" in sys.argv
    package = Path(labelassign.__file__).resolve().parent
    if str(package).startswith(str(Path(__file__).resolve().parents[1])):
        sys.exit(f"labelassign was imported from the checkout ({package}), not from the installation")
    if bundled:
        if os.environ.get("LABELASSIGN_LIB") or shutil.which("swift") or shutil.which("swiftc"):
            sys.exit("--bundled needs LABELASSIGN_LIB unset and no Swift toolchain on the PATH")
        if not Path(labelassign.library_path()).resolve().is_relative_to(package):
            sys.exit(f"library {labelassign.library_path()} is not the bundled copy under {package}")
    scene = labelassign.load_scene(fixtures / "scenes" / "scene-coco-1.json")
    for preset, (key, field) in CHECKS.items():
        result = labelassign.assign(preset, **scene.inputs)
        expected = scene["expected"][key]
        if not np.array_equal(result["assigned_gt"], expected["assigned_gt"]):
            sys.exit(f"{preset}: assigned_gt differs from {key}")
        if not np.all(np.abs(result[field] - np.array(expected[field])) <= 1e-4):
            sys.exit(f"{preset}: {field} differs from {key}")
    plan = labelassign.emd([], [], [[0.0, 1.0], [1.0, 0.0]])
    assert plan.tolist() == [[0.5, 0.0], [0.0, 0.5]]
    print(f"installed labelassign {labelassign.__version__} (library {labelassign.library_version()} at "
          f"{labelassign.library_path()}): {len(CHECKS)} presets match scene-coco-1's fixtures")


if __name__ == "__main__":
    main()
