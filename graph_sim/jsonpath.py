"""Batch helpers: Graph's lenient JSON, a JSONPath subset and `{result=name:$.path}` references."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any


class LenientJSONError(ValueError):
    """The text is not JSON, even by Graph's forgiving reading."""


def loads_lenient(text: str) -> Any:
    """Parse JSON as Graph reads batch parameters.

    The seeds post `adbatch=[ { 'name': 'create-campaign', ... }, ]` (single quotes, a trailing
    comma) and `batch=[{...},]`, and Graph accepts them; strict JSON is tried first.
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    parser = _LenientParser(text)
    value = parser.value()
    parser.skip_ws()
    if parser.pos != len(text):
        raise LenientJSONError(f"unexpected text at position {parser.pos}")
    return value


_BARE_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$\-]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_ESCAPES = {
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


class _LenientParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def fail(self, why: str) -> LenientJSONError:
        return LenientJSONError(f"{why} at position {self.pos}")

    def peek(self) -> str:
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of input")
        return self.text[self.pos]

    def value(self) -> Any:
        char = self.peek()
        if char == "{":
            return self.obj()
        if char == "[":
            return self.array()
        if char in "\"'":
            return self.string()
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return json.loads(match.group())
        match = _BARE_WORD.match(self.text, self.pos)
        if match and match.group() in ("true", "false", "null"):
            self.pos = match.end()
            return {"true": True, "false": False, "null": None}[match.group()]
        raise self.fail("value expected")

    def obj(self) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            char = self.peek()
            if char == "}":
                self.pos += 1
                return result
            if char in "\"'":
                key = self.string()
            else:
                match = _BARE_WORD.match(self.text, self.pos)
                if not match:
                    raise self.fail("object key expected")
                key = match.group()
                self.pos = match.end()
            if self.peek() != ":":
                raise self.fail("':' expected")
            self.pos += 1
            result[key] = self.value()
            char = self.peek()
            if char == ",":
                self.pos += 1
            elif char != "}":
                raise self.fail("',' or '}' expected")

    def array(self) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        while True:
            if self.peek() == "]":
                self.pos += 1
                return result
            result.append(self.value())
            char = self.peek()
            if char == ",":
                self.pos += 1
            elif char != "]":
                raise self.fail("',' or ']' expected")

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if char == "\\":
                self.pos += 1
                if self.pos >= len(self.text):
                    break
                esc = self.text[self.pos]
                if esc == "u":
                    digits = self.text[self.pos + 1 : self.pos + 5]
                    if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                        raise self.fail("bad \\u escape")
                    out.append(chr(int(digits, 16)))
                    self.pos += 5
                    continue
                out.append(_ESCAPES.get(esc, esc))
                self.pos += 1
                continue
            out.append(char)
            self.pos += 1
        raise self.fail("unterminated string")


# ---------------------------------------------------------------------------------------------
# JSONPath (the subset Graph batch references use: $.a.b, $.a.*.b, $.a[0], $['a'], $.a[*])


class JSONPathError(ValueError):
    """The expression is not in the supported subset (filters are refused, as Graph does)."""


_STEP = re.compile(
    r"""\.(?P<key>[A-Za-z0-9_\-]+)
      | \.(?P<star>\*)
      | \[(?P<index>-?\d+)\]
      | \[(?P<bstar>\*)\]
      | \[(?P<q>['"])(?P<qkey>[^'"]*)(?P=q)\]""",
    re.VERBOSE,
)


def parse_path(expr: str) -> list[tuple[str, Any]]:
    """Steps of a JSONPath: ("key", name) | ("index", n) | ("all", None)."""
    if not expr.startswith("$"):
        raise JSONPathError(f"JSONPath must start with '$': {expr!r}")
    steps: list[tuple[str, Any]] = []
    pos = 1
    while pos < len(expr):
        match = _STEP.match(expr, pos)
        if not match:
            raise JSONPathError(f"unsupported JSONPath {expr!r} at position {pos}")
        if match.group("key") is not None:
            steps.append(("key", match.group("key")))
        elif match.group("qkey") is not None:
            steps.append(("key", match.group("qkey")))
        elif match.group("index") is not None:
            steps.append(("index", int(match.group("index"))))
        else:
            steps.append(("all", None))
        pos = match.end()
    return steps


def evaluate(expr: str, document: Any) -> list[Any]:
    """All values the expression selects, in document order (empty when nothing matches)."""
    current = [document]
    for kind, arg in parse_path(expr):
        nxt: list[Any] = []
        for node in current:
            if kind == "key":
                if isinstance(node, dict) and arg in node:
                    nxt.append(node[arg])
                elif isinstance(node, list) and arg.isdigit() and int(arg) < len(node):
                    nxt.append(node[int(arg)])
            elif kind == "index":
                if isinstance(node, list) and -len(node) <= arg < len(node):
                    nxt.append(node[arg])
            elif isinstance(node, dict):
                nxt.extend(node.values())
            elif isinstance(node, list):
                nxt.extend(node)
        current = nxt
    return current


def render_values(values: list[Any]) -> str:
    """How selected values are written into a URL or body: comma-separated, scalars bare."""
    parts = []
    for value in values:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, bool):
            parts.append("true" if value else "false")
        elif value is None:
            parts.append("")
        elif isinstance(value, int | float):
            parts.append(json.dumps(value))
        else:
            parts.append(json.dumps(value, separators=(",", ":")))
    return ",".join(parts)


# ---------------------------------------------------------------------------------------------
# {result=<name>:<jsonpath>} references

REFERENCE = re.compile(r"\{result=(?P<name>[^:{}]+):(?P<path>\$[^{}]*)\}")


def referenced_names(text: str) -> list[str]:
    """Names of the operations a string refers to, in order of appearance."""
    return [m.group("name") for m in REFERENCE.finditer(text)]


class UnresolvedReference(LookupError):
    """A reference whose operation is unknown, failed, or whose path selects nothing."""

    def __init__(self, name: str, path: str, why: str) -> None:
        super().__init__(why)
        self.name = name
        self.path = path
        self.why = why


def substitute(text: str, lookup: Callable[[str], Any]) -> str:
    """Replace every reference in `text`; `lookup(name)` returns the parsed result of that op.

    `lookup` raises UnresolvedReference for an unknown or failed operation.
    """

    def replace(match: re.Match[str]) -> str:
        name, path = match.group("name"), match.group("path")
        document = lookup(name)
        try:
            values = evaluate(path, document)
        except JSONPathError as exc:
            raise UnresolvedReference(name, path, str(exc)) from exc
        if not values:
            raise UnresolvedReference(name, path, f"{path} selects nothing in the result of {name}")
        return render_values(values)

    return REFERENCE.sub(replace, text)
