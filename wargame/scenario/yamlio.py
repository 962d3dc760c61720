"""Safe, bounded YAML reading that remembers where every value came from.

This is the only module that parses YAML. It uses PyYAML's safe loader (no Python object
tags): libyaml's C parser and composer where PyYAML was built with it (ten times faster than
the pure-Python one, with the same line and column marks), else the pure-Python ``SafeLoader``.
It refuses oversized, binary and non-UTF-8 input before parsing, bounds nesting depth and the
number of nodes visited (which defeats "billion laughs" alias bombs), rejects duplicate keys,
and returns the data together with a map from each value's path to its position. Syntax errors
are reported in the project's words (:mod:`wargame.scenario.messages`).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wargame.errors import InvalidInput, Location, Problem
from wargame.scenario import messages
from wargame.textsafe import excerpt, quoted

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64
C_COMPOSER_MAX_CHARS = 256 * 1024
"""Texts up to this size are composed by libyaml's C composer, larger ones by the pure-Python
composer, which counts nodes as it goes. The C composer cannot be stopped half-way, and takes
up to about 7 µs a node on a flat list of one-character items (roughly one node a character):
at this size that is at most about 2 s, no longer than the pure-Python composer takes to reject
a hostile 4 MiB file at MAX_NODES. Real scenarios are far smaller (Aleppo: 68 KB)."""
_C_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_SAFE_TAGS = frozenset(t for t in yaml.SafeLoader.yaml_constructors if t) - {
    "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"}

PathKey = tuple[str | int, ...]
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


@dataclass
class Document:
    """Parsed YAML data plus the position of every value, keyed by its path."""

    data: Any
    positions: dict[PathKey, Location] = field(default_factory=dict)
    file: str = "<input>"
    added: dict[PathKey, tuple[str, list[str]]] = field(default_factory=dict)
    """Entries a file adds to the sections of the scenario it ``extends``: path -> (the parent's
    file name, the ids the parent has), so a misspelt id can get a "did you mean"."""
    problems: list[tuple[PathKey, str]] = field(default_factory=list)
    """Problems found while merging (a ``null`` that deletes nothing), reported with the
    schema's and the cross-checks' in one pass."""

    def locate(self, path: PathKey) -> Location:
        """The position of ``path`` or of its nearest recorded ancestor."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), Location(self.file))


def _fail(file: str, message: str, line: int = 0, column: int = 0) -> InvalidInput:
    return InvalidInput([Problem(Location(file, line, column), "", message)])


class Unreadable(Exception):
    """Why a scenario file cannot be read (the message, without the file's name)."""


_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0))


def read_limited(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES, or :class:`Unreadable` saying why not.

    The file is opened first and checked after (no window for a swap between the two): a
    device (``/dev/zero``, ``/dev/urandom``), a named pipe or a socket, or a symbolic link to
    one, is refused before a byte is read (the pipe is opened without waiting for a writer),
    and at most MAX_BYTES + 1 bytes are ever read, whatever the file claims its size is.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except ValueError:  # os.open refuses names with a NUL byte
        raise Unreadable("the file name contains a NUL byte") from None
    except OSError as exc:
        raise Unreadable(os_reason(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise Unreadable("is a directory, not a scenario file")
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
            raise Unreadable(f"is {kind}, not a scenario file (scenarios are read from "
                             "regular files only)")
        if st.st_size > MAX_BYTES:
            raise Unreadable(f"file is too large ({st.st_size:,} bytes; the limit is "
                             f"{MAX_BYTES:,})")
        chunks: list[bytes] = []
        got = 0
        while got <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > MAX_BYTES:  # it grew after the check
            raise Unreadable(f"file is too large (more than {MAX_BYTES:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(os_reason(exc)) from None
    finally:
        os.close(fd)


def os_reason(exc: OSError) -> str:
    """The project's words for why a file could not be opened or read."""
    reasons = {errno.ENOENT: "no such file", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ELOOP: "too many levels of symbolic "
               "links (a symbolic link loop?)", errno.ENAMETOOLONG: "file name too long",
               errno.ENOTDIR: "no such file (a part of the path is not a directory)",
               errno.EISDIR: "is a directory, not a scenario file"}
    return reasons.get(exc.errno or 0, f"cannot read file: {exc.strerror or exc}")


def read_bytes(path: Path) -> bytes:
    """The bytes of a scenario file (see :func:`read_limited`), or a located error."""
    try:
        return read_limited(path)
    except Unreadable as exc:
        raise _fail(_shown_name(path), str(exc)) from None


MAX_NAME_SHOWN = 200
"""The longest file name an error message shows in full (longer ones are cut)."""


def _shown_name(path: Path) -> str:
    return excerpt(path, MAX_NAME_SHOWN)


def decode(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 text, refusing binary data."""
    if b"\x00" in raw:
        raise _fail(name, "looks like a binary file (contains NUL bytes), not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _fail(name, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col) from None
    return text


def _depth_guard(text: str, name: str) -> None:
    """Refuse flow-style nesting deeper than MAX_DEPTH before PyYAML recurses into it."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # too few brackets to nest that deep: skip the character loop
    depth = 0
    in_quote: str | None = None
    line, column = 1, 0
    for ch in text:
        column += 1
        if ch == "\n":
            line, column = line + 1, 0
        if in_quote:
            if ch == in_quote:
                in_quote = None
            continue
        if ch in "\"'":
            in_quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(name, f"nesting deeper than {MAX_DEPTH} levels", line, column)
        elif ch in "]}":
            depth = max(0, depth - 1)


def parse(text: str, name: str = "<input>") -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`InvalidInput` if it is not YAML."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _fail(name, f"input is too large (the limit is {MAX_BYTES:,} bytes)")
    _depth_guard(text, name)
    loader = _loader(text, name)
    try:
        node = loader.get_single_node()
        doc = Document(None, {}, name)
        if node is None:
            return doc
        builder = _Builder(loader, doc)
        doc.data = builder.build(node, (), 0)
        return doc
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, name) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise _fail(name, f"invalid YAML: {messages.unreadable_character(exc.character)}",
                    line, col) from None
    except yaml.YAMLError:
        raise _fail(name, messages.SYNTAX_FALLBACK) from None
    except RecursionError:
        raise _fail(name, "nesting too deep") from None
    finally:
        loader.dispose()


def _loader(text: str, name: str) -> yaml.SafeLoader:
    if _C_LOADER is not None and len(text) <= C_COMPOSER_MAX_CHARS:
        return _C_LOADER(text)
    return _CountingLoader(text, name)


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> InvalidInput:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line, mark.column) if mark else (0, 0)
    ctx = exc.context_mark
    opened = ctx.line + 1 if ctx is not None and mark is not None and ctx.line != mark.line \
        else None
    message = messages.yaml_syntax(exc.context, exc.problem, text, line, col, opened)
    prefix = "" if message == messages.SYNTAX_FALLBACK else "invalid YAML: "
    return _fail(name, prefix + message, line + 1 if mark else 0, col + 1 if mark else 0)


class _CountingLoader(yaml.SafeLoader):
    """A SafeLoader that gives up once a document has more than MAX_NODES nodes.

    The pure-Python composer takes seconds per hundred thousand nodes, so a file just under
    MAX_BYTES made of tiny items (``[1,1,1,...]``) would otherwise take most of a minute to
    reject; counting here bounds the time spent before the builder's own count applies.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name
        self.composed = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.composed += 1
        if self.composed > MAX_NODES:
            mark = self.peek_event().start_mark
            raise _fail(
                self.name,
                f"document too large or too many aliases (more than {MAX_NODES:,} values)",
                mark.line + 1,
                mark.column + 1,
            )
        return super().compose_node(parent, index)


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions and enforcing limits."""

    def __init__(self, loader: yaml.SafeLoader, doc: Document) -> None:
        self.loader = loader
        self.doc = doc
        self.count = 0
        self._locs: dict[int, Location] = {}

    def _loc(self, node: yaml.Node) -> Location:
        # Cached per node: an alias repeats its anchor's nodes, often many thousand times.
        loc = self._locs.get(id(node))
        if loc is None:
            loc = Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)
            self._locs[id(node)] = loc
        return loc

    def _fail_at(self, node: yaml.Node, message: str) -> InvalidInput:
        loc = self._loc(node)
        return _fail(self.doc.file, message, loc.line, loc.column)

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail_at(
                node, f"document too large or too many aliases (more than {MAX_NODES:,} values)")
        if depth > MAX_DEPTH:
            raise self._fail_at(node, f"nesting deeper than {MAX_DEPTH} levels")
        self.doc.positions.setdefault(path, self._loc(node))
        if node.tag not in (_PLAIN_TAGS if not isinstance(node, yaml.ScalarNode) else _SAFE_TAGS):
            # Collections are built here, not by the loader, so an explicit tag such as
            # !!python/object:... (or !!set, !!omap) would otherwise be dropped silently; a
            # scalar's tag is checked here too, so the message is the project's own.
            raise self._fail_at(node, f"invalid YAML: unsupported tag {quoted(node.tag, 80)}")
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                if isinstance(key, (list, dict)) or key is None:
                    raise self._fail_at(key_node, "mapping keys must be plain names")
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    raise self._fail_at(key_node,
                                        f"{_dotted((*path, key))}: duplicate key {quoted(key)}")
                self.doc.positions[(*path, key)] = self._loc(key_node)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # 2015-13-45, a 5,000-digit number, ...
            raise self._fail_at(node, messages.unreadable_scalar(node.tag, node.value)) from None


def _dotted(path: PathKey) -> str:
    return ".".join(excerpt(p) for p in path)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that keeps every string intact through a round trip."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) raw inside a single-quoted scalar, where the reader takes it
    # for a line break and folds it to a space; double quotes escape it as \N instead.
    style = '"' if "\x85" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """Serialise plain data as YAML (safe dumper, keys in insertion order)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
