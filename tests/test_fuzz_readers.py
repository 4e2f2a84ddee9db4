"""Property-based fuzzing (hypothesis) of the parsers and readers (issue 15): whatever the
bytes, a reader returns a document or raises ReadError with a reason; a parser returns.

Budgets are bounded (examples per test, no deadline, derandomised so CI runs are the same
every time); the whole file runs in well under a minute.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.model import Document, ReadError
from analysis.normalise.cells import parse_amount
from analysis.read.excel import read_excel
from analysis.read.html_tables import parse_html_tables
from analysis.read.pdf import read_pdf
from analysis.read.text import decode_bytes, read_text, text_to_blocks
from hostile_files import stray_cell_xlsx

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FILES = settings(FUZZ, max_examples=40)

BUDGET_CHARS = st.sampled_from(list("0123456789.,-—－（）()%万元合计科目编码\t |<>/\n\r\"'=&;#*`"))
BUDGET_TEXT = st.lists(st.one_of(BUDGET_CHARS, st.characters()), max_size=400).map("".join)
TAGS = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th colspan=3>",
        "<td rowspan=99999>",
        "<td colspan=0>",
        "<br>",
        "<!--",
        "-->",
        "<td colspan=x>",
        "<TABLE border=1>",
        "&nbsp;",
        "&#x0;",
        "&#99999999;",
        "<script>",
        "<h2>",
        "</h2>",
    ]
)
HTML = st.lists(st.one_of(TAGS, BUDGET_TEXT), max_size=40).map("".join)


@FUZZ
@given(BUDGET_TEXT)
def test_amount_parser_always_returns(text):
    parse_amount(text)


@FUZZ
@given(
    st.lists(
        st.one_of(
            BUDGET_TEXT,
            st.sampled_from(
                ["| a | b |", "|---|---|", "科目\t合计", "   1.00    2.00", "# 2024年部门收入总表", "**表**"]
            ),
        ),
        max_size=30,
    ).map("\n".join)
)
def test_text_parser_always_returns(text):
    for block in text_to_blocks(text):
        assert block.kind in {"heading", "paragraph", "table"}
        assert len(block.rows) == len(block.row_locations)


@FUZZ
@given(HTML)
def test_html_parser_always_returns(markup):
    for rows, lines in parse_html_tables(markup):
        assert len(rows) == len(lines)
    text_to_blocks(markup)


@FUZZ
@given(
    st.binary(max_size=600)
    | BUDGET_TEXT.flatmap(
        lambda t: st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030"]).map(
            lambda codec: t.encode(codec, errors="ignore")
        )
    )
)
def test_decoding_returns_text_or_a_reason(data):
    try:
        text, codec = decode_bytes(data)
    except ReadError as error:
        assert str(error)
    else:
        assert isinstance(text, str) and codec


def _mutations(seed: bytes):
    """Truncations, byte overwrites, insertions and deletions of a seed file."""
    position = st.integers(0, len(seed))
    overwrite = st.tuples(position, st.binary(min_size=1, max_size=16)).map(
        lambda pb: seed[: pb[0]] + pb[1] + seed[pb[0] + len(pb[1]) :]
    )
    insert = st.tuples(position, st.binary(min_size=1, max_size=64)).map(
        lambda pb: seed[: pb[0]] + pb[1] + seed[pb[0] :]
    )
    delete = st.tuples(position, st.integers(1, 256)).map(lambda pn: seed[: pn[0]] + seed[pn[0] + pn[1] :])
    truncate = position.map(lambda n: seed[:n])
    one = st.one_of(overwrite, insert, delete, truncate)
    return one.flatmap(
        lambda first: (
            st.just(first)
            | st.tuples(st.just(first), position, st.binary(max_size=8)).map(
                lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]) :]
            )
        )
    )


def _reads_or_explains(reader, path: Path) -> None:
    try:
        document = reader(path)
    except ReadError as error:
        assert str(error)
    else:
        assert isinstance(document, Document)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> bytes:
    """A small ruled-table PDF with CJK text, like a one-page disclosure table."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(400, 300))
    pdf.setFont("STSong-Light", 10)
    pdf.drawString(40, 270, "2024年一般公共预算基本支出表")
    rows = [("科目编码", "科目名称", "合计"), ("30101", "基本工资", "10.00"), ("30201", "办公费", "2.00")]
    for r, row in enumerate(rows):
        y = 240 - r * 20
        for c, value in enumerate(row):
            pdf.drawString(45 + c * 110, y + 6, value)
    for r in range(len(rows) + 1):
        pdf.line(40, 260 - r * 20, 370, 260 - r * 20)
    for c in range(4):
        pdf.line(40 + c * 110, 260, 40 + c * 110, 260 - len(rows) * 20)
    pdf.save()
    return out.getvalue()


@FILES
@given(data=st.data())
def test_pdf_reader_on_mutated_files(seed_pdf, tmp_path, data):
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(data.draw(_mutations(seed_pdf)))
    _reads_or_explains(read_pdf, path)


@pytest.fixture(scope="module")
def seed_xlsx(tmp_path_factory) -> bytes:
    return stray_cell_xlsx(tmp_path_factory.mktemp("seed") / "seed.xlsx", 30, 12).read_bytes()


@FILES
@given(data=st.data())
def test_xlsx_reader_on_mutated_archives(seed_xlsx, tmp_path, data):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data.draw(_mutations(seed_xlsx)))
    _reads_or_explains(read_excel, path)


@FILES
@given(data=st.data())
def test_xlsx_reader_on_mutated_sheet_xml(seed_xlsx, tmp_path, data):
    """Mutations inside the members, re-zipped: reaches the XML and cell parsers, which byte
    flips of the compressed archive mostly do not (their CRC check fails first)."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(seed_xlsx)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    target = data.draw(st.sampled_from(sorted(members)))
    members[target] = data.draw(_mutations(members[target]))
    path = tmp_path / "fuzz.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    _reads_or_explains(read_excel, path)


@FILES
@given(data=st.data())
def test_text_reader_on_mutated_files(tmp_path, data):
    seed = "# 某局2024年部门预算\n\n科目编码\t科目名称\t合计\n30101\t基本工资\t10.00\n".encode(
        data.draw(st.sampled_from(["utf-8", "utf-16", "gb18030"]))
    )
    path = tmp_path / data.draw(st.sampled_from(["fuzz.txt", "fuzz.html", "fuzz.md"]))
    path.write_bytes(data.draw(_mutations(seed)))
    _reads_or_explains(read_text, path)


_ODD_CELLS = [
    "",
    "-",
    "XX",
    "1e308",
    "（12）",
    "99999999999999999999",
    "合计",
    "2024年",
    "0.00",
    "－",
    "１２３",
    "100%",
    "nan",
    "inf",
    "<td>",
    "|",
    "=SUM(A1:A9)",
]


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_extraction_never_crashes_on_a_mutated_disclosure(tmp_path, data):
    """Lines of the demo disclosure dropped, doubled or garbled and cells replaced by odd
    values: recognition and normalisation give a row with reasons, never a crash (which
    extract_file would report as "…时出错")."""
    from analysis.demo import __path__ as demo_path
    from analysis.extract import extract_file

    lines = next(Path(demo_path[0]).glob("*.txt")).read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(lines) - 1))
        operation = data.draw(st.sampled_from(["drop", "double", "cell", "garble"]))
        if operation == "drop" and len(lines) > 1:
            del lines[i]
        elif operation == "double":
            lines.insert(i, lines[i])
        elif operation == "cell":
            cells = lines[i].split("\t")
            cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(st.sampled_from(_ODD_CELLS))
            lines[i] = "\t".join(cells)
        else:
            lines[i] = data.draw(BUDGET_TEXT)
    path = tmp_path / "mutated.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = extract_file(path).document
    assert "时出错" not in (document["error"] or ""), document["error"]
