"""The report as a browser shows it: headless Chromium loads the file offline, the findings
table and the charts render, and markup from documents stays text (checked in the HTML
itself, which needs no browser, and in the DOM Chromium builds).

Chromium comes from Debian (``bin/ensure-chromium``, which the Makefile runs before the tests).
When it is missing the test tries that script once; it is skipped, with the reason, only when
chromium cannot be installed on this machine.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from analysis.pipeline import run
from analysis.report.browser import chromium, dump_dom, readme_screenshots, screenshot
from analysis.report.html import sections
from analysis.report.pdf import locate, page_texts, print_report
from test_report_support import small_run

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "analysis" / "demo"
EVIL_DEPARTMENT = "示范市<script>title=1</script>文化局"  # if it ran, the page title would become 1


@pytest.fixture(scope="module")
def browser() -> str:
    if chromium() is None:
        installer = subprocess.run([str(ROOT / "bin" / "ensure-chromium")], capture_output=True, text=True, timeout=900)
        if chromium() is None:
            pytest.skip(
                f"chromium cannot be installed here (bin/ensure-chromium exit {installer.returncode}: "
                f"{(installer.stderr or installer.stdout).strip()[-300:]})"
            )
    return chromium()


def test_findings_table_and_charts_render(browser):
    _, result = small_run()
    dom = dump_dom(result.paths["html"])
    findings_table = re.search(r'<table class="findings">(.*?)</table>', dom, re.S)
    assert findings_table, "findings table missing from the rendered DOM"
    rows = re.findall(r"<tr>", findings_table.group(1))
    assert len(rows) == result.frames["findings"].height + 1  # header row + one per finding
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', dom)
    assert len(images) >= 4 + result.documents["department"].n_unique()
    assert min(len(i) for i in images) > 5000


def test_screenshot_is_not_blank(browser, tmp_path):
    _, result = small_run()
    png = screenshot(result.paths["html"], tmp_path / "overview.png", 1200, 900)
    image = Image.open(io.BytesIO(png.read_bytes())).convert("L")
    assert image.size == (1200, 900)
    stats = ImageStat.Stat(image)
    assert stats.stddev[0] > 20  # text, tables and the dark header, not a white page
    dark = sum(image.histogram()[:96])
    assert dark > 0.03 * image.size[0] * image.size[1]


@pytest.fixture(scope="module")
def evil_run(tmp_path_factory):
    """A run over the demo document whose department name and file name carry markup."""
    tmp = tmp_path_factory.mktemp("evil")
    raw = tmp / "raw"
    raw.mkdir()
    source = next(DEMO.glob("*.txt")).read_text(encoding="utf-8")
    (raw / "<i onmouseover=alert(3)>.txt").write_text(
        source.replace("示范市东湖区文化和旅游局", EVIL_DEPARTMENT), encoding="utf-8"
    )
    return run([raw], tmp / "processed", tmp / "reports")


def test_markup_in_a_department_name_is_escaped_in_the_html(evil_run):
    assert evil_run.documents["department"][0] == EVIL_DEPARTMENT  # the name really carries markup
    page = evil_run.paths["html"].read_text(encoding="utf-8")
    assert "<script" not in page and "<i onmouseover" not in page
    assert "&lt;script&gt;title=1&lt;/script&gt;" in page
    assert "&lt;i onmouseover=alert(3)&gt;.txt" in page


def test_markup_in_a_department_name_does_not_run_in_the_browser(browser, evil_run):
    dom = dump_dom(evil_run.paths["html"])
    assert "<script" not in dom  # no script element was created
    assert re.search(r"<title>部门预算公开异常筛查报告</title>", dom)  # and nothing ran
    assert "&lt;script&gt;" in dom and "&lt;i onmouseover=alert(3)&gt;" in dom


def test_readme_screenshots_of_the_overview_and_a_department(browser, tmp_path):
    root, _ = small_run()
    shots = readme_screenshots(root, tmp_path)
    assert [p.name for p in shots] == ["report_overview.png", "report_charts.png", "report_department.png"]
    for png in shots:
        image = Image.open(png).convert("L")
        assert ImageStat.Stat(image).stddev[0] > 20


def test_pdf_report_has_contents_page_numbers_and_chinese_text(browser, tmp_path):
    _, result = small_run()
    data = result.report
    pdf = print_report(data, tmp_path / "report.pdf", department_charts=False)
    assert pdf.read_bytes().startswith(b"%PDF")
    texts = page_texts(pdf)  # read back with pypdfium2: the Chinese text is embedded, not drawn as shapes
    assert len(texts) > 4
    for n, page in enumerate(texts, start=1):
        assert f"第{n}页/共{len(texts)}页" in page, f"page {n} has no page number"
    contents = texts[0]
    assert "目录" in contents and "部门预算公开异常筛查报告" in contents
    entries = sections(data)
    pages = locate(entries, texts)
    assert set(pages) == {anchor for anchor, _, _ in entries}, "a heading was not found in the PDF"
    for anchor, title, _ in entries:
        squeezed = re.sub(r"\s+", "", title)
        assert f"{squeezed}{pages[anchor]}" in contents, f"contents lack {title} … {pages[anchor]}"
        assert squeezed in texts[pages[anchor] - 1]
    assert list(pages.values()) == sorted(pages.values())
    body = "".join(texts)
    for department in data.documents["department"].unique().to_list():
        assert department in body
    message = re.sub(r"\s+", "", data.findings["message"][0])
    assert message[:12] in body  # the findings with their Chinese messages
