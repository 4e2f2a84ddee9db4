"""Project-level promises: dependency lists agree, docs are generated from metadata, doctests."""

from __future__ import annotations

import doctest
import importlib
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.cli import main
from analysis.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[1]


def _names(specs) -> dict[str, str]:
    out = {}
    for spec in specs:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
        out[m.group(1).lower()] = m.group(2).replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [spec for group in project["optional-dependencies"].values() for spec in group]
    wanted = _names(project["dependencies"] + extras)
    env_text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    env_lines = env_text.split("dependencies:", 1)[1].splitlines()
    listed = [line.strip()[2:] for line in env_lines if re.match(r"^\s{2}- [a-z]", line)]
    conda = {k: v for k, v in _names(listed).items() if k not in {"python", "pip"}}
    assert conda == wanted


def test_data_dictionary_is_generated_from_metadata():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed.strip() == data_dictionary().strip(), "run `make dictionary`"


def test_readme_commands_are_the_makefile_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("verb", ["extract", "dictionary", "demo", "check", "compare", "synth", "evaluate", "run"])
def test_cli_help(verb):
    result = CliRunner().invoke(main, [verb, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.parametrize(
    "module", ["analysis.normalise.cells", "analysis.normalise.codes", "analysis.recognise.titles"]
)
def test_doctests(module):
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_demo_extracts_cleanly(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--out", str(tmp_path / "raw")]).exit_code == 0
    result = runner.invoke(main, ["extract", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0
    import polars as pl

    docs = pl.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["status"].to_list() == ["ok"]
    assert docs.select("total_expenditure", "basic_expenditure", "three_public_total").row(0) == (
        pytest.approx(346.2),
        pytest.approx(179.2),
        pytest.approx(3.2),
    )
