"""What a long command shows while it plays: notes on stderr and a progress bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wargame.cli.common import stderr_console
from wargame.textsafe import terminal

if TYPE_CHECKING:
    from rich.progress import Progress


class Reporter:
    """Notes and a progress bar on stderr; the bar only on a terminal and without --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.err = stderr_console()
        self.show_bar = not quiet and self.err.is_terminal
        self.bar: Progress | None = None
        self.task: Any = None
        self.label = "games"

    def workers(self, count: int) -> None:
        """How many worker processes play: shown with the bar (it says "games" alone for
        one)."""
        self.label = "games" if count == 1 else f"games, {count} workers"

    def note(self, message: str) -> None:
        """A message on stderr."""
        self.err.print(terminal(message))

    def start(self, total: int) -> None:
        """Start the bar."""
        if not self.show_bar:
            return
        # Rich's progress module is loaded only for a bar (40 ms a command otherwise).
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Speed(ProgressColumn):
            """Games per second."""

            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text("" if speed is None else f"{speed:,.0f} games/s")

        self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), Speed(),
                            TimeRemainingColumn(), console=self.err, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("games", total=total)

    def advance(self, games: int) -> None:
        """Count finished games."""
        if self.bar is not None:
            self.bar.update(self.task, advance=games)

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
