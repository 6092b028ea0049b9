"""Markdown table of PtqBenchmark JSON documents: python3 bench/ptq/table.py A.json [B.json ...]"""
import json
import re
import sys


def method_seconds(row):
    """The methods' own time: the sum of the '(N s)' their notes end with (none for the activation search)."""
    total = 0.0
    for n in row.get("notes", []):
        m = re.match(r"ptq [a-z]+: .*\(([0-9.]+) s\)$", n)
        if m:
            total += float(m.group(1))
    return total


def main(files):
    print("| model | variant | loss | metric | mean abs err vs float | max abs err | conversion s | methods s |")
    print("|---|---|---|---|---|---|---|---|")
    for f in files:
        d = json.load(open(f))
        name = d["model"].rstrip("/").split("/")[-2 if d["model"].rstrip("/").endswith("keras_export") else -1]
        for r in d["rows"]:
            metric = ", ".join(f"{k} {v:.4f}" for k, v in list(r["metrics"].items())[:1])
            over = method_seconds(r) if "notes" in r else None
            print(f"| {name} | {r['variant']} | {r['loss']:.4f} | {metric} | {r['mean_abs_error_vs_float']:.5f} | "
                  f"{r['max_abs_error_vs_float']:.4f} | {r['wall_seconds']:.1f} | "
                  f"{'' if over is None else f'{over:.1f}'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
