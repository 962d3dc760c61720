"""Every `wargame ...` command shown in the README and the tutorial runs as shown."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wargame.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "tutorial.md"]


def _commands(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line.strip() for b in blocks for line in b.splitlines()
            if line.strip().startswith("wargame ")]


CASES = [(doc.name, cmd) for doc in DOCS for cmd in _commands(doc)]


def test_docs_show_commands() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize(("doc", "command"), CASES, ids=[c for _, c in CASES])
def test_documented_command_runs(doc: str, command: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # Expand globs as the shell would.
    args = [x for a in shlex.split(command)[1:] for x in (sorted(glob.glob(a)) or [a])]
    if "--out" in args:
        i = args.index("--out")
        args[i + 1] = str(tmp_path / Path(args[i + 1]).name)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (doc, command, result.output)
    assert "Traceback" not in result.output
