"""The findings review register (`tests/golden/findings_review.tsv`) and the corpus findings it covers.

Run as a script to list the error findings on the corpus that the register does not hold yet,
as register rows with an empty verdict for a reviewer to fill in:

    PYTHONPATH=src python tests/findings_register.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import csv
import sys
from functools import lru_cache
from pathlib import Path

import polars as pl

REGISTER = Path(__file__).resolve().parent / "golden" / "findings_review.tsv"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
HEADER = ["file", "rule", "location", "row_label", "expected", "actual", "verdict", "reason"]
KEY = HEADER[:6]


def _amount(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _text(value) -> str:
    # a tab or line break inside a cell would break the TSV row; the page text never needs them
    return "" if value is None else " ".join(str(value).split("\t")).replace("\n", " ")


def key_of(row: dict, corpus: Path) -> tuple[str, ...]:
    """The register key of one finding row (path made relative to the corpus)."""
    path = Path(row["path"])
    try:
        file = path.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        file = path.as_posix()
    return (
        file,
        row["rule"],
        _text(row["location"]),
        _text(row["row_label"]),
        _amount(row["expected"]),
        _amount(row["actual"]),
    )


def read_register(path: Path = REGISTER) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames != HEADER:
            raise ValueError(f"{path.name}: header must be {HEADER}, found {reader.fieldnames}")
        return list(reader)


@lru_cache(maxsize=2)
def corpus_findings(corpus: Path = CORPUS) -> pl.DataFrame:
    """Every finding the toolkit makes on the whole corpus today (extract + check)."""
    from analysis.check import run_checks
    from analysis.extract import extract_paths
    from analysis.read import discover

    frames = extract_paths(discover([corpus]))
    findings, _ = run_checks(frames)
    return findings


def error_keys(findings: pl.DataFrame, corpus: Path = CORPUS) -> list[tuple[tuple[str, ...], dict]]:
    errors = findings.filter(pl.col("severity") == "error")
    return [(key_of(row, corpus), row) for row in errors.iter_rows(named=True)]


def main(argv: list[str]) -> int:
    corpus = Path(argv[argv.index("--corpus") + 1]) if "--corpus" in argv else CORPUS
    known = {tuple(r[k] for k in KEY) for r in read_register()} if REGISTER.exists() else set()
    writer = csv.writer(sys.stdout, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
    missing = sorted({key for key, _ in error_keys(corpus_findings(corpus), corpus)} - known)
    for key in missing:
        writer.writerow([*key, "", ""])
    print(f"{len(missing)} unregistered error findings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
