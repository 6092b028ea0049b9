"""Markdown table of PtqBenchmark JSON documents: python3 bench/ptq/table.py A.json [B.json ...]"""
import json
import sys


def main(files):
    print("| model | variant | loss | metric | mean abs err vs float | max abs err | wall s | s over min/max |")
    print("|---|---|---|---|---|---|---|---|")
    for f in files:
        d = json.load(open(f))
        name = d["model"].rstrip("/").split("/")[-2 if d["model"].rstrip("/").endswith("keras_export") else -1]
        for r in d["rows"]:
            metric = ", ".join(f"{k} {v:.4f}" for k, v in list(r["metrics"].items())[:1])
            over = r.get("seconds_over_minmax")
            print(f"| {name} | {r['variant']} | {r['loss']:.4f} | {metric} | {r['mean_abs_error_vs_float']:.5f} | "
                  f"{r['max_abs_error_vs_float']:.4f} | {r['wall_seconds']:.1f} | "
                  f"{'' if over is None else f'{over:.1f}'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
