"""Figures of a given pixel size, saved as PNG or SVG, with no display and no pyplot.

Every picture is laid out on a "design page" of about 48 square inches (8 x 6 at the default
4:3); the pixel size the user asks for only changes the resolution (dpi). So a small image and
a large one show the same picture, and text stays in proportion to the map.

matplotlib is used through its object-oriented API with the Agg canvas: nothing here imports
``pyplot``, so no GUI backend is ever selected and no global figure state is kept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from wargame.errors import UsageError
from wargame.outputs import check_target
from wargame.textsafe import plot_text

FORMATS = (".png", ".svg")
DESIGN_AREA_IN2 = 48.0  # 8 x 6 inches
MIN_PX, MAX_PX = 200, 8000
DEFAULT_SIZE = (1600, 1200)

# Stable output: no creation date in the file, fixed SVG ids, so the same inputs give the
# same bytes (the docs' example images do not churn in git).
_PNG_META = {"Software": "wargame (matplotlib)"}
_SVG_META = {"Date": None, "Creator": "wargame (matplotlib)"}


def picture_format(path: Path) -> str:
    """The format (``png`` or ``svg``) of an output path, or a usage error saying what is wrong."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"--out {path}: the file name must end in .png or .svg "
                         f"(got {suffix or 'no extension'!r})")
    return suffix[1:]


def check_output(path: Path) -> str:
    """:func:`picture_format`, after checking the file can be written
    (:func:`wargame.outputs.check_target`): call it before playing any game."""
    fmt = picture_format(path)
    check_target(path)
    return fmt


def check_writable(path: Path, suffixes: tuple[str, ...]) -> None:
    """A usage error unless ``path`` ends in one of ``suffixes`` and can be written."""
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"--out {path}: the file name must end in {' or '.join(suffixes)}")
    check_target(path)


def parse_size(size: str | None, width: int | None, height: int | None,
               default: tuple[int, int] = DEFAULT_SIZE) -> tuple[int, int]:
    """Pixel size from ``--size WxH`` or ``--width``/``--height`` (one alone keeps 4:3)."""
    if size is not None:
        if width is not None or height is not None:
            raise UsageError("give --size or --width/--height, not both")
        m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", size)
        if m is None:
            raise UsageError(f"--size {size!r}: expected WIDTHxHEIGHT in pixels, e.g. 1600x1200")
        width, height = int(m.group(1)), int(m.group(2))
    elif width is None and height is None:
        width, height = default
    elif height is None:
        assert width is not None
        height = round(width * default[1] / default[0])
    elif width is None:
        width = round(height * default[0] / default[1])
    assert width is not None and height is not None
    for name, v in (("width", width), ("height", height)):
        if not MIN_PX <= v <= MAX_PX:
            raise UsageError(f"image {name} must be between {MIN_PX} and {MAX_PX} pixels "
                             f"(got {v})")
    if not 0.2 <= width / height <= 5:
        raise UsageError(f"image shape {width}x{height} is too narrow or too flat "
                         "(width/height must be between 0.2 and 5)")
    return width, height


def new_figure(width: int, height: int) -> Figure:
    """An empty Agg figure of ``width`` x ``height`` pixels on the design page."""
    dpi = (width * height / DESIGN_AREA_IN2) ** 0.5
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


HEADER_GAP_IN = 0.12   # between the header (title, subtitle) and the charts, and above the note


def constrained(fig: Figure, header: Sequence[Artist] = (), footer: Sequence[Artist] = ()) -> None:
    """Lay the figure's gridspec axes out with matplotlib's constrained layout, between the
    header texts at the top and the footer texts at the bottom (measured as drawn).

    Constrained layout makes room for every axes' titles, tick labels, axis labels, legends and
    colour bars, so none of them can run into another axes; the header and footnote, which
    are figure texts outside the layout, get the space they take.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    h = fig.bbox.height
    gap = HEADER_GAP_IN * fig.dpi
    top = min((a.get_window_extent(renderer).y0 for a in header), default=h) - gap
    bottom = max((a.get_window_extent(renderer).y1 for a in footer), default=0.0) + gap
    fig.set_layout_engine("constrained", rect=(0.0, bottom / h, 1.0, (top - bottom) / h),
                          w_pad=2 / 72, h_pad=3 / 72)


def wrap_to(text: Text, width_px: float, max_lines: int | None = None) -> None:
    """Re-wrap ``text`` at word breaks until it is at most ``width_px`` wide as drawn (a long
    word stays whole); with ``max_lines``, words past the last line are cut with "…"."""
    import textwrap

    renderer = text.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    words = " ".join(text.get_text().split())
    chars = max(1, len(words))
    while True:
        lines = textwrap.wrap(words, chars) or [""]
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1].rstrip(" ,;:") + "…"
        text.set_text("\n".join(lines))
        if chars <= 8 or text.get_window_extent(renderer).width <= width_px:
            return
        chars = max(8, int(chars * 0.9))


def literal_text(fig: Figure) -> None:
    """Make every text of the figure literal (:func:`wargame.textsafe.plot_text`): the safety
    net behind the drawing code, which passes names through it where it draws them."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        text = t.get_text()
        safe = plot_text(text)
        if safe != text:
            t.set_text(safe)


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, exactly the figure's pixel size."""
    literal_text(fig)
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=fig.dpi, metadata=_PNG_META)
        return buf.getvalue()
    if fmt != "svg":
        raise ValueError(f"unknown image format {fmt!r}")
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "wargame", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata=_SVG_META)
    return _svg_pixel_size(buf.getvalue(), *pixel_size(fig))


def pixel_size(fig: Figure) -> tuple[int, int]:
    """The figure's size in pixels."""
    w, h = fig.get_size_inches() * fig.dpi
    return round(float(w)), round(float(h))


def _svg_pixel_size(svg: bytes, width: int, height: int) -> bytes:
    """State the SVG's size in pixels (matplotlib writes points; the viewBox is kept)."""
    text = svg.decode("utf-8")
    head, sep, rest = text.partition("<svg ")
    tag, close, body = rest.partition(">")
    tag = re.sub(r'\bwidth="[^"]*"', f'width="{width}px"', tag, count=1)
    tag = re.sub(r'\bheight="[^"]*"', f'height="{height}px"', tag, count=1)
    return (head + sep + tag + close + body).encode("utf-8")


def save(fig: Figure, path: Path) -> bool:
    """Write the figure to ``path`` (format from the extension; whole or not at all, see
    :mod:`wargame.outputs`); return whether it replaced a file that was there."""
    from wargame.outputs import write_bytes

    fmt = picture_format(path)
    replaced = path.is_file()
    write_bytes(path, figure_bytes(fig, fmt))
    return replaced
