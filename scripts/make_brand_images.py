"""Draw the brand images in custom_components/kitchen_connect/brand/.

Run with ``.venv/bin/python scripts/make_brand_images.py``. Pillow comes with Home
Assistant. The output is deterministic, so re-running it only changes the files when
this script changes.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/kitchen_connect/brand"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

SUPERSAMPLE = 4  # draw large, then shrink: Pillow's shapes have no anti-aliasing
ICON_SIZE = 256
LOGO_HEIGHT = 128

BACKGROUND_TOP = (139, 90, 60)
BACKGROUND_BOTTOM = (92, 58, 38)
CREAM = (246, 234, 208)
COFFEE = (62, 36, 24)
WORDMARK_DARK = (74, 44, 29)
WORDMARK_LIGHT = (154, 106, 72)

type Box = tuple[float, float, float, float]


def _scaled(box: Box, size: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    return round(left * size), round(top * size), round(right * size), round(bottom * size)


def _background(size: int) -> Image.Image:
    """A rounded square with a soft top-to-bottom gradient."""
    gradient = Image.linear_gradient("L").resize((size, size))
    top = Image.new("RGB", (size, size), BACKGROUND_TOP)
    bottom = Image.new("RGB", (size, size), BACKGROUND_BOTTOM)
    fill = Image.composite(bottom, top, gradient)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=size * 0.22, fill=255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.paste(fill, (0, 0), mask)
    return image


def _steam(draw: ImageDraw.ImageDraw, size: int, x: float, phase: float) -> None:
    """One wavy wisp rising from the cup, stamped as a dense row of round dots."""
    radius = size * 0.019
    top, bottom = 0.17, 0.36
    steps = 400  # dense enough that the dots merge into one smooth stroke
    for step in range(steps + 1):
        fraction = step / steps
        cx = (x + 0.022 * math.sin(phase + fraction * 2 * math.pi)) * size
        cy = (bottom - (bottom - top) * fraction) * size
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=CREAM)


def _mark(size: int) -> Image.Image:
    """The app icon: a cup with steam, cream on coffee brown."""
    image = _background(size)
    draw = ImageDraw.Draw(image)
    stroke = round(size * 0.05)
    # handle first, so the cup body covers its inner half
    draw.ellipse(_scaled((0.55, 0.50, 0.79, 0.70), size), outline=CREAM, width=stroke)
    draw.rounded_rectangle(
        _scaled((0.22, 0.43, 0.68, 0.79), size),
        radius=size * 0.13,
        fill=CREAM,
        corners=(False, False, True, True),
    )
    draw.ellipse(_scaled((0.22, 0.40, 0.68, 0.47), size), fill=CREAM)
    draw.ellipse(_scaled((0.255, 0.415, 0.645, 0.458), size), fill=COFFEE)
    draw.rounded_rectangle(
        _scaled((0.15, 0.815, 0.75, 0.86), size), radius=size * 0.0225, fill=CREAM
    )
    for x, phase in ((0.34, 0.0), (0.45, math.pi), (0.56, 0.0)):
        _steam(draw, size, x, phase)
    return image


def _shrink(image: Image.Image, width: int, height: int) -> Image.Image:
    return image.resize((width, height), Image.Resampling.LANCZOS)


def icon(size: int) -> Image.Image:
    """The square icon at ``size`` pixels."""
    return _shrink(_mark(size * SUPERSAMPLE), size, size)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont | None:
    path = FONT_DIR / name
    return ImageFont.truetype(str(path), size) if path.is_file() else None


def logo(height: int) -> Image.Image:
    """The mark followed by the words "Kitchen Connect"; the mark alone without DejaVu."""
    big = height * SUPERSAMPLE
    mark = _mark(big)
    bold = _font("DejaVuSans-Bold.ttf", round(big * 0.40))
    regular = _font("DejaVuSans.ttf", round(big * 0.40))
    if bold is None or regular is None:
        return _shrink(mark, height, height)
    gap = round(big * 0.22)
    space = round(bold.getlength(" "))
    words = [("Kitchen", bold, WORDMARK_DARK), ("Connect", regular, WORDMARK_LIGHT)]
    text_width = sum(round(font.getlength(word)) for word, font, _ in words) + space
    canvas = Image.new("RGBA", (big + gap + text_width, big), (0, 0, 0, 0))
    canvas.paste(mark, (0, 0), mark)
    draw = ImageDraw.Draw(canvas)
    x = big + gap
    for word, font, colour in words:
        draw.text((x, big / 2), word, font=font, fill=colour, anchor="lm")
        x += round(font.getlength(word)) + space
    trimmed = canvas.crop(canvas.getbbox())
    width = round(trimmed.width * height / trimmed.height)
    return _shrink(trimmed, width, height)


def main() -> None:
    """Write icon.png, icon@2x.png, logo.png and logo@2x.png."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": icon(ICON_SIZE),
        "icon@2x.png": icon(ICON_SIZE * 2),
        "logo.png": logo(LOGO_HEIGHT),
        "logo@2x.png": logo(LOGO_HEIGHT * 2),
    }
    for name, image in images.items():
        image.save(BRAND_DIR / name, optimize=True)
        print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
