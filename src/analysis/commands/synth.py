"""``analysis synth``: write a synthetic district of budget disclosures with planted anomalies."""

from __future__ import annotations

from pathlib import Path

import click


def _int_list(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated years, got {value!r}") from None


def _word_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@click.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the documents ({format}/{year}/…) and labels/truth/documents.parquet.",
)
@click.option("--departments", default=40, show_default=True, type=click.IntRange(min=1), help="Number of departments.")
@click.option("--years", default="2023,2024,2025", show_default=True, help="Budget years, comma-separated.")
@click.option("--formats", default="text", show_default=True, help="Any of text, pdf, xlsx, comma-separated.")
@click.option(
    "--anomaly-rate",
    default=0.3,
    show_default=True,
    type=float,
    help="Share of documents that carry at least one planted anomaly (0–1).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of every random choice.")
@click.option(
    "--layout",
    type=click.Choice(["tables", "narrative"]),
    default="tables",
    show_default=True,
    help="narrative: narrative-only 预算/决算说明 (formats text, html, pdf) with rate, sum and "
    "checklist anomalies, labels in labels.parquet.",
)
@click.option(
    "--doc-types",
    default="budget",
    show_default=True,
    help="budget and/or final (a 决算 beside each budget), comma-separated (tables layout).",
)
def synth(
    out_dir: Path,
    departments: int,
    years: str,
    formats: str,
    anomaly_rate: float,
    seed: int,
    layout: str,
    doc_types: str,
) -> None:
    """Write a fictional district's 部门预算 documents with labelled anomalies into --out.

    The same arguments always give the same documents. labels.parquet lists every planted
    anomaly; truth.parquet every clean printed figure (for round-trip tests of extraction).
    """
    from analysis.synth import generate

    if layout == "narrative":
        from analysis.synth.narrative_only import generate_narrative

        labels = generate_narrative(
            out_dir,
            departments=departments,
            years=_int_list(years),
            formats=[f for f in _word_list(formats)],
            anomaly_rate=anomaly_rate,
            seed=seed,
        )
        labels.write_parquet(Path(out_dir) / "labels.parquet")
        click.echo(f"narrative-only documents, {labels.height} labels → {out_dir}")
        return

    try:
        labels = generate(
            out_dir,
            departments=departments,
            years=_int_list(years),
            formats=_word_list(formats),
            anomaly_rate=anomaly_rate,
            seed=seed,
            doc_types=_word_list(doc_types),
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    n_docs = departments * len(set(_int_list(years))) * len(set(_word_list(doc_types)))
    click.echo(f"{n_docs} documents × {len(set(_word_list(formats)))} formats, {labels.height} labels → {out_dir}")
