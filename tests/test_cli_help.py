"""Every command's --help: text shown as written, values that look like values, an example
that parses."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from wargame.cli.app import app

TYPER_TYPES = re.compile(r"<(int|float|str|path|bool|list\[[^\]]*\])>")


def _commands() -> Iterator[tuple[list[str], Any]]:
    """Every command and group of the app, with the words that call it."""
    def walk(path: list[str], cmd: Any) -> Iterator[tuple[list[str], Any]]:
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk([*path, name], sub)
    yield from walk([], get_command(app))


COMMANDS = list(_commands())
IDS = [" ".join(p) or "wargame" for p, _ in COMMANDS]


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"batch", "sweep", "compare", "map", "report", "plot tornado", "results export",
            "validate", "show", "schema", "run", "discover", "branch"} <= names


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_help_has_an_example_and_plain_metavars(path: list[str], cmd: Any) -> None:
    res = CliRunner().invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.output
    assert TYPER_TYPES.search(res.output) is None, TYPER_TYPES.search(res.output)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_examples_parse(path: list[str], cmd: Any) -> None:
    """Each example names options and arguments the command has (nothing is run)."""
    lines = [ln.strip() for ln in (cmd.epilog or "").splitlines()
             if ln.strip().startswith("wargame ")]
    assert lines, f"{' '.join(path)} has no example"
    for line in lines:
        words = shlex.split(line.split(" > ")[0].replace("\\[", "["))[1:]
        target, sub = get_command(app), words
        while sub and sub[0] in getattr(target, "commands", {}):
            target, sub = target.commands[sub[0]], sub[1:]
        assert target is not None
        target.make_context(" ".join(path) or "wargame", list(sub))


@pytest.mark.parametrize(("command", "words"), [
    ("batch", ["wargame[dask]", "wargame[data]"]),
    ("sweep", ["wargame[sensitivity]"]),
    ("discover", ["wargame[discover]"]),
])
def test_help_text_in_brackets_is_shown(command: str, words: list[str]) -> None:
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    for w in words:
        assert w in res.output
