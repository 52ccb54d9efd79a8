"""The rules a single value obeys, whichever form it arrives in.

Each rule takes the text as it was written and either returns the value in its canonical
spelling or raises a `Fault`: a stable code and a sentence. Where the value sits (a CSV
cell, a JSON pointer) is the caller's business, so that the local and the national readers
report the same breach with the same code. Rules that need the administrative catalogues
ask the hub through a `Catalogue`; none of them keeps a copy of a catalogue.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Protocol, TypeVar

from .violations import Violations

#: Most records one message may carry, in either form. A registry sends a day's work or a
#: backlog, not its whole book; the standards set the same bound.
MAX_RECORDS = 1000

#: What `str.strip()` must remove to trim a value: Unicode's White_Space characters, and not
#: the few extra separators (U+001C to U+001F) that Python's own `strip()` also removes.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_ASCII_DIGITS = frozenset("0123456789")
#: Unicode's control characters (general category Cc).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

T = TypeVar("T")


class Fault(Exception):
    """One rule that one value breaks."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        #: The stable code the violation carries.
        self.code = code
        #: A sentence for the person who wrote the value.
        self.message = message


class Missing(enum.Enum):
    """A value that is not there as text."""

    #: Not given, or given as blank.
    ABSENT = "absent"
    #: Unreadable (bad encoding, wrong JSON type): a violation has already been recorded, so
    #: the value is skipped without a second one.
    REPORTED = "reported"


#: A value as it arrived, before any rule about its content is applied: trimmed text, or why
#: there is none.
Raw = str | Missing


def raw_text(text: str) -> Raw:
    """Trims `text` and treats a blank value as absent."""
    return text.strip(WHITE_SPACE) or Missing.ABSENT


class Entry(Protocol):
    """What this adapter reads of a catalogue entry."""

    parent: str | None


class Catalogue(Protocol):
    """The hub's reference catalogues, as the contract's `catalogue.lookup` offers them."""

    def lookup(self, catalogue: str, code: str) -> Entry | None:
        """The entry for `code` in `catalogue` (`provinces` or `communes`), if any."""


class Sex(enum.Enum):
    """Whether a person is recorded as male or female; the two values both standards know."""

    MALE = "male"
    FEMALE = "female"

    @classmethod
    def parse_local(cls, text: str) -> Sex:
        """Reads the registry's `Nam` or `Nữ`, in any letter case. Text pasted from some word
        processors spells `ữ` with combining marks, so those spellings are read too."""
        lowered = text.lower()
        if lowered == "nam":
            return cls.MALE
        if lowered in ("n\u1eef", "n\u01b0\u0303", "nu\u031b\u0303"):
            return cls.FEMALE
        raise Fault("enum", f"`{text}` is neither Nam nor Nữ")

    @classmethod
    def parse_national(cls, text: str) -> Sex:
        """Reads the standard's `male` or `female`."""
        try:
            return cls(text)
        except ValueError:
            raise Fault("enum", f"`{text}` is neither male nor female") from None

    def local(self) -> str:
        """The registry's spelling."""
        return "Nam" if self is Sex.MALE else "Nữ"


def ascii_digits(text: str) -> int | None:
    """The value of a run of one to nine ASCII digits; `None` for anything else, signs and
    other scripts' digits included (`int()` would accept both)."""
    if 0 < len(text) <= 9 and _ASCII_DIGITS.issuperset(text):
        return int(text)
    return None


def ascii_lower(text: str) -> str:
    """Lowercases A to Z only, as column names are compared."""
    return text.translate(_ASCII_LOWER)


def required(
    raw: Raw, path: Callable[[], str], v: Violations, rule: Callable[[str], T]
) -> T | None:
    """A value that must be there, through `rule`; `None` after recording why not. `path`
    is only called to report a violation: most values are good, and most paths are built."""
    if raw is Missing.ABSENT:
        v.push(path(), "required", "a value is required here")
        return None
    if raw is Missing.REPORTED:
        return None
    try:
        return rule(raw)
    except Fault as fault:
        v.push(path(), fault.code, fault.message)
        return None


def _is_code(text: str, length: int) -> bool:
    return len(text) == length and _ASCII_DIGITS.issuperset(text)


def citizen_id(host: Catalogue, text: str) -> str:
    """A personal identification number: twelve digits, the first three being `0` and the code
    of a province the catalogue knows."""
    if not _is_code(text, 12):
        raise Fault(
            "citizen-id",
            f"`{text}` is not a personal identification number: it must be exactly 12 digits",
        )
    if not text.startswith("0") or host.lookup("provinces", text[1:3]) is None:
        raise Fault(
            "citizen-id",
            f"`{text}` does not begin with 0 and a province code in force ({text[:3]} is not one)",
        )
    return text


def citizen_id_matches(citizen: str, sex: Sex, birth: dt.date) -> None:
    """The fourth digit of an identification number encodes the century of birth and the sex
    (0/1 for a man/woman born 1900-1999, 2/3 for 2000-2099, and so on), the fifth and sixth
    the last two digits of the birth year. A number that contradicts the record it sits in
    points at a typing mistake in one of the three values."""
    century = birth.year // 100
    expected = None
    if 19 <= century <= 23:
        digit = (century - 19) * 2 + (1 if sex is Sex.FEMALE else 0)
        expected = f"{digit}{birth.year % 100:02}"
    if expected is None or citizen[3:6] != expected:
        should = expected or "impossible for a birth before 1900"
        raise Fault(
            "citizen-id-mismatch",
            f"`{citizen}` does not match the sex and birth year of the record "
            f"(digits 4 to 6 should be {should})",
        )


def province_code(host: Catalogue, text: str) -> str:
    """A province code the catalogue knows."""
    if not _is_code(text, 2):
        raise Fault("format", f"`{text}` is not a province code: it must be 2 digits")
    if host.lookup("provinces", text) is None:
        raise Fault("unknown-province", f"`{text}` is not a province code in force")
    return text


def commune_code(host: Catalogue, text: str) -> tuple[str, str | None]:
    """A commune code the catalogue knows, with the code of its province."""
    if not _is_code(text, 5):
        raise Fault("format", f"`{text}` is not a commune code: it must be 5 digits")
    entry = host.lookup("communes", text)
    if entry is None:
        raise Fault("unknown-commune", f"`{text}` is not a commune code in force")
    return text, entry.parent


def commune_in_province(commune: str, parent: str | None, province: str) -> None:
    """Checks that a commune, whose catalogue parent is `parent`, lies in `province`."""
    if parent != province:
        raise Fault(
            "commune-province-mismatch",
            f"commune {commune} belongs to province {parent or '(none)'}, not {province}",
        )


def plain_text(text: str, limit: int) -> str:
    """Text on one line, at most `limit` characters. Line breaks and other control characters
    have no place in a name or a register number, and would break the registry's forms."""
    if _CONTROL.search(text):
        raise Fault("format", "the text contains a line break or another control character")
    if len(text) > limit:
        raise Fault(
            "format", f"the text is {len(text)} characters long; at most {limit} are allowed"
        )
    return text


_RECEIPT_ID_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_:/"
)


def receipt_id(text: str) -> str:
    """A receipt's reference: letters, digits and `._:/-`, starting with a letter or digit, at
    most 64 characters, so that it survives being quoted in a file name or a URL."""
    valid = (
        len(text) <= 64
        and text[:1].isascii()
        and text[:1].isalnum()
        and _RECEIPT_ID_CHARS.issuperset(text)
    )
    if not valid:
        raise Fault(
            "format",
            f"`{text}` is not a receipt reference (letters, digits and ._:/- only, at most 64)",
        )
    return text


def count(text: str) -> int:
    """A count of records, from zero to `MAX_RECORDS`."""
    value = ascii_digits(text) if len(text) <= 4 else None
    if value is None or value > MAX_RECORDS:
        raise Fault("format", f"`{text}` is not a count of records from 0 to {MAX_RECORDS}")
    return value
