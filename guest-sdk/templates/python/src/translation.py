"""The translations of {{name}}: the agency's local JSON form to the national standard
(`standard.schema.json`) and back.

Nothing here imports the component's bindings: the hub's catalogue is passed in as an
object with a `lookup` method, so that `tests/` runs these functions natively with a
stand-in. `app.py` connects them to the contract.

The local form, as the agency's system writes it:

    { "ho_ten": "Nguyễn Văn An", "ngay_sinh": "31/01/1990", "ma_xa": "00004" }
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

#: The members of the local form.
LOCAL_MEMBERS = ("ho_ten", "ngay_sinh", "ma_xa")
#: The members of the national form, as the standard defines them.
NATIONAL_MEMBERS = ("fullName", "birthDate", "communeCode", "provinceCode")

#: The agency's dates, `dd/mm/yyyy`, in ASCII digits only.
_LOCAL_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})", re.ASCII)
_COMMUNE = re.compile(r"[0-9]{5}", re.ASCII)


@dataclass(frozen=True)
class Violation:
    """One reason to refuse an input: where (a JSON pointer), a stable code, a sentence."""

    path: str
    code: str
    message: str


class Rejected(Exception):
    """The input is well formed for its kind but wrong; every violation says where and why."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} violations")
        self.violations = violations


class Entry(Protocol):
    """What this adapter reads of a catalogue entry."""

    parent: str | None


class Catalogue(Protocol):
    """The hub's reference catalogues (`provinces`, `communes`)."""

    def lookup(self, catalogue: str, code: str) -> Entry | None: ...


def to_national(host: Catalogue, body: bytes) -> bytes:
    """The local form to the national one; raises `Rejected` with every problem found."""
    document = _parse(body)
    violations: list[Violation] = []
    _only(document, LOCAL_MEMBERS, violations)

    name = _text(document, "ho_ten", violations)
    birth = None
    text = _text(document, "ngay_sinh", violations)
    if text is not None:
        match = _LOCAL_DATE.fullmatch(text)
        if match is None:
            violations.append(Violation("/ngay_sinh", "format", "write the date as dd/mm/yyyy"))
        else:
            day, month, year = (int(part) for part in match.groups())
            try:
                birth = dt.date(year, month, day)
            except ValueError:
                violations.append(Violation("/ngay_sinh", "date", f"{text} is not a day"))
    commune = _text(document, "ma_xa", violations)
    province = None
    if commune is not None:
        entry = host.lookup("communes", commune) if _COMMUNE.fullmatch(commune) else None
        if entry is None:
            violations.append(
                Violation("/ma_xa", "unknown-commune", f"{commune} is not a commune in force")
            )
        else:
            province = entry.parent

    if violations:
        raise Rejected(violations)
    national = {
        "fullName": name,
        "birthDate": birth.isoformat(),
        "communeCode": commune,
        "provinceCode": province,
    }
    return json.dumps(national, ensure_ascii=False).encode()


def to_local(host: Catalogue, body: bytes) -> bytes:
    """The national form to the local one. The hub has checked it against the standard, so
    only what the standard cannot say is checked here: that the commune is in force."""
    document = _parse(body)
    violations: list[Violation] = []
    _only(document, NATIONAL_MEMBERS, violations)
    name = _text(document, "fullName", violations)
    birth = _text(document, "birthDate", violations)
    commune = _text(document, "communeCode", violations)
    if commune is not None and host.lookup("communes", commune) is None:
        violations.append(
            Violation("/communeCode", "unknown-commune", f"{commune} is not a commune in force")
        )
    day = None
    if birth is not None:
        try:
            day = dt.date.fromisoformat(birth)
        except ValueError:
            violations.append(Violation("/birthDate", "format", "write the date as YYYY-MM-DD"))
    if violations:
        raise Rejected(violations)
    local = {
        "ho_ten": name,
        "ngay_sinh": f"{day.day:02}/{day.month:02}/{day.year:04}",
        "ma_xa": commune,
    }
    return json.dumps(local, ensure_ascii=False).encode()


# Deepest nesting of arrays and objects read. Python's JSON reader recurses once per level,
# and a component's stack is far smaller than a native process's: a body nested thousands
# deep would overflow it (the hub then answers 502 for the adapter) instead of being refused.
MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _parse(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a rejection at `body`."""
    try:
        text = body.decode("utf-8")
        if _too_deep(text):
            raise Rejected(
                [Violation("body", "depth", f"arrays and objects nest deeper than {MAX_DEPTH}")]
            )
        document = json.loads(text)
    except UnicodeDecodeError:
        raise Rejected([Violation("body", "encoding", "the body is not UTF-8")]) from None
    except ValueError as err:
        raise Rejected([Violation("body", "json", f"the body is not JSON: {err}")]) from None
    if not isinstance(document, dict):
        raise Rejected([Violation("body", "type", "expected a JSON object")])
    return document


def _only(document: dict[str, Any], known: tuple[str, ...], violations: list[Violation]) -> None:
    """A member the form does not define would be dropped unnoticed; refuse it instead."""
    for key in document:
        if key not in known:
            violations.append(Violation(f"/{key}", "unknown-field", f"`{key}` is not defined"))


def _text(document: dict[str, Any], key: str, violations: list[Violation]) -> str | None:
    """Member `key` as trimmed, non-blank text; `None` after recording why not."""
    value = document.get(key)
    if value is None:
        violations.append(Violation(f"/{key}", "required", f"`{key}` is required"))
        return None
    if not isinstance(value, str):
        violations.append(Violation(f"/{key}", "type", f"`{key}` must be a string"))
        return None
    if not value.strip():
        violations.append(Violation(f"/{key}", "required", f"`{key}` is blank"))
        return None
    return value.strip()
