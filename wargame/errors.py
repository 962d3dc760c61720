"""The project's one error policy.

Every expected failure is a :class:`WargameError`. The CLI renders it as one line per problem
on stderr and maps it to an exit code; business code never calls ``sys.exit``.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # SIGTERM: 128 + 15, as a shell reports a process it ended


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, 1-based line and column (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: ``file:line:col: path: message``."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        where = str(self.location)
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class WargameError(Exception):
    """An expected failure, shown to the user as a message without a traceback."""

    exit_code = EXIT_ERROR

    def lines(self) -> list[str]:
        """The message as the lines to print."""
        return [str(self)]


class InvalidInput(WargameError):
    """Invalid user input (scenario file, option value): exit code 2."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(Location("<input>"), "", problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]


class UsageError(WargameError):
    """A bad command-line option value: exit code 2."""

    exit_code = EXIT_INVALID
