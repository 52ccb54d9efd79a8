"""Reading the standards' JSON documents member by member, so that every problem is reported
with its JSON pointer instead of stopping at the first one.

The hub validates national documents against the standard's schema before they reach
`to_local`, so these checks mostly repeat it; they stay because an adapter must never turn
a document it does not understand into a wrong local file.

`json` accepts a little more than the JSON the hub parses (NaN, numbers too large for a
double, lone UTF-16 surrogates, any depth); `parse` refuses those too, so that a document is
either read the same way everywhere or refused.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .checks import Missing, Raw, raw_text
from .violations import Rejected, Violations

#: Deepest nesting of arrays and objects that is read, as in the hub's own JSON parser.
MAX_DEPTH = 127

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse(body: bytes) -> Any:
    """Parses a body as JSON, or refuses it with one violation that says where it broke."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _refusal(
            "encoding", f"the body is not valid UTF-8 (bad byte at offset {err.start})"
        ) from None
    try:
        document = json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            parse_int=_finite_int,
        )
        _check_depth_and_text(document, text)
    except (ValueError, RecursionError) as err:
        raise _refusal("json", f"the body is not JSON: {err}") from None
    return document


def pointer(parent: str, key: str) -> str:
    """The pointer to member `key` of the value at `parent`, escaped as RFC 6901 requires."""
    return f"{parent}/{key.replace('~', '~0').replace('/', '~1')}"


class JsonObject:
    """A JSON object and where it sits in the document."""

    def __init__(self, members: dict[str, Any], path: str) -> None:
        self._members = members
        self.path_of_object = path

    @classmethod
    def at(cls, value: Any, path: str, v: Violations) -> JsonObject | None:
        """The object at `path`, or `None` after recording that it is something else."""
        if isinstance(value, dict):
            return cls(value, path)
        v.push(path or "body", "type", "expected a JSON object")
        return None

    def path(self, key: str) -> str:
        """Where member `key` is."""
        return pointer(self.path_of_object, key)

    def only(self, known: tuple[str, ...], v: Violations) -> None:
        """Records a violation for each member not in `known`: a member the standard does not
        define would otherwise be dropped without anyone noticing. Members are reported in
        the order of their names, not of the document."""
        for key in sorted(self._members):
            if key not in known:
                v.push(self.path(key), "unknown-field", f"`{key}` is not defined here")

    def get(self, key: str) -> Any:
        """Member `key`; `None` when missing or null."""
        return self._members.get(key)

    def text(self, key: str, v: Violations) -> Raw:
        """Member `key` as text."""
        value = self.get(key)
        if value is None:
            return Missing.ABSENT
        if isinstance(value, str):
            return raw_text(value)
        v.push(self.path(key), "type", "expected a string")
        return Missing.REPORTED

    def count(self, key: str, limit: int, v: Violations) -> int | None:
        """Member `key` as a required whole number from 0 to `limit`."""
        value = self.get(key)
        if value is None:
            v.push(self.path(key), "required", f"`{key}` is required")
            return None
        if type(value) is int and 0 <= value <= limit:
            return value
        v.push(self.path(key), "format", f"expected a whole number from 0 to {limit}")
        return None

    def constant(self, key: str, expected: str, v: Violations) -> None:
        """Checks that member `key` is exactly `expected`, as `standard` and `version` must."""
        value = self.get(key)
        if value is None:
            v.push(self.path(key), "required", f"`{key}` is required")
        elif value != expected or not isinstance(value, str):
            v.push(
                self.path(key),
                "standard",
                f"expected `{expected}`; this adapter reads no other",
            )


def _refusal(code: str, message: str) -> Rejected:
    v = Violations()
    v.push("body", code, message)
    return v.rejected()


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _finite_int(text: str) -> int:
    if math.isinf(float(text)):
        raise ValueError(f"the number {text[:20]} is out of range")
    return int(text)


def _check_depth_and_text(document: Any, text: str) -> None:
    """Refuses nesting deeper than `MAX_DEPTH`, and strings (member names included) holding
    half of a UTF-16 surrogate pair, which no UTF-8 text can carry. Such a half can only come
    from a `\\u` escape, so documents without one skip that search."""
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if surrogates:
                _check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                for key, member in value.items():
                    if surrogates:
                        _check_text(key)
                    pending.append((member, depth + 1))
            else:
                pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone UTF-16 surrogate") from None
