"""Command line: ``analysis VERB …``. Thin: every verb calls a library function.

Exit codes: 0 success (bad input files are reported in the outputs, not as a failure), 1 when
``--strict`` is given and some file failed, 2 on misuse (unknown option, missing path).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from analysis.extract import extract_paths, write_frames
from analysis.read import discover
from analysis.vocab import DocumentStatus


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, desc="extract", unit="doc")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="analysis")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
def main(verbose: bool) -> None:
    """Screen Chinese government budget and final-account disclosures."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the parquet outputs.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 when any file failed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def extract(paths: tuple[Path, ...], out_dir: Path, strict: bool, quiet: bool) -> None:
    """Extract tables, narrative claims and targets from PATHS (files or folders, recursive).

    Writes documents, tables, line_items, claims and targets as parquet into --out.
    """
    files = discover(list(paths))
    frames = extract_paths(files, progress=_progress(quiet))
    write_frames(frames, out_dir)
    docs = frames["documents"]
    failed = docs.filter(docs["status"] == DocumentStatus.FAILED)
    if not quiet:
        counts = docs["status"].value_counts().sort("status").iter_rows()
        click.echo(
            f"{docs.height} documents ({', '.join(f'{s}: {n}' for s, n in counts)}); "
            f"{frames['line_items'].height} line items, {frames['claims'].height} claims, "
            f"{frames['targets'].height} targets → {out_dir}"
        )
        for path, error in failed.select("path", "error").iter_rows():
            click.echo(f"  failed: {path}: {error}", err=True)
    if strict and failed.height:
        sys.exit(1)


@main.command()
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout."
)
def dictionary(out_file: Path | None) -> None:
    """Print the data dictionary of every output table (markdown)."""
    from analysis.schema import data_dictionary

    text = data_dictionary()
    if out_file:
        out_file.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the demo disclosures into (created when missing).",
)
def demo(out_dir: Path) -> None:
    """Write the embedded demo disclosures (invented departments) into --out."""
    from importlib import resources

    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in resources.files("analysis.demo").iterdir():
        if entry.name.endswith((".txt", ".md")):
            (out_dir / entry.name).write_bytes(entry.read_bytes())
    click.echo(f"demo disclosures written to {out_dir}")


def _register() -> None:
    from analysis.commands.check import check
    from analysis.commands.compare import compare
    from analysis.commands.evaluate import evaluate
    from analysis.commands.report import report_command
    from analysis.commands.run import run_command
    from analysis.commands.synth import synth

    for command in (run_command, check, compare, report_command, synth, evaluate):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
