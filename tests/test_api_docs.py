"""Every Python example in docs/api.md runs as shown (with fewer games), in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
FEW = "runs=200"   # the examples are checked, not their numbers


def blocks() -> list[str]:
    """The doc's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_examples() -> None:
    assert len(blocks()) >= 10
    first = blocks()[0].strip().splitlines()
    assert len(first) <= 5   # from the install to a DataFrame in five lines


@pytest.mark.slow
def test_api_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pandas")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for code in blocks():
        if "chunk_rng" not in code:   # that one reproduces a batch of its own size
            code = re.sub(r"runs=\d+", FEW, code)
        exec(compile(code, str(DOC), "exec"), namespace)   # the doc's own examples
    out = capsys.readouterr().out
    assert "daesh_reaches_corridor" in out and "probability" in out
    assert (tmp_path / "games.parquet").is_file()
