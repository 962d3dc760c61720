"""Seeds and chunks: how a batch is cut into independent, replayable pieces.

A batch of ``runs`` games is cut into chunks of ``chunk_size`` games (the last may be
smaller). Chunk ``i`` draws every random number it needs (parameter samples and dice) from

    numpy.random.default_rng(SeedSequence(seed, spawn_key=(i,)))

which is exactly the generator ``SeedSequence(seed).spawn(n)[i]`` would give, but can be made
without knowing how many chunks there are. So a chunk's games depend only on the seed, the
chunk index and the chunk's size: not on the number of workers, the scheduler, the order in
which chunks finish, or whether the batch was interrupted and resumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CHUNK_SIZE = 1000
MAX_CHUNKS = 2**31  # chunk indices stay below this; larger spawn keys are reserved
DESIGN_KEY = 2**31 + 1  # spawn key of the generator that samples sweep designs
BRANCH_KEY = 2**31 + 2  # first spawn key of the streams of a branch's changed parameters


def fresh_seed() -> int:
    """A new 128-bit seed from the operating system's entropy (to print and replay)."""
    return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]


def chunk_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of chunk ``index`` of a batch seeded with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def design_rng(seed: int) -> np.random.Generator:
    """The generator for sampling a sweep design: a stream no chunk uses."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_KEY,)))


def branch_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of the changed parameters of chunk ``index`` in a branch (``wargame
    branch``): a stream of its own, so the chunk's games keep every other draw."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BRANCH_KEY, index)))


@dataclass(frozen=True)
class ChunkPlan:
    """How ``runs`` games are cut into chunks."""

    runs: int
    chunk_size: int

    def __post_init__(self) -> None:
        if self.runs < 1 or self.chunk_size < 1:
            raise ValueError("runs and chunk size must be positive")
        if self.n_chunks >= MAX_CHUNKS:
            raise ValueError("too many chunks; use a larger chunk size")

    @property
    def n_chunks(self) -> int:
        """Number of chunks (the last may hold fewer games)."""
        return -(-self.runs // self.chunk_size)

    def games(self, index: int) -> int:
        """Number of games in chunk ``index``."""
        if not 0 <= index < self.n_chunks:
            raise IndexError(index)
        return min(self.chunk_size, self.runs - index * self.chunk_size)
