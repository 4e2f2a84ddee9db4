"""Bad input becomes a documents row with a status and a reason; the batch goes on."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.cli import main
from analysis.extract import extract_file, extract_paths

MINIMAL = """# 某局2024年部门预算

## 2024年一般公共预算基本支出表

单位：万元

科目编码\t科目名称\t合计\t人员经费\t公用经费
合计\t\t{total}\t10.00\t2.00
30101\t基本工资\t10.00\t10.00\t
30201\t办公费\t2.00\t\t2.00
"""


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


BAD = {
    "empty.txt": b"",
    "blank.md": b"   \n\n  \n",
    "binary.txt": b"\x00\x01\x02\x03PK\x00\x00" * 200,
    "undecodable.txt": b"\xff\xfe\xfa\xfb\x80\x81" * 300,
    "narrative_only.txt": "某局2024年部门预算说明。收入总计100万元。\n".encode(),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_a_failed_row_with_a_reason(name, tmp_path):
    result = extract_file(_write(tmp_path, name, BAD[name]))
    assert result.document["status"] == "failed"
    assert result.document["error"]
    assert result.document["path"].endswith(name)


def test_truncated_text_keeps_what_was_read(seed_text, tmp_path):
    cut = seed_text.encode("utf-8")
    cut = cut[: int(len(cut) * 0.55)]  # ends mid-table, possibly mid-character
    result = extract_file(_write(tmp_path, "truncated.txt", cut))
    assert result.document["status"] in {"ok", "partial"}
    assert 0 < result.document["n_recognised"] < 12


def test_truncated_mid_character_is_read_or_explained(tmp_path):
    data = MINIMAL.format(total="12.00").encode("utf-8")[:-1] + "费".encode()[:2]
    result = extract_file(_write(tmp_path, "cut.txt", data))
    assert result.document["status"] in {"ok", "partial", "failed"}
    if result.document["status"] == "failed":
        assert "编码" in result.document["error"]


def test_unparsed_amount_is_kept_with_its_location(tmp_path):
    result = extract_file(_write(tmp_path, "xx.txt", MINIMAL.format(total="XX").encode()))
    items = result.line_items
    bad = items.filter(pl.col("value_status") == "unparsed")
    assert bad.select("raw_value", "line", "column").rows() == [("XX", 8, "total")]
    assert result.document["status"] == "partial" and "无法解析" in result.document["error"]
    assert items.filter(pl.col("value_status") == "value").height == 6


def test_same_content_under_two_names_gives_each_file_its_items(tmp_path):
    """Content hashes are equal, so doc_ids are; each file still keeps exactly its own items,
    with its table's title and source unit."""
    data = MINIMAL.format(total="12.00").encode()
    frames = extract_paths([_write(tmp_path, "a.txt", data), _write(tmp_path, "b.txt", data)])
    once = extract_file(tmp_path / "a.txt").line_items
    assert frames["line_items"].height == 2 * once.height == 14
    assert frames["line_items"]["table_title"].unique().to_list() == ["2024年一般公共预算基本支出表"]
    assert frames["line_items"]["source_unit"].unique().to_list() == ["万元"]


def test_sign_inside_accounting_brackets_is_unparsed_not_a_crash(tmp_path):
    """ "（－12.00）" once made float() raise and failed the whole document."""
    result = extract_file(_write(tmp_path, "neg.txt", MINIMAL.format(total="（－12.00）").encode()))
    assert result.document["status"] == "partial", result.document["error"]
    bad = result.line_items.filter(pl.col("value_status") == "unparsed")
    assert bad.select("raw_value", "line").rows() == [("（－12.00）", 8)]


def test_missing_file_row(tmp_path):
    result = extract_file(tmp_path / "gone.txt")
    assert result.document["status"] == "failed" and "No such file" in result.document["error"]


def test_batch_goes_on_and_exit_codes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in BAD.items():
        _write(folder, name, data)
    _write(folder, "good.txt", MINIMAL.format(total="12.00").encode("gb18030"))
    out = tmp_path / "out"
    runner = CliRunner()
    ok = runner.invoke(main, ["extract", str(folder), "--out", str(out), "-q"])
    assert ok.exit_code == 0, ok.output
    docs = pl.read_parquet(out / "documents.parquet")
    assert docs.height == len(BAD) + 1
    good = docs.filter(pl.col("path").str.ends_with("good.txt")).row(0, named=True)
    assert good["status"] == "ok" and good["personnel_expenditure"] == 10.0
    strict = runner.invoke(main, ["extract", str(folder), "--out", str(out), "-q", "--strict"])
    assert strict.exit_code == 1
    misuse = runner.invoke(main, ["extract", "--out", str(out)])
    assert misuse.exit_code == 2


def test_folder_discovery_skips_readme_and_hidden(tmp_path):
    from analysis.read import discover

    (tmp_path / "sub").mkdir()
    for name in ["README.md", ".hidden.txt", "a.txt", "sub/b.pdf", "notes.docx"]:
        (tmp_path / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == ["a.txt", "sub/b.pdf"]
    assert discover([tmp_path / "README.md"]) == [tmp_path / "README.md"]


def test_html_saved_as_xls_is_read_as_text(tmp_path):
    html = (
        "<html><body><h2>2024年一般公共预算基本支出表</h2><p>单位：万元</p><table>"
        "<tr><td>科目编码</td><td>科目名称</td><td>合计</td><td>人员经费</td><td>公用经费</td></tr>"
        "<tr><td>合计</td><td></td><td>12.00</td><td>10.00</td><td>2.00</td></tr>"
        "<tr><td>30101</td><td>基本工资</td><td>10.00</td><td>10.00</td><td></td></tr>"
        "<tr><td>30201</td><td>办公费</td><td>2.00</td><td></td><td>2.00</td></tr></table></body></html>"
    )
    result = extract_file(_write(tmp_path, "export.xls", html.encode("utf-8")))
    assert result.document["status"] == "ok", result.document["error"]
    assert result.document["personnel_expenditure"] == 10.0
