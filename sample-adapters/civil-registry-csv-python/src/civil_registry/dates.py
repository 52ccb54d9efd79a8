"""Calendar dates and instants, in the two spellings this adapter meets: the registry's
day-first `dd/mm/yyyy` (with `HH:MM:SS` in Vietnam time for instants) and the standard's
ISO 8601 / RFC 3339.

The shapes are checked here, strictly and by hand, because `datetime`'s own parsers accept
far more than either form allows; the calendar itself is `datetime`'s. The component has no
clock, so nothing in this module knows what "today" is, and nothing checks that a date lies
in the past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .checks import Fault, ascii_digits

#: Vietnam keeps one offset all year (no daylight saving), so a registry's local timestamps
#: convert to the standard's instants without a time-zone database.
VIETNAM_OFFSET = dt.timedelta(hours=7)


def day(year: int, month: int, day_of_month: int, text: str) -> dt.date:
    """The date, or a `date` fault when that day does not exist (31/02, the year 0)."""
    try:
        return dt.date(year, month, day_of_month)
    except ValueError:
        raise Fault("date", f"`{text}` is not a day of the calendar") from None


def parse_iso(text: str) -> dt.date:
    """Reads the standard's `YYYY-MM-DD`."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        y, m, d = ascii_digits(text[0:4]), ascii_digits(text[5:7]), ascii_digits(text[8:10])
        if y is not None and m is not None and d is not None:
            return day(y, m, d, text)
    raise Fault("format", f"`{text}` is not a date written as YYYY-MM-DD")


def parse_local(text: str) -> dt.date:
    """Reads the registry's `dd/mm/yyyy`; clerks often drop the leading zeros (`1/2/1990`)."""
    parts = text.split("/")
    if len(parts) == 3:
        d, m, y = parts
        if 1 <= len(d) <= 2 and 1 <= len(m) <= 2 and len(y) == 4:
            values = ascii_digits(d), ascii_digits(m), ascii_digits(y)
            if None not in values:
                return day(values[2], values[1], values[0], text)
    raise Fault("format", f"`{text}` is not a date written as dd/mm/yyyy")


def local(date: dt.date) -> str:
    """The registry's spelling, always with two-digit day and month."""
    return f"{date.day:02}/{date.month:02}/{date.year:04}"


@dataclass(frozen=True)
class LocalTime:
    """A moment as a registry's system writes it: a date and a time of day in Vietnam time."""

    moment: dt.datetime

    @classmethod
    def parse(cls, text: str) -> LocalTime:
        """Reads `dd/mm/yyyy HH:MM:SS` (seconds may be left out)."""
        malformed = Fault("format", f"`{text}` is not a time written as dd/mm/yyyy HH:MM:SS")
        date_text, space, clock = text.partition(" ")
        if not space:
            raise malformed
        try:
            date = parse_local(date_text)
        except Fault as fault:
            raise (malformed if fault.code == "format" else fault) from None

        parts = clock.split(":")
        if len(parts) == 2:
            parts.append("00")
        if len(parts) != 3 or any(len(part) != 2 for part in parts):
            raise malformed
        h, m, s = (ascii_digits(part) for part in parts)
        if h is None or m is None or s is None:
            raise malformed
        if h > 23 or m > 59 or s > 59:
            raise Fault("date", f"`{text}` is not a time of day")
        return cls(dt.datetime.combine(date, dt.time(h, m, s)))

    @classmethod
    def from_rfc3339(cls, text: str) -> LocalTime:
        """Reads an RFC 3339 instant with any offset and gives the same moment in Vietnam time.
        Fractions of a second are dropped: the registry's systems keep whole seconds."""
        malformed = Fault(
            "format",
            f"`{text}` is not a date-time written as YYYY-MM-DDTHH:MM:SS with an offset",
        )
        if len(text.encode()) < 20 or not text[:19].isascii():
            raise malformed
        try:
            date = parse_iso(text[:10])
        except Fault as fault:
            raise (malformed if fault.code == "format" else fault) from None
        if text[10] not in "Tt" or text[13] != ":" or text[16] != ":":
            raise malformed
        h, m, s = ascii_digits(text[11:13]), ascii_digits(text[14:16]), ascii_digits(text[17:19])
        if h is None or m is None or s is None:
            raise malformed

        rest = text[19:]
        if rest.startswith("."):
            fraction = rest[1:]
            digits = len(fraction) - len(fraction.lstrip("0123456789"))
            if digits == 0:
                raise malformed
            rest = fraction[digits:]
        offset = dt.timedelta(0) if rest in ("Z", "z") else _parse_offset(rest)
        if offset is None:
            raise malformed
        if h > 23 or m > 59 or s > 59:
            raise Fault("date", f"`{text}` is not a time of day")

        # One addition from the written time straight to Vietnam time, so that only a result
        # outside the years 1 to 9999 overflows, not a passage through UTC.
        written = dt.datetime.combine(date, dt.time(h, m, s))
        try:
            return cls(written + (VIETNAM_OFFSET - offset))
        except OverflowError:
            raise Fault("date", f"`{text}` is too far from today") from None

    def local(self) -> str:
        """The registry's spelling, `dd/mm/yyyy HH:MM:SS`."""
        return f"{local(self.moment.date())} {self._clock()}"

    def rfc3339(self) -> str:
        """The standard's spelling, with Vietnam's offset written out rather than converted to
        UTC, so that a person reading it sees the registry's own time."""
        return f"{self.moment.date().isoformat()}T{self._clock()}+07:00"

    def _clock(self) -> str:
        m = self.moment
        return f"{m.hour:02}:{m.minute:02}:{m.second:02}"


def _parse_offset(text: str) -> dt.timedelta | None:
    """`+HH:MM` or `-HH:MM`; `None` for anything else."""
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    h, m = ascii_digits(text[1:3]), ascii_digits(text[4:6])
    if h is None or m is None or h > 23 or m > 59:
        return None
    offset = dt.timedelta(hours=h, minutes=m)
    return -offset if text[0] == "-" else offset
