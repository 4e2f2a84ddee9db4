"""Test material for the OCR reader made in the tests: table images drawn with Pillow from
known numbers, and corpus pages rendered to images with the degradations of real scans."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei (bin/ensure-*)
HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
ROWS = [
    ["201", "一般公共服务支出", "1,284.56", "1,020.16", "264.40"],
    ["20101", "人大事务", "907.31", "760.25", "147.06"],
    ["2010101", "行政运行", "377.25", "259.91", "117.34"],
    ["", "合计", "2,569.12", "2,040.32", "528.80"],
]
WIDTHS = [150, 260, 150, 150, 150]


def font(size: int) -> ImageFont.FreeTypeFont:
    if not FONT.is_file():
        pytest.skip("the CJK font fonts-wqy-microhei is not installed (bin/ensure-chromium installs it)")
    return ImageFont.truetype(str(FONT), size)


def table_image(rows: list[list[str]] = ROWS, *, title: str = "一般公共预算财政拨款支出表") -> Image.Image:
    """A ruled table drawn like a printed disclosure page (white, black rulings, 22 px text)."""
    body, head = font(22), font(30)
    row_h, left, top = 44, 40, 130
    width = left * 2 + sum(WIDTHS)
    image = Image.new("L", (width, top + row_h * (len(rows) + 1) + 60), 255)
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, 40), title, font=head, fill=0, anchor="mm")
    draw.text((width - left, 100), "单位：万元", font=body, fill=0, anchor="rm")
    xs = [left]
    for w in WIDTHS:
        xs.append(xs[-1] + w)
    for r, row in enumerate([HEADER, *rows]):
        y = top + r * row_h
        for c, text in enumerate(row):
            if c >= 2 and r > 0:
                draw.text((xs[c + 1] - 10, y + row_h // 2), text, font=body, fill=0, anchor="rm")
            else:
                draw.text(((xs[c] + xs[c + 1]) // 2, y + row_h // 2), text, font=body, fill=0, anchor="mm")
    bottom = top + row_h * (len(rows) + 1)
    for r in range(len(rows) + 2):
        draw.line([(xs[0], top + r * row_h), (xs[-1], top + r * row_h)], fill=0, width=2)
    for x in xs:
        draw.line([(x, top), (x, bottom)], fill=0, width=2)
    return image


def degrade(
    image: Image.Image,
    *,
    seed: int = 0,
    noise: float = 10.0,
    blur: float = 0.0,
    jpeg: int | None = 85,
    scale: float = 1.0,
    rotate: float = 0.0,
) -> Image.Image:
    """Scan-like degradations: resampling, rotation, blur, Gaussian grey noise, JPEG artefacts."""
    image = image.convert("L")
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    if rotate:
        image = image.rotate(rotate, expand=True, fillcolor=255, resample=Image.BICUBIC)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image, dtype=np.float32)
    pixels += np.random.default_rng(seed).normal(0, noise, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if jpeg:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=jpeg)
        buffer.seek(0)
        image = Image.open(buffer).convert("L")
    return image
