"""Checks the files of one moe-bench run (no third-party modules here).

  check_results.py DIR   prints what it found in DIR/moe-bench.{csv,json,md,png}

The CSV header and the JSON "columns" must list the same columns in the same
order, every JSON case must have each of them, and CSV rows and JSON cases
must agree on the case names and statuses. Train cases must carry every
engine's times and the backward/forward ratios, and moec's gradients must
match OpenBLAS's and, where it ran, the reference's (and OpenBLAS's the
reference's) to 1e-4.
"""
import csv
import json
import math
import os
import sys

TRAIN_TIMES = ["moec_ms", "moec_train_ms", "moec_bwd_ms", "moec_bwd_fwd_ratio",
               "openblas_ms", "openblas_train_ms", "openblas_bwd_ms",
               "openblas_bwd_fwd_ratio", "speedup_train_vs_openblas"]
TRAIN_ERRORS = ["err_vs_openblas", "err_vs_reference",
                "err_openblas_vs_reference"]


def train_summary(cells):
    """'times ok' when every train time is a finite number, and whether the
    errors that were measured are below 1e-4 (and which were measured)."""
    times = all(cells[c] not in ("", None) and math.isfinite(float(cells[c]))
                for c in TRAIN_TIMES)
    measured = [c for c in TRAIN_ERRORS if cells[c] not in ("", None)]
    accurate = all(float(cells[c]) < 1e-4 for c in measured)
    return (f"times {'ok' if times else 'missing'} "
            f"errors<1e-4 {accurate} ({','.join(measured)})")


out = sys.argv[1]
with open(os.path.join(out, "moe-bench.csv"), newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
print("csv columns: " + ",".join(header))
for row in body:
    assert len(row) == len(header), row
    cells = dict(zip(header, row))
    print(f"csv case: {cells['case']} {cells['status']}")
    if cells["phase"] == "train":
        print(f"csv train: {cells['case']} " + train_summary(cells))

with open(os.path.join(out, "moe-bench.json")) as f:
    report = json.load(f)
assert list(report["columns"]) == header, "JSON and CSV columns differ"
machine = report["machine"]
print(f"json machine: peak>0 {machine['fma_peak_gflops'] > 0} "
      f"bandwidth>0 {machine['bandwidth_gbs'] > 0} threads {machine['threads']}")
program = next(t for t in report["command"].split() if "=" not in t)
print(f"json command: {os.path.basename(program)}")
for case, row in zip(report["cases"], body):
    assert list(case) == header, case
    assert case["case"] == row[0] and case["status"] == row[header.index("status")]
print(f"json cases: {len(report['cases'])}")
for case in report["cases"]:
    if case["phase"] == "train":
        print(f"json train: {case['case']} " + train_summary(case))

with open(os.path.join(out, "moe-bench.md")) as f:
    for line in f:
        if line.startswith("| case"):
            print("md table: " + line.strip())

png = os.path.join(out, "moe-bench.png")
if os.path.exists(png):
    with open(png, "rb") as f:
        print("png: " + ("ok" if f.read(8) == b"\x89PNG\r\n\x1a\n" else "not a PNG"))
else:
    print("png: none")
