"""One game with its story: what :func:`wargame.play` returns.

The record (:mod:`wargame.report.record`) is built from the engine's events and knows nothing
of how a game is told; the narrative (:mod:`wargame.report.narrative`) is a function of the
record. :class:`Game` is the record with the narrative's functions as its methods, so
``game.story()``, ``game.narrative()`` and ``game.to_dict()`` (the JSON of ``wargame run``,
story included) read as before while every import runs one way: record, then narrative, then
this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from wargame.jsontypes import JSONObject
from wargame.report import narrative as tell
from wargame.report.record import GameRecord


@dataclass(frozen=True)
class Game(GameRecord):
    """One game's record (:class:`~wargame.report.record.GameRecord`: the seed, each turn's
    record, the end) and its story."""

    @classmethod
    def of(cls, record: GameRecord) -> Game:
        """The game of ``record``."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(record)})

    def story(self) -> dict[int, list[str]]:
        """The narrative's sentences, by turn."""
        return tell.story(self)

    def narrative(self, width: int = 80) -> str:
        """The turn-by-turn story and final tables as plain text, ``width`` columns wide
        (what ``wargame run`` prints)."""
        return tell.text(self, width)

    def to_dict(self) -> JSONObject:
        """What ``wargame run --format json`` prints, as plain data."""
        story = self.story()
        return {"scenario": self.scenario_name, "scenario_digest": self.digest,
                "seed": self.seed, "replay": None if self.replay is None else asdict(self.replay),
                "label": self.label,
                "turns": [{**t.to_dict(), "story": story.get(t.turn, [])} for t in self.turns],
                "control": dict(self.control),
                "outcomes": {k: asdict(v) for k, v in self.outcomes.items()},
                "strength": {k: asdict(v) for k, v in self.factions.items()}}
