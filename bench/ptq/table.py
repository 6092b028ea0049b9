"""Markdown tables of PtqBenchmark JSON documents.

    python3 bench/ptq/table.py [--default LIST] A.json [B.json ...]

Documents of the same model are merged (the first one's rows, then the variants only a later one has).

Prints (1) every row of every document: loss, first metric, its change against the float TFLite model,
mean/max absolute output error against the source model, conversion wall time and the methods' own seconds;
(2) one line per model for the issue's criteria: the min/max int8 metric gap to float, the gap left by the
combination to judge (--default LIST, default range,bias; the variant as the benchmark names it) and by
1 epoch of QAT, whether the gap is above noise and whether the default halves it / matches QAT; (3) one line
per variant: its mean absolute output error relative to min/max's on each model, their geometric mean, the
geometric mean and largest ratio of the max absolute error, its worst metric change against min/max and the methods' seconds summed over the models.

Noise, for accuracy on N held-out samples: a change of k samples between two models judged on the same
samples has a standard error of at least sqrt(k)/N (McNemar, with no discordant pairs beyond the k), so a gap
is above noise when it is more than 4 samples (2 standard errors); for MAE (regression), when it is above
2 sqrt(mean |q - f| max |q - f| / N) with q - f min/max's output error against float (a bound on 2 standard
errors of the paired per-sample change); for other metrics (Dice), when it is above 0.001.
"""
import json
import math
import re
import sys


def method_seconds(row):
    """The methods' own time: the sum of the '(N s)' their notes end with."""
    total = 0.0
    for n in row.get("notes", []):
        m = re.match(r"ptq [a-z]+: .*\(([0-9.]+) s\)$", n)
        if m:
            total += float(m.group(1))
    return total


def model_name(d):
    p = d["model"].rstrip("/")
    parts = p.split("/")
    if parts[-1] in ("keras_export", "saved_model", "model.keras") or parts[-1].endswith((".keras", ".h5")) \
            and parts[-1].startswith("model"):
        return parts[-2]
    return parts[-1]


def first_metric(row):
    items = list(row["metrics"].items())
    return items[0] if items else (row["loss_name"], row["loss"])


def short(variant):
    return variant.replace("int8 --ptq ", "").replace("float (fp32 tflite)", "float").replace(
        "int8 after 1 epoch(s) of QAT", "QAT 1 epoch")


def noise(metric, samples, row=None):
    """The smallest metric change above noise. For MAE (regression), two standard errors of the paired
    per-sample change, bounded from the row's output error against float: |(|t - q| - |t - f|)| <= |q - f|, so
    its standard deviation is at most sqrt(mean |q - f| * max |q - f|)."""
    if metric == "accuracy":
        return 4.0 / samples
    if metric == "mae" and row is not None:
        return 2.0 * math.sqrt(row["mean_abs_error_vs_float"] * row["max_abs_error_vs_float"] / samples)
    return 0.001


def rows_table(docs):
    out = ["| model | variant | loss | metric | vs float | mean abs err vs float | max abs err | conversion s | methods s |",
           "|---|---|---|---|---|---|---|---|---|"]
    for d in docs:
        name = model_name(d)
        base = first_metric(d["rows"][0])[1]
        for r in d["rows"]:
            k, v = first_metric(r)
            over = f"{method_seconds(r):.1f}" if "notes" in r else ""
            out.append(f"| {name} | {short(r['variant'])} | {r['loss']:.4f} | {k} {v:.4f} | {v - base:+.4f} | "
                       f"{r['mean_abs_error_vs_float']:.5f} | {r['max_abs_error_vs_float']:.4f} | "
                       f"{r['wall_seconds']:.1f} | {over} |")
    return out


def summary_table(docs, default):
    out = [f"| model | n | float | min/max gap | `{default}` gap | QAT 1 epoch gap | noise | gap above noise | "
           f"`{default}` halves it | `{default}` matches QAT | mean abs err: min/max -> `{default}` (QAT) |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in docs:
        rows = {short(r["variant"]): r for r in d["rows"]}
        if "none" not in rows or default not in rows:
            continue
        k, f = first_metric(rows["float"])
        n = rows["float"]["samples"]
        # higher is better for accuracy/dice/iou; lower for a loss-like metric
        sign = -1.0 if k in ("mae", "mse") else 1.0

        def gap(name):
            return sign * (f - first_metric(rows[name])[1]) if name in rows else float("nan")

        g0, gd, gq = gap("none"), gap(default), gap("QAT 1 epoch")
        nz = noise(k, n, rows["none"])
        above = g0 > nz
        halves = (gd <= g0 / 2) if above else None
        matches = (gd <= gq + nz) if "QAT 1 epoch" in rows else None
        err = (f"{rows['none']['mean_abs_error_vs_float']:.4g} -> {rows[default]['mean_abs_error_vs_float']:.4g}"
               + (f" ({rows['QAT 1 epoch']['mean_abs_error_vs_float']:.4g})" if "QAT 1 epoch" in rows else ""))
        yes = {True: "yes", False: "**no**", None: "n/a"}
        out.append(f"| {model_name(d)} | {n} | {k} {f:.4f} | {g0:+.4f} | {gd:+.4f} | "
                   f"{'n/a' if math.isnan(gq) else f'{gq:+.4f}'} | "
                   f"{nz:.4f} | {'yes' if above else 'no'} | {yes[halves]} | {yes[matches]} | {err} |")
    return out


def variants_table(docs):
    """Per variant: mean abs output error relative to min/max on each model (and their geometric mean), the
    worst metric change against min/max, and the methods' seconds summed over the models."""
    names = []
    for d in docs:
        for r in d["rows"]:
            v = short(r["variant"])
            if v not in ("float", "QAT 1 epoch") and v not in names:
                names.append(v)
    models = [model_name(d) for d in docs]
    out = ["| variant | " + " | ".join(models) + " | geo. mean | max abs err: geo. mean, worst | "
           "worst metric change vs min/max | methods s (sum) |",
           "|---|" + "---|" * len(models) + "---|---|---|---|"]
    for v in names + ["QAT 1 epoch"]:
        cells, logs, max_ratios, worst, secs, complete = [], [], [], None, 0.0, True
        for d in docs:
            rows = {short(r["variant"]): r for r in d["rows"]}
            if v not in rows or "none" not in rows:
                cells.append("")
                complete = False
                continue
            ratio = rows[v]["mean_abs_error_vs_float"] / rows["none"]["mean_abs_error_vs_float"]
            cells.append(f"{ratio:.2f}")
            logs.append(math.log(ratio))
            max_ratios.append(rows[v]["max_abs_error_vs_float"] / rows["none"]["max_abs_error_vs_float"])
            k, m = first_metric(rows[v])
            change = (m - first_metric(rows["none"])[1]) * (-1.0 if k in ("mae", "mse") else 1.0)
            worst = change if worst is None else min(worst, change)
            secs += method_seconds(rows[v]) if "notes" in rows[v] else 0.0
        geo = f"{math.exp(sum(logs) / len(logs)):.2f}" + ("" if complete else f" ({len(logs)})") if logs else ""
        mx = (f"{math.exp(sum(map(math.log, max_ratios)) / len(max_ratios)):.2f}, {max(max_ratios):.2f}"
              if max_ratios else "")
        out.append(f"| {v} | " + " | ".join(cells) + f" | {geo} | {mx} | {'' if worst is None else f'{worst:+.4f}'} | "
                   + (f"{secs:.0f}" if v != "QAT 1 epoch" else "") + " |")
    return out


def merged(docs):
    """Documents of the same model (a later run of more variants) become one: the first document's rows, then
    the later ones' rows of variants it lacks."""
    out = {}
    for d in docs:
        if d["model"] not in out:
            out[d["model"]] = dict(d, rows=list(d["rows"]))
            continue
        have = {r["variant"] for r in out[d["model"]]["rows"]}
        qat = [r for r in out[d["model"]]["rows"] if "QAT" in r["variant"]]
        rows = [r for r in out[d["model"]]["rows"] if "QAT" not in r["variant"]]
        rows += [r for r in d["rows"] if r["variant"] not in have]
        out[d["model"]]["rows"] = rows + qat
    return list(out.values())


def main(args):
    default = "range,bias"
    if args and args[0] == "--default":
        default, args = args[1], args[2:]
    docs = merged([json.load(open(f)) for f in args])
    print("\n".join(rows_table(docs)))
    print()
    print("\n".join(summary_table(docs, default)))
    print()
    print("\n".join(variants_table(docs)))


if __name__ == "__main__":
    main(sys.argv[1:])
