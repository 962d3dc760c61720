"""The project's wording for problems that PyYAML and pydantic find.

Libraries word their errors for programmers, and reword them between versions (libyaml's C
parser and PyYAML's pure-Python one already disagree). Every message a user sees about a
scenario file is written here instead, from what the error *is* (its kind, the character at its
mark, the bounds in its context), never by passing the library's text through. So the messages
stay the same across library upgrades, and the corpus under ``tests/data/invalid/`` pins only
the project's text. An error kind not known here still gets a plain located message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wargame.textsafe import excerpt, quoted

SYNTAX_FALLBACK = "invalid YAML syntax"


def describe(value: Any) -> str:
    """A value as a scenario file writes it, for ``(got ...)``: ``true``, ``'text'``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


# --- YAML syntax ------------------------------------------------------------------------------

def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column of ``text`` ('' past the end)."""
    lines = text.split("\n")
    if line >= len(lines):
        return ""
    row = lines[line]
    return row[column] if column < len(row) else ""


def _name_at(text: str, line: int, column: int) -> str:
    """The anchor or alias name written at a mark (``*name`` or ``&name``)."""
    lines = text.split("\n")
    row = lines[line] if line < len(lines) else ""
    m = re.match(r"[*&]?([^\s,\[\]{}]+)", row[column:])
    return excerpt(m.group(1)) if m else "?"


def yaml_syntax(context: str | None, problem: str | None, text: str, line: int, column: int,
                context_line: int | None) -> str:
    """The project's message for a YAML syntax error at 0-based ``line``/``column``.

    ``context`` and ``problem`` are the parser's own words, used only to tell which mistake it
    found; ``context_line`` (1-based) is where the construct it was reading began.
    """
    said = f"{context or ''} {problem or ''}".lower()
    opened = f" (opened on line {context_line})" if context_line else ""
    ch = _char_at(text, line, column)
    if "tab" in said or ("cannot start any token" in said and ch == "\t"):
        return "a tab character here: YAML indents with spaces only"
    if "cannot start any token" in said:
        return (f"{ch!r} cannot start a value: put the value in quotes" if ch
                else "unexpected character")
    if "mapping values are not allowed" in said:
        return "unexpected ':': put text that contains ': ' in quotes"
    if "flow mapping" in said:
        return f"expected ',' or '}}' in the {{...}} mapping{opened}"
    if "flow sequence" in said:
        return f"expected ',' or ']' in the [...] list{opened}"
    if "quoted scalar" in said:
        return f"unclosed quotes{opened}"
    if "undefined alias" in said:
        name = _name_at(text, line, column)
        return f"unknown alias *{name} (no &{name} anchor before it)"
    if "duplicate anchor" in said:
        return f"anchor &{_name_at(text, line, column)} is defined twice{opened}"
    if "single document" in said:
        return "a second document ('---'): a scenario file holds one document"
    if "directive" in said:
        return "unsupported directive (a line starting with '%')"
    if "simple key" in said:
        return f"expected ':' after a key{opened}"
    if "block mapping" in said or "block collection" in said or "block sequence" in said:
        return ("bad indentation: this line does not line up with the keys or list items "
                f"above it{opened}")
    if "anchor" in said or "alias" in said:
        return "invalid anchor or alias name"
    if "node content" in said or "end of stream" in said:
        return "a value is missing here (the input ends or closes too early)"
    return SYNTAX_FALLBACK


def unreadable_character(character: Any) -> str:
    """A character that YAML does not allow in a document (a control character)."""
    code = ord(character) if isinstance(character, str) else int(character)
    return f"character U+{code:04X} is not allowed in YAML text"


def unreadable_scalar(tag: str, text: str) -> str:
    """A value that looks like a date or a number but is not one YAML can build."""
    kind = tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return f"invalid YAML: {quoted(text)} is not a date (write YYYY-MM-DD)"
    if kind in ("int", "float"):
        return f"invalid YAML: {quoted(text, 20)} is not a number this tool can read"
    return f"invalid YAML: cannot read the value {quoted(text)}"


# --- schema problems --------------------------------------------------------------------------

_TYPES = {
    "int_type": "must be a whole number", "int_from_float": "must be a whole number",
    "int_parsing": "must be a whole number", "float_type": "must be a number",
    "float_parsing": "must be a number", "bool_type": "must be true or false",
    "bool_parsing": "must be true or false", "string_type": "must be text",
    "list_type": "must be a list", "dict_type": "must be a mapping",
    "model_type": "must be a mapping", "model_attributes_type": "must be a mapping",
    "finite_number": "must be a finite number",
}
_BOUNDS = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "more than"),
           "less_than_equal": ("le", "at most"), "less_than": ("lt", "less than")}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def schema_problem(err: Mapping[str, Any]) -> str:
    """The project's message for one pydantic error (one entry of ``errors()``).

    Errors the project raises itself (its ``PydanticCustomError`` kinds and the ``ValueError``
    of its validators) keep their text; every other kind is worded here from its context.
    Kinds that need the schema (unknown and missing keys, literals) are worded by the loader.
    """
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    got = err.get("input")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in _TYPES:
        return f"{_TYPES[kind]} (got {describe(got)})" if kind != "finite_number" \
            else _TYPES[kind]
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"must be {words} {_number(ctx.get(key))} (got {describe(got)})"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length" if kind == "too_short" else "max_length")
        words = "at least" if kind == "too_short" else "at most"
        items = "item" if bound == 1 else "items"
        return f"must have {words} {bound} {items} (got {ctx.get('actual_length')})"
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return "must not be empty" if n == 1 else f"must be at least {n} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"must be a date such as 2015-10-13 (got {describe(got)})"
    if kind.startswith("param_"):  # raised by wargame.scenario.params with its own wording
        return str(err.get("msg", ""))
    return f"invalid value (got {describe(got)})"
