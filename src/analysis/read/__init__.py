"""Readers: turn a file of any supported format into an :class:`analysis.model.Document`.

The format is decided from the file's first bytes, not only its name, so a PDF saved as
``.txt`` or a workbook without an extension is still read by the right reader. The extension
is the hint where the bytes say nothing (an empty file), and sniffing never raises: a file
that cannot be opened is the reader's to report, with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from analysis.model import Document, ReadError
from analysis.read.formats import text_format

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".text"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | IMAGE_SUFFIXES | {".pdf", ".xlsx", ".xlsm", ".xls"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
"""PNG, JPEG, GIF and TIFF (both byte orders) signatures: table images read by OCR."""


def document_format(path: Path) -> str | None:
    """The ``documents.format`` of a file even when it cannot be read: what the bytes say, the
    extension where they say nothing; None when the path is not a file at all."""
    try:
        if not path.is_file():
            return None
    except OSError:
        return None
    kind = sniff_format(path)
    return text_format(path) if kind == "text" else kind


def sniff_format(path: Path) -> str:
    """``pdf``, ``xlsx``, ``xls``, ``image`` or ``text`` from the magic bytes (falling back to the
    suffix, also when the file is empty or cannot be opened)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        head = b""
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
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ReadError(f"无法读取文件 (cannot open file: {error.strerror or error})") from error
    if not path.is_file():
        raise ReadError(f"文件不存在或不是普通文件: {path}")
    if size == 0:
        raise ReadError("文件为空 (empty file, 0 bytes)")
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


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the supported files, sorted for stable output.

    Inside folders, hidden files and README files are passed over; a file named explicitly is
    always taken. A link that leads nowhere (broken, or a loop) is taken too, so that it
    becomes a documents row with its reason instead of vanishing from the batch.
    """
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            entries = [
                p
                for p in item.rglob("*")
                if (p.is_file() or _dead_link(p))
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and p.stem.upper() != "README"
            ]  # the folders' own notes, not disclosures
            entries += unlistable_folders(item)
            found.extend(
                p for p in sorted(entries) if not any(part.startswith(".") for part in p.relative_to(item).parts)
            )
        else:
            found.append(item)
    return found


def unlistable_folders(root: Path) -> list[Path]:
    """Folders under ``root`` that cannot be listed (no permission): rglob passes over them in
    silence, so they are returned to become rows instead of losing their files unseen."""
    unlistable: list[Path] = []
    for _ in os.walk(root, onerror=lambda error: unlistable.append(Path(error.filename))):
        pass
    return [p for p in unlistable if p != root]


def folder_problem(path: Path) -> str:
    """Why a folder given where a file was expected cannot be read as a document."""
    try:
        os.listdir(path)
    except OSError as error:
        return f"无法读取文件夹，其中的文件未能列出 (cannot list folder: {error.strerror or error})"
    return "这是文件夹，不是文件 (a folder, not a file)"


def _dead_link(path: Path) -> bool:
    """A symbolic link whose target cannot be reached (missing, or a link to itself)."""
    try:
        if not path.is_symlink():
            return False
        path.stat()
    except OSError:
        return True
    return False


__all__ = [
    "Document",
    "ReadError",
    "discover",
    "document_format",
    "folder_problem",
    "read_document",
    "sniff_format",
    "text_format",
    "unlistable_folders",
]
