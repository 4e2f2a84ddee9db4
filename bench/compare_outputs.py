"""Behaviour unchanged? Run extract → check → compare with two source trees and compare the frames.

    python bench/compare_outputs.py /work/main/src src            # corpus + demo
    python bench/compare_outputs.py OLD_SRC NEW_SRC --inputs FILE_OR_FOLDER ...

Each tree runs in its own interpreter (``PYTHONPATH=<tree>``) and writes its frames as parquet
under ``--work`` (default a temporary folder; ``--keep`` reuses a tree's earlier outputs, so the
baseline is run once). Frames are compared as multisets of rows (order aside); columns
that hold the run's own time or folder are left out. Columns only the new tree writes are
named and left out. Exit status 0 when every frame is equal.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUTS = [ROOT / "../shared/corpus", ROOT / "src/analysis/demo"]
VOLATILE = {"extracted_at", "seconds", "elapsed", "duration_s", "generated"}

_RUNNER = """
import sys
from pathlib import Path
import analysis.api as api
out, inputs = Path(sys.argv[1]), sys.argv[2:]
frames = api.compare(api.check(api.extract(inputs)))
out.mkdir(parents=True, exist_ok=True)
frames.write(out)
"""


def run_tree(src: Path, inputs: list[str], out: Path, keep: bool) -> Path:
    if keep and any(out.glob("*.parquet")):
        return out
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    subprocess.run([sys.executable, "-c", _RUNNER, str(out), *inputs], env=env, check=True)
    return out


def _rows(df) -> Counter:
    """The frame's rows as a multiset of printed tuples, columns in name order."""
    df = df.drop([c for c in df.columns if c in VOLATILE])
    return Counter(repr(row) for row in df.select(sorted(df.columns)).rows())


def compare_folders(old: Path, new: Path) -> list[str]:
    import polars as pl

    differences = []
    names = sorted({p.stem for p in old.glob("*.parquet")} | {p.stem for p in new.glob("*.parquet")})
    for name in names:
        a, b = old / f"{name}.parquet", new / f"{name}.parquet"
        if not a.exists() or not b.exists():
            differences.append(f"{name}: only in {'new' if b.exists() else 'old'}")
            continue
        left, right = pl.read_parquet(a), pl.read_parquet(b)
        added, removed = set(right.columns) - set(left.columns), set(left.columns) - set(right.columns)
        if removed:
            differences.append(f"{name}: columns removed {sorted(removed)}")
        if added:  # a new output column is a schema addition, not a change of what was there
            print(f"  {name:24s} new columns {sorted(added)} (the old columns are compared)")
        if added or removed:
            shared = [c for c in left.columns if c in right.columns]
            left, right = left.select(shared), right.select(shared)
        rows_old, rows_new = _rows(left), _rows(right)
        if rows_old == rows_new:
            print(f"  {name:24s} {left.height:6d} rows  equal")
            continue
        gone, came = rows_old - rows_new, rows_new - rows_old
        differences.append(
            f"{name}: {left.height} → {right.height} rows; {sum(gone.values())} only old, {sum(came.values())} only new"
        )
        print(
            f"  {name:24s} {left.height:6d} → {right.height} rows  DIFFER "
            f"({sum(gone.values())} only old, {sum(came.values())} only new)"
        )
        for label, rows in (("old", gone), ("new", came)):
            for row in list(rows)[:5]:
                print(f"      {label}: {row[:600]}")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--inputs", nargs="*", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="reuse a tree's outputs already in --work")
    args = parser.parse_args()
    inputs = [str(p.resolve()) for p in (args.inputs or DEFAULT_INPUTS) if p.exists()]
    work = args.work or Path(tempfile.mkdtemp(prefix="compare_outputs_"))
    outs = []
    for tree in (args.old, args.new):
        tag = hashlib.sha1(str(tree.resolve()).encode()).hexdigest()[:8]
        print(f"{tree} → {work / tag}", flush=True)
        outs.append(run_tree(tree, inputs, work / tag, args.keep))
    print(f"inputs: {', '.join(inputs)}")
    differences = compare_folders(*outs)
    print("behaviour unchanged" if not differences else f"{len(differences)} frame(s) differ")
    return 0 if not differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
