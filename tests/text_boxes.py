"""Which texts of a matplotlib figure a reader sees run together (a helper for the tests)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


def drawn_texts(fig: Figure) -> list[tuple[Text, Bbox]]:
    """Every text the figure really draws (visible, non-empty, in view), with its box in
    display pixels: recorded while the figure is drawn, so hidden tick labels and texts
    outside the axes' limits do not count. An annotation's box is its text's, not its arrow's."""
    drawn: list[tuple[Text, Bbox]] = []
    original = Text.draw

    def draw(self: Text, renderer: object) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, Text.get_window_extent(self, renderer)))

    Text.draw = draw  # type: ignore[method-assign]
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return drawn


def overlapping(fig: Figure, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap by more than ``tolerance`` pixels each way."""
    boxes = drawn_texts(fig)
    found = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if w > tolerance and h > tolerance:
                found.append((a.get_text(), b.get_text()))
    return found


def outside(fig: Figure, tolerance: float = 0.5) -> list[str]:
    """Drawn texts that stick out of the figure (cut off in the saved image)."""
    w, h = fig.bbox.width, fig.bbox.height
    return [t.get_text() for t, b in drawn_texts(fig)
            if b.x0 < -tolerance or b.y0 < -tolerance or b.x1 > w + tolerance
            or b.y1 > h + tolerance]
