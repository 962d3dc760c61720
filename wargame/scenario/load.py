"""Load a scenario: read YAML, follow ``extends``, apply ``--set``, validate, report all errors.

Every problem comes back as ``file:line:col: path.to.value: message``, all of them in one pass.
"""

from __future__ import annotations

import copy
import hashlib
import json
import types
import typing
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from wargame.errors import InvalidInput, Location, Problem
from wargame.jsontypes import RawDict, RawMapping
from wargame.scenario import messages, yamlio
from wargame.scenario.checks import check, closest, suggest
from wargame.scenario.frozen import freeze
from wargame.scenario.limits import TooLarge, check_memory, shape, too_large
from wargame.scenario.schema import ID_PATTERN, Scenario
from wargame.scenario.yamlio import Document, PathKey
from wargame.textsafe import excerpt, quoted

MAX_EXTENDS_DEPTH = 16
SET_EXCERPT = 80
"""How much of a ``--set`` expression an error message quotes."""
CACHE_SIZE = 8
"""Scenarios :func:`load` remembers (see there)."""


@dataclass(frozen=True)
class Loaded:
    """A validated scenario with the merged raw data it came from and the ``--set`` overrides
    applied to it (in order). Read-only all the way down (:mod:`wargame.scenario.frozen`)."""

    scenario: Scenario
    data: RawMapping   # the resolved document: extends followed, --set applied, validated
    path: str
    overrides: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Deeply read-only: what a run plays is what its digest names (see frozen.py).
        object.__setattr__(self, "scenario", freeze(self.scenario))
        object.__setattr__(self, "data", freeze(self.data))

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON), recorded with every result."""
        text = json.dumps(self.data, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def dotted(path: PathKey) -> str:
    """``('factions', 'daesh', 'strength')`` -> ``factions.daesh.strength`` (a key that is not a
    short plain name, as a file that is no scenario may have, shown as a short excerpt)."""
    return ".".join(excerpt(p) for p in path)


def _merge(base: Any, over: Any, bpos: dict[PathKey, Location], opos: dict[PathKey, Location],
           path: PathKey, missing: list[tuple[PathKey, str]]) -> Any:
    """Deep-merge ``over`` onto ``base``: mappings merge, anything else replaces, null deletes.

    A null for a key ``base`` does not have deletes nothing: most likely a misspelt id, whose
    what-if would silently change nothing. It is added to ``missing`` with its message.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                if k not in out:
                    missing.append(((*path, k), _nothing_to_delete(path, k, out)))
                out.pop(k, None)
                _drop(bpos, (*path, k))
                if (*path, k) in opos:   # a problem with its absence points at the null
                    bpos[(*path, k)] = opos[(*path, k)]
            elif k in out:
                out[k] = _merge(out[k], v, bpos, opos, (*path, k), missing)
                # A mapping both files write is where the child changed it: a problem with the
                # whole (a distribution whose new ``high`` is below its ``low``) is reported
                # at the line of the file that made it.
                if (*path, k) in opos:
                    bpos[(*path, k)] = opos[(*path, k)]
            else:
                out[k] = v
                _copy_pos(opos, bpos, (*path, k))
        return out
    _drop(bpos, path)
    _copy_pos(opos, bpos, path)
    return over


def _nothing_to_delete(path: PathKey, key: Any, node: dict[Any, Any]) -> str:
    """Why a ``null`` (in a variant or ``--set``) deletes nothing: ``key`` is not in ``node``,
    the mapping at ``path``, with the closest of the keys that are."""
    names = [str(k) for k in node]
    if len(path) == 1 and path[0] in ID_KINDS:
        what = f"there is no {ID_KINDS[str(path[0])]} {quoted(key)}"
    else:
        what = f"{dotted(path) if path else 'the scenario'} has no key {quoted(key)}"
    return f"null deletes nothing: {what}{suggest(str(key), names)}"


def _drop(pos: dict[PathKey, Location], path: PathKey) -> None:
    n = len(path)
    for k in [k for k in pos if k[:n] == path]:
        del pos[k]


def _copy_pos(src: dict[PathKey, Location], dst: dict[PathKey, Location], path: PathKey) -> None:
    n = len(path)
    for k, v in src.items():
        if k[:n] == path:
            dst[k] = v


Reads = list[tuple[Path, bytes]]


EXTENDS_SUFFIXES = (".yaml", ".yml")
"""What the file an ``extends:`` names must end in: a scenario from someone else cannot make
this tool read (and quote) any other file."""


def _resolve(path: Path, chain: tuple[Path, ...], reads: Reads,
             raw: bytes | None = None) -> Document:
    if raw is None:
        raw = yamlio.read_bytes(path)
    reads.append((path, raw))
    doc = yamlio.parse(yamlio.decode(raw, str(path)), str(path))
    if doc.data is None:
        raise InvalidInput([Problem(Location(str(path)), "", "empty scenario file")])
    if not isinstance(doc.data, dict):
        raise InvalidInput([Problem(doc.locate(()), "",
                                    "a scenario must be a mapping of keys "
                                    "(scenario, factions, ...)")])
    parent = doc.data.get("extends")
    if parent is None:
        return doc
    loc = doc.locate(("extends",))

    def fail(message: str) -> InvalidInput:
        return InvalidInput([Problem(loc, "extends", message)])

    if not isinstance(parent, str) or not parent.strip():
        raise fail("must be a file name")
    if "\x00" in parent:
        raise fail(f"must be a file name (it contains a NUL byte): {quoted(parent)}")
    if not parent.lower().endswith(EXTENDS_SUFFIXES):
        raise fail(f"must name a scenario file ending in .yaml or .yml (got {quoted(parent)})")
    try:
        here = path.resolve()
        target = (path.parent / parent).resolve()
    except (OSError, RuntimeError) as exc:  # a name too long; a symbolic link loop (3.11)
        reason = (yamlio.os_reason(exc) if isinstance(exc, OSError)
                  else "too many levels of symbolic links (a symbolic link loop?)")
        raise fail(f"{quoted(parent)}: {reason}") from None
    if target in chain or target == here:
        cycle = " -> ".join(excerpt(p.name) for p in (*chain, here, target))
        raise fail(f"cycle in extends: {cycle}")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise fail("extends chain is too long")
    # Open the parent by the path as written (relative to this file), not the resolved one, so
    # errors in it name it the way the user would: ``variants/../base.yaml``, not ``/home/...``.
    try:
        parent_raw = yamlio.read_limited(path.parent / parent)
    except yamlio.Unreadable as exc:
        raise fail(f"{quoted(parent)}: {exc}") from None
    base = _resolve(path.parent / parent, (*chain, here), reads, parent_raw)
    own = {k: v for k, v in doc.data.items() if k != "extends"}
    positions = dict(base.positions)
    missing = list(base.problems)
    merged = _merge(base.data, own, positions, doc.positions, (), missing)
    added = dict(base.added)
    for section in ID_KINDS:
        mine, theirs = own.get(section), base.data.get(section)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            for key in mine:
                if key not in theirs and mine[key] is not None:
                    added[(section, key)] = (Path(parent).name, [str(k) for k in theirs])
    return Document(merged, positions, str(path), added, missing)


ID_KINDS = {"factions": "faction", "settlements": "settlement", "support": "support line",
            "events": "event", "outcomes": "outcome"}
"""The sections of a scenario keyed by id, and what one entry is called in messages."""
MAX_LISTED_IDS = 15   # an unknown id's message lists the section's ids when it has this few


def parse_set(expr: str, option: str = "--set") -> tuple[list[str], Any]:
    """Split ``path=value`` into path parts and a YAML-parsed value."""
    where = Location(f"{option} {quoted(expr, SET_EXCERPT)}")
    if "=" not in expr:
        raise InvalidInput([Problem(where, "", "expected path=value")])
    key, _, raw = expr.partition("=")
    parts = [p for p in key.strip().split(".")]
    if not key.strip() or any(not p for p in parts):
        raise InvalidInput([Problem(where, "", "empty path")])
    if not raw.strip():
        raise InvalidInput([Problem(where, "", "missing value")])
    return parts, yamlio.parse(raw, f"{option} {key}").data


def _no_such(path: list[str | int], part: str, written: Iterable[object]) -> str:
    """Why ``part`` is not a key at ``path``, where the document has the keys ``written``: an
    unknown id (with the ids, when few), or an unknown key (with the closest of the keys
    written there and the keys the format has)."""
    if len(path) == 1 and path[0] in ID_KINDS:
        kind, ids = ID_KINDS[str(path[0])], [str(k) for k in written]
        listed = (f"; the {kind}s are {', '.join(ids)}" if len(ids) <= MAX_LISTED_IDS
                  else "")
        return f"no {kind} {quoted(part)}{suggest(part, ids)}{listed}"
    known = [*map(str, written), *(f for m in _models_at(path) for f in _field_names(m))]
    return f"no such key{suggest(part, known)}"


def apply_set(doc: Document, expr: str, option: str = "--set") -> None:
    """Apply one ``--set path=value`` override to a document in place (``option`` names the
    flag it came from in messages: ``--set`` or ``--vary``).

    ``path=null`` deletes the key, as ``null`` does in a variant; a key that is not there is
    an error (with the closest of the keys that are), never a silent no-op.
    """
    parts, value = parse_set(expr, option)
    where = Location(f"{option} {'.'.join(parts)}")
    if value is None:
        _delete(doc, parts, where)
        return
    node: Any = doc.data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InvalidInput([Problem(where, dotted(tuple(path)),
                                            f"no item {quoted(part)} (the list has "
                                            f"{len(node)})")])
            key: str | int = int(part)
        elif isinstance(node, dict):
            key = part
            if part not in node:
                if not _known_field(path, part):
                    raise InvalidInput([Problem(where, dotted((*path, part)),
                                                _no_such(path, part, node))])
                if not last:
                    node[part] = {}  # a block the file leaves to its defaults
        else:
            raise InvalidInput([Problem(where, dotted(tuple(path)),
                                        "is a value, not a mapping or list")])
        path.append(key)
        if last:
            node[key] = value
            _drop(doc.positions, tuple(path))
            doc.positions[tuple(path)] = where
        else:
            node = node[key]


def _delete(doc: Document, parts: list[str], where: Location) -> None:
    """``--set path=null``: delete the key at ``path``, which must be there."""
    node: Any = doc.data
    for i, part in enumerate(parts):
        here = tuple(parts[:i])
        if not isinstance(node, dict):
            raise InvalidInput([Problem(where, dotted(here),
                                        "null deletes a key of a mapping; this is not one")])
        if part not in node:
            raise InvalidInput([Problem(where, dotted((*here, part)),
                                        _nothing_to_delete(here, part, node))])
        if i == len(parts) - 1:
            del node[part]
            _drop(doc.positions, tuple(parts))
            doc.positions[tuple(parts)] = where  # a problem with its absence points here
        else:
            node = node[part]


def _field_names(model: type[BaseModel]) -> dict[str, object]:
    """Each field's name in a document (its alias) and its annotation."""
    out: dict[str, object] = {}
    for name, f in model.model_fields.items():
        out[f.alias or name] = f.annotation
    return out


def _unwrap(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [x for a in typing.get_args(tp) for x in _unwrap(a)]
    return [tp]


def _models_at(path: list[str | int]) -> list[type[BaseModel]]:
    """The schema models that may stand at ``path`` of a scenario document."""
    current: list[Any] = [Scenario]
    for part in path:
        nxt: list[Any] = []
        for tp in current:
            for t in _unwrap(tp):
                origin = typing.get_origin(t)
                if isinstance(t, type) and issubclass(t, BaseModel):
                    fields = _field_names(t)
                    if isinstance(part, str) and part in fields:
                        nxt.append(fields[part])
                elif origin is dict:
                    nxt.append(typing.get_args(t)[1])
                elif origin is list:
                    nxt.append(typing.get_args(t)[0])
        current = nxt
    return [t for tp in current for t in _unwrap(tp)
            if isinstance(t, type) and issubclass(t, BaseModel)]


def _known_field(path: list[str | int], key: str) -> bool:
    return any(key in _field_names(m) for m in _models_at(path))


def _literal_values(path: list[str | int]) -> list[str]:
    """The values a ``Literal`` key at ``path`` allows, read from the schema."""
    if not path or not isinstance(path[-1], str):
        return []
    for model in _models_at(path[:-1]):
        tp = _field_names(model).get(path[-1])
        for t in _unwrap(tp):
            if typing.get_origin(t) is typing.Literal:
                return [str(v) for v in typing.get_args(t)]
    return []


def _message(err: Any, data: Any) -> tuple[PathKey, str]:
    """The path and the project's message of one pydantic error (see :mod:`messages`)."""
    loc = tuple(err["loc"])
    # Drop pydantic's union-member tags (e.g. 'air_strikes', 'function-wrap[...]').
    path: list[str | int] = []
    node: Any = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
    kind = err["type"]
    if kind == "extra_forbidden":
        known: set[str] = set()
        for m in _models_at(path[:-1]):
            known |= set(_field_names(m))
        msg = f"unknown key{suggest(str(path[-1]), known)}"
    elif kind == "missing":
        msg = f"missing required key {loc[-1]!r}"
        path.append(str(loc[-1]))
    elif kind == "union_tag_invalid":
        ctx = err["ctx"]
        key = ctx["discriminator"].strip("'")
        tags = ctx["expected_tags"].replace("'", "")
        msg = f"unknown {key} {quoted(ctx['tag'])}; use one of: {tags}"
        path.append(key)
    elif kind == "union_tag_not_found":
        key = err["ctx"]["discriminator"].strip("'")
        msg = f"missing required key {key!r}"
        path.append(key)
    elif kind == "string_pattern_mismatch":
        pattern = err["ctx"]["pattern"]
        msg = (f"{messages.describe(err['input'])} is not an id: use lowercase letters, digits "
               "and _, starting with a letter" if pattern == ID_PATTERN
               else f"must match the pattern {pattern} (got {messages.describe(err['input'])})")
    elif kind == "literal_error" and _literal_values(path):
        msg = (f"unknown value {messages.describe(err['input'])}; use one of: "
               f"{', '.join(_literal_values(path))}")
    else:
        msg = messages.schema_problem(err)
    return tuple(path), msg


_ID_SECTIONS = ("factions", "settlements", "support", "events", "outcomes")
_PLACEHOLDER_META = {"name": "-", "start_date": "2000-01-01"}


def _prune_keys(data: RawDict, paths: list[PathKey]) -> RawDict:
    """A copy of ``data`` without the keys that failed validation (an unknown key, a value of
    the wrong type), so the rest of their entry is still cross-checked: a faction with a
    misspelt key still has its objectives checked."""
    out = copy.deepcopy(data)
    for p in paths:
        node: Any = out
        for part in p[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if len(p) >= 3 and isinstance(node, dict) and p[-1] in node:
            del node[p[-1]]
    return out


def _prune(data: RawDict, paths: list[PathKey]) -> RawDict:
    """A copy of ``data`` without the entries that failed validation, for the cross-checks."""
    out = copy.deepcopy(data)
    drop_links: set[int] = set()
    for p in paths:
        top = p[0] if p else None
        section = out.get(top) if isinstance(top, str) else None
        if top in _ID_SECTIONS and len(p) >= 2 and isinstance(section, dict):
            section.pop(p[1], None)
        elif top == "links" and len(p) >= 2 and isinstance(p[1], int):
            drop_links.add(p[1])
        elif top == "scenario":
            out["scenario"] = dict(_PLACEHOLDER_META)
        elif isinstance(top, str):
            out.pop(top, None)
    links = out.get("links")
    if drop_links and isinstance(links, list):
        out["links"] = [x for i, x in enumerate(links) if i not in drop_links]
    return out


def _schema_problems(data: Any) -> list[tuple[PathKey, str]]:
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        found: list[tuple[PathKey, str]] = []
        for err in exc.errors():
            item = _message(err, data)
            if item not in found:
                found.append(item)
        return found
    return []


NOT_A_SCENARIO_EXCERPT = 20
"""How much of a key a file that is not a scenario at all has quoted (its first one only)."""


def _not_a_scenario(doc: Document) -> Problem | None:
    """One problem for a mapping with no scenario key at all (some other file, say
    ``/etc/shadow``), instead of one line per key that would print the file line by line."""
    data = doc.data
    if not isinstance(data, dict) or not data or set(data) & set(_field_names(Scenario)):
        return None
    first = next(iter(data))
    n = len(data)
    return Problem(doc.locate(()), "", f"not a scenario file: none of its {n:,} top-level "
                   f"key{'s' if n != 1 else ''} is a scenario key (the first is "
                   f"{quoted(first, NOT_A_SCENARIO_EXCERPT)}); a scenario starts with "
                   "scenario:, factions: and settlements:")


def _hint(doc: Document, path: PathKey, message: str) -> str:
    """A missing key in an entry a variant adds, whose id is close to one of its parent's:
    most likely a misspelt id (``daeshh:``), not a new faction."""
    entry = tuple(path[:2])
    if entry not in doc.added or not message.startswith("missing required key"):
        return message
    parent, ids = doc.added[entry]
    close = closest(str(entry[1]), ids)
    if close is None:
        return message
    kind = ID_KINDS[str(entry[0])]
    return (f"{message}: {quoted(entry[1])} is a new {kind}, not one of {parent}'s "
            f"(did you mean {quoted(close)}?)")


def _playable(loaded: Loaded, where: Location) -> Loaded:
    """A scenario even one game of which would not fit the memory budget is refused (checked
    on every load, as the budget may change between two)."""
    try:
        check_memory([shape(loaded.scenario)], 1, True, option="")
    except TooLarge as exc:
        raise InvalidInput([Problem(where, "", f"too large to play: {exc}")]) from None
    return loaded


def validate_document(doc: Document) -> Scenario:
    """Validate merged data; raise :class:`InvalidInput` with every problem, located.

    Schema problems and cross-reference problems come out together: entries that fail the
    schema are set aside and the rest is cross-checked, so one run shows every mistake.
    """
    alien = _not_a_scenario(doc)
    if alien is not None:
        raise InvalidInput([alien])
    merging = [Problem(doc.locate(p), dotted(p), m) for p, m in doc.problems]
    big = list(too_large(doc.data))
    found = [*big, *(x for x in _schema_problems(doc.data) if x[0] not in {p for p, _ in big})]
    if not found:
        sc = Scenario.model_validate(doc.data)
        xref = check(sc, doc.data)
        if xref or merging:
            problems = [*merging, *(Problem(doc.locate(p), dotted(p), m) for p, m in xref)]
            raise InvalidInput(_in_order(problems))
        return sc
    problems = [*merging, *(Problem(doc.locate(p), dotted(p), _hint(doc, p, m))
                            for p, m in found)]
    if isinstance(doc.data, dict):
        # Set aside the bad keys first, then (if that is not enough) the bad entries.
        pruned = _prune_keys(doc.data, [p for p, _ in found])
        for _ in range(4):
            bad = _schema_problems(pruned)
            if not bad:
                sc = Scenario.model_validate(pruned)
                problems += [Problem(doc.locate(p), dotted(p), m)
                             for p, m in check(sc, doc.data, partial=True)
                             if p not in {x for x, _ in found}]
                break
            pruned = _prune(pruned, [p for p, _ in bad])
    raise InvalidInput(_in_order(problems))


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems by file, line and column (a stable sort: those of one place keep their order)."""
    return sorted(problems, key=lambda pr: (pr.location.file, pr.location.line,
                                            pr.location.column))


_CACHE: OrderedDict[tuple[str, str, tuple[str, ...]], tuple[Reads, Loaded]] = OrderedDict()


def load(path: str | Path, overrides: list[str] | None = None) -> Loaded:
    """Load, merge, override and validate a scenario file.

    The last few results are remembered, so a command that needs the scenario in two places
    reads and validates it once. A remembered result is used only while every file it was
    read from (the scenario and its ``extends`` parents) still holds the very same bytes, and
    it can be handed out again because it is read-only all the way down: no caller can change
    what a later load of the file gets.
    """
    p = Path(path)
    key = (str(p), str(p.absolute()), tuple(overrides or []))
    hit = _CACHE.get(key)
    if hit is not None and all(_same_bytes(f, raw) for f, raw in hit[0]):
        _CACHE.move_to_end(key)
        return _playable(hit[1], Location(str(p)))
    reads: Reads = []
    doc = _resolve(p, (), reads)
    for expr in overrides or []:
        apply_set(doc, expr)
    sc = validate_document(doc)
    data = copy.deepcopy(doc.data)
    data.pop("extends", None)
    loaded = Loaded(sc, data, str(p), tuple(overrides or ()))
    _CACHE[key] = (reads, loaded)
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return _playable(loaded, doc.locate(()))


def from_data(data: object, name: str, path: str, overrides: tuple[str, ...] = ()) -> Loaded:
    """Validate a scenario already resolved (``extends`` followed, ``--set`` applied), such
    as the copy a store keeps, exactly as :func:`load` validates a file; problems are located
    at ``name`` (there are no lines to point to)."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem(Location(name), "", "a scenario must be a mapping of keys "
                                    "(scenario, factions, ...)")])
    doc = Document(copy.deepcopy(data), {}, name)
    sc = validate_document(doc)
    return _playable(Loaded(sc, doc.data, path, overrides), Location(name))


def _same_bytes(path: Path, raw: bytes) -> bool:
    try:
        return yamlio.read_limited(path) == raw
    except yamlio.Unreadable:
        return False
