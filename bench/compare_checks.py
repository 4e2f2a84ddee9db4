"""Same findings and evaluations? ``run_checks`` of two source trees on synthetic districts.

    python bench/compare_checks.py /work/main/src src [--seeds 14,21] [--departments 50]

For each seed a district with budget and final documents is synthesised (text format; 50
departments × 3 years × 2 types = 300 documents). Each tree, in its own interpreter, extracts
the district, checks it as one batch (as ``analysis.api.check`` does: previous years and paired
narratives known), document by document from frames, and document by document from the
extraction's rows (as the run engine's worker does, ``check_document``; a tree without it
checks the frames there), and writes the
frames as parquet. The frames are compared row for row, order included (findings are sorted by
the runner). Exit status 0 when every frame is equal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUNNER = """
import sys
from pathlib import Path
import polars as pl
from analysis.check import run_checks
from analysis.extract import combine, extract_file, extract_paths

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
paths = sorted(folder.rglob("*.txt"))
frames = extract_paths(paths)
for name, df in frames.items():
    df.write_parquet(out / f"extract_{name}.parquet")
findings, evaluations = run_checks(frames)
findings.write_parquet(out / "batch_findings.parquet")
evaluations.write_parquet(out / "batch_evaluations.parquet")
alone = [run_checks(combine([extract_file(p)])) for p in paths]
pl.concat([f for f, _ in alone], how="vertical").write_parquet(out / "alone_findings.parquet")
pl.concat([e for _, e in alone], how="vertical").write_parquet(out / "alone_evaluations.parquet")
try:  # the run engine's worker checks the extraction's rows (a tree without it: its frames)
    from analysis.check.runner import check_document
    from analysis.extract import document_rows
except ImportError:
    check_document = None
worker = []
for p in paths:
    extraction = extract_file(p)
    frames = combine([extraction])
    if check_document is None:
        worker.append(run_checks(frames))
    else:
        worker.append(check_document(frames["documents"].row(0, named=True), document_rows(extraction)))
pl.concat([f for f, _ in worker], how="vertical").write_parquet(out / "worker_findings.parquet")
pl.concat([e for _, e in worker], how="vertical").write_parquet(out / "worker_evaluations.parquet")
"""


def run_tree(src: Path, folder: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    subprocess.run([sys.executable, "-c", _RUNNER, str(folder), str(out)], env=env, check=True)


def compare(old: Path, new: Path) -> list[str]:
    import polars as pl

    differences = []
    for path in sorted(old.glob("*.parquet")):
        left, right = pl.read_parquet(path), pl.read_parquet(new / path.name)
        if path.stem.startswith("extract_"):  # the time of extraction is the run's own
            left, right = (df.drop([c for c in df.columns if c == "extracted_at"]) for df in (left, right))
        if left.equals(right):
            print(f"  {path.stem:28s} {left.height:6d} rows  equal")
            continue
        differences.append(path.stem)
        print(f"  {path.stem:28s} {left.height:6d} → {right.height} rows  DIFFER")
        if left.columns == right.columns:
            gone = left.join(right, on=left.columns, how="anti", nulls_equal=True)
            came = right.join(left, on=left.columns, how="anti", nulls_equal=True)
            for label, rows in (("old", gone), ("new", came)):
                for row in rows.head(5).iter_rows():
                    print(f"      {label}: {str(row)[:600]}")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--seeds", default="14,21")
    parser.add_argument("--departments", type=int, default=50)
    args = parser.parse_args()
    differences = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds.split(","):
            folder = Path(tmp) / f"synth{seed}"
            env = {**os.environ, "PYTHONPATH": str(args.new.resolve())}
            district = [
                "--departments",
                str(args.departments),
                "--years",
                "2023,2024,2025",
                "--doc-types",
                "budget,final",
            ]
            subprocess.run(
                [sys.executable, "-m", "analysis", "synth", "--out", str(folder), "--seed", seed, *district],
                env=env,
                check=True,
                capture_output=True,
            )
            outs = [Path(tmp) / f"{tag}{seed}" for tag in ("old", "new")]
            for src, out in zip((args.old, args.new), outs, strict=True):
                run_tree(src, folder, out)
            print(f"seed {seed}:")
            differences += [f"seed {seed} {name}" for name in compare(*outs)]
    print("findings and evaluations unchanged" if not differences else f"differ: {', '.join(differences)}")
    return 0 if not differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
