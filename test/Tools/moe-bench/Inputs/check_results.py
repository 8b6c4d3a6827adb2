"""Checks the files of one moe-bench run (no third-party modules here).

  check_results.py DIR   prints what it found in DIR/moe-bench.{csv,json,md,png}

The CSV header and the JSON "columns" must list the same columns in the same
order, every JSON case must have each of them, and CSV rows and JSON cases
must agree on the case names and statuses.
"""
import csv
import json
import os
import sys

out = sys.argv[1]
with open(os.path.join(out, "moe-bench.csv"), newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
print("csv columns: " + ",".join(header))
for row in body:
    assert len(row) == len(header), row
    cells = dict(zip(header, row))
    print(f"csv case: {cells['case']} {cells['status']}")

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

with open(os.path.join(out, "moe-bench.md")) as f:
    print("md table: " + next(line for line in f if line.startswith("| case")).strip())

png = os.path.join(out, "moe-bench.png")
if os.path.exists(png):
    with open(png, "rb") as f:
        print("png: " + ("ok" if f.read(8) == b"\x89PNG\r\n\x1a\n" else "not a PNG"))
else:
    print("png: none")
