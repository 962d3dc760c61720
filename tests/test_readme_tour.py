"""The README's tour, exactly as written, in a copy of the repository: every command of its
``A tour`` block through a shell, then its ``From Python`` example, each must exit 0.

The commands run with the installed environment's ``wargame`` first on ``PATH`` (this test's
own, or the one ``WARGAME_TOUR_VENV`` names: point it at a ``.venv`` made by ``make install``
to check that the runtime lock alone is enough for the tour).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TIMEOUT = 1800   # seconds for one command: a 2,000-game batch on a busy machine


def tour() -> list[str]:
    """The commands of the README's tour block, one per line, as written."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block is not None, "the README's tour has no sh block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def python_example() -> str:
    """The README's ``From Python`` example."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert block is not None, "the README's From Python section has no python block"
    return block.group(1)


def _copy(dest: Path) -> Path:
    """The repository's tracked files (or, outside git, its files but environments and
    caches) copied to ``dest``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
            ".git", ".venv*", "*_cache", "__pycache__", "*.egg-info", "build"))
        return dest
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_the_tour_has_the_commands_the_readme_explains() -> None:
    names = [cmd.split()[1] for cmd in tour()]
    assert all(cmd.startswith("wargame ") for cmd in tour())
    for command in ("validate", "show", "run", "batch", "compare", "sweep", "discover", "map",
                    "report", "schema"):
        assert command in names


@pytest.mark.slow
def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    venv = Path(os.environ.get("WARGAME_TOUR_VENV", sys.prefix))
    bin_dir = venv / "bin"
    assert (bin_dir / "wargame").is_file(), f"no wargame in {bin_dir}"
    clone = _copy(tmp_path / "wargame")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    failed = []
    for command in tour():
        done = subprocess.run(["sh", "-c", command], cwd=clone, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
        if done.returncode != 0:
            failed.append(f"{command}: exit {done.returncode}\n{done.stderr[-2000:]}")
        assert "Traceback" not in done.stderr, (command, done.stderr)
    assert not failed, "\n".join(failed)
    for made in ("map.png", "report.html", "scenario.schema.json"):
        assert (clone / made).stat().st_size > 0
    done = subprocess.run([str(bin_dir / "python"), "-c", python_example()], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "probability" in done.stdout
