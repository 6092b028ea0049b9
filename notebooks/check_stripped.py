#!/usr/bin/env python3
"""Fails when a notebook under notebooks/ is committed with outputs.

Every code cell must have no outputs and execution_count null, and the notebook metadata must not carry
widget state. Run: python3 notebooks/check_stripped.py [NOTEBOOK...] (default: every notebooks/*.ipynb).
Exit 0 when all are stripped, 1 (listing each offending cell) otherwise, 2 when a file is not a notebook.
"""
import json
import sys
from pathlib import Path


def problems(path):
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"{path}: not a readable notebook ({e})") from None
    found = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path}: cell {i} has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"{path}: cell {i} has execution_count {cell['execution_count']}")
    if "widgets" in nb.get("metadata", {}):
        found.append(f"{path}: metadata holds widget state")
    return found


def main(argv):
    here = Path(__file__).resolve().parent
    paths = [Path(a) for a in argv] or sorted(here.glob("*.ipynb"))
    if not paths:
        print(f"no notebooks in {here}", file=sys.stderr)
        return 2
    found = []
    for p in paths:
        try:
            found += problems(p)
        except SystemExit as e:
            print(e, file=sys.stderr)
            return 2
    for f in found:
        print(f, file=sys.stderr)
    if found:
        print("strip them: jupyter nbconvert --clear-output --inplace notebooks/*.ipynb", file=sys.stderr)
        return 1
    print(f"{len(paths)} notebook(s) stripped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
