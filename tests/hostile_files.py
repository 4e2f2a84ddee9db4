"""Hostile and broken input files made in the tests (issue 15): nothing here is read from disk
fixtures, so every case is reproducible on a fresh clone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def dense_grid_pdf(path: Path, lines: int, *, per_cell: bool = False) -> Path:
    """A one-page PDF ruled with ``lines`` horizontal and ``lines`` vertical lines and a few
    characters in it. ``per_cell`` draws every cell border as its own segment (how some
    exporters draw), which multiplies the edges the reader has to join."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    margin = 20.0
    step_x = (width - 2 * margin) / (lines - 1)
    step_y = (height - 2 * margin) / (lines - 1)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setLineWidth(0.2)
    xs = [margin + i * step_x for i in range(lines)]
    ys = [margin + i * step_y for i in range(lines)]
    if per_cell:
        for y in ys:
            for a, b in zip(xs, xs[1:]):
                pdf.line(a, y, b, y)
        for x in xs:
            for a, b in zip(ys, ys[1:]):
                pdf.line(x, a, x, b)
    else:
        for y in ys:
            pdf.line(xs[0], y, xs[-1], y)
        for x in xs:
            pdf.line(x, ys[0], x, ys[-1])
    pdf.setFont("Helvetica", 4)
    pdf.drawString(margin + 1, height - margin - 4, "1.00")
    pdf.drawString(margin + 1 + step_x, height - margin - 4, "2.00")
    pdf.save()
    return path
