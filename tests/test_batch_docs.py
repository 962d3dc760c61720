"""Every ``$ wargame ...`` command in docs/howto-batches.md runs as shown (with fewer games)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "howto-batches.md"
FEW = "40"  # games per batch or point: the commands are checked, not the numbers


def commands() -> list[str]:
    """The ``$ wargame`` lines of the doc's console blocks, in order."""
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [line[2:] for b in blocks for line in b.splitlines() if line.startswith("$ wargame ")]


def test_the_doc_has_commands() -> None:
    assert len(commands()) >= 10


def test_doc_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    for line in commands():
        words = shlex.split(line)[1:]
        target = None
        if ">" in words:
            target = words[words.index(">") + 1]
            words = words[:words.index(">")]
        if "--runs" in words:
            words[words.index("--runs") + 1] = FEW
        if "--workers" in words:
            words[words.index("--workers") + 1] = "1"  # process start-up is tested elsewhere
        res = CliRunner().invoke(app, words)
        assert res.exit_code == 0, f"{line}\n{res.stderr}"
        assert "Traceback" not in res.stderr
        if target is not None:
            Path(target).write_text(res.stdout, encoding="utf-8")
        elif words[:2] != ["results", "export"] or "--out" not in words:
            assert res.stdout.strip(), line
