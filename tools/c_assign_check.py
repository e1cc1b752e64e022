#!/usr/bin/env python3
"""`make lib`: examples/c/assign.c (built against the installed library) against the CLI.

For every preset on fixture scenes (scene files, and the first line of the anchor and options
JSON-lines files), `labelassign assign SCENE --assigner NAME` and `assign SCENE NAME` must print
the same assigned_gt (or both fail); plus presets with options. Usage:
    c_assign_check.py CLI ASSIGN_BINARY FIXTURE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

SCENES = ["scenes/scene-coco-1.json", "scenes/scene-crowd-20.json", "anchors.jsonl", "options.jsonl"]
OPTIONS = [("tal", {"topk": 13}), ("atss", {"topk": 5}), ("maxiou", {"neg_iou_thr": [0.1, 0.4]})]


def assigned_gt(command):
    """The assigned_gt the command prints, or None when it fails."""
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        return None
    return json.loads(run.stdout.splitlines()[0])["assigned_gt"]


def main():
    cli, binary, fixtures = sys.argv[1:4]
    presets = subprocess.run([cli, "assign", "--list"], capture_output=True, text=True, check=True).stdout
    names = [line.split("\t")[0] for line in presets.splitlines() if line.strip()]
    failures, both_failed, compared = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for scene in SCENES:
            path = os.path.join(fixtures, scene)
            if scene.endswith(".jsonl"):
                with open(path) as f:
                    first = f.readline()
                path = os.path.join(tmp, os.path.basename(scene) + ".json")
                with open(path, "w") as f:
                    f.write(first)
            cases = [(n, None) for n in names] + OPTIONS
            for name, options in cases:
                cli_command = [cli, "assign", path, "--assigner", name]
                c_command = [binary, path, name]
                if options is not None:
                    for key, value in options.items():
                        cli_command += ["--set", f"{key}={json.dumps(value)}"]
                    c_command.append(json.dumps(options))
                expected, got = assigned_gt(cli_command), assigned_gt(c_command)
                compared += 1
                if expected != got:
                    failures.append(f"{scene} {name} {options or ''}: CLI {'failed' if expected is None else 'differs'}"
                                    f" ({'failed' if got is None else len(got)} from assign.c)")
                elif expected is None:
                    both_failed.append(f"{scene} {name}")
    for f in failures:
        print("c_assign_check:", f)
    if both_failed:
        print("c_assign_check: both reject (the scene lacks what the preset needs):", ", ".join(both_failed))
    print(f"c_assign_check: assign.c equals `labelassign assign` in {compared - len(failures)} of {compared} cases "
          f"({len(names)} presets, {len(SCENES)} scenes, {len(OPTIONS)} with options)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
