"""Readers: turn a file of any supported format into an :class:`analysis.model.Document`.

The format is decided from the file's first bytes, not only its name, so a PDF saved as
``.txt`` or a workbook without an extension is still read by the right reader.
"""

from __future__ import annotations

from pathlib import Path

from analysis.model import Document, ReadError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".text"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | IMAGE_SUFFIXES | {".pdf", ".xlsx", ".xlsm", ".xls"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
"""PNG, JPEG, GIF and TIFF (both byte orders) signatures: table images read by OCR."""


def sniff_format(path: Path) -> str:
    """``pdf``, ``xlsx``, ``xls``, ``image`` or ``text`` from the magic bytes (falling back to
    the suffix)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(IMAGE_MAGIC):
        return "image"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "text"  # HTML saved under a spreadsheet name: the text reader parses its tables
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix == ".xls":
        return "xls"
    if suffix in IMAGE_SUFFIXES:
        return "image"  # a damaged image: the image reader says so
    return "text"


def read_document(path: str | Path) -> Document:
    """Read any supported file; raises :class:`ReadError` with a reason a person understands."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"文件不存在或不是普通文件: {path}")
    kind = sniff_format(path)
    if kind == "pdf":
        from analysis.read.pdf import read_pdf

        return read_pdf(path)
    if kind in {"xlsx", "xls"}:
        from analysis.read.excel import read_excel

        return read_excel(path)
    if kind == "image":
        from analysis.read.ocr import read_image

        return read_image(path)
    from analysis.read.text import read_text

    return read_text(path)


def discover(paths: list[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the supported files, sorted for stable output.

    Inside folders, hidden files and README files are passed over; a file named explicitly is
    always taken.
    """
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found.extend(p for p in sorted(item.rglob("*"))
                         if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                         and p.stem.upper() != "README"  # the folders' own notes, not disclosures
                         and not any(part.startswith(".") for part in p.relative_to(item).parts))
        else:
            found.append(item)
    return found


__all__ = ["Document", "ReadError", "discover", "read_document", "sniff_format"]
