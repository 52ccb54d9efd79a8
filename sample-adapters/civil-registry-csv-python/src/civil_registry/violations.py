"""Collecting every violation of an input, and the ways a translation declines a message.

A translation reads its whole input and refuses it with every violation it found, so that a
clerk can fix a file in one round. Past `MAX_VIOLATIONS` the collector only counts, so that a
huge bad input cannot make a huge answer (the hub keeps no more than that many either).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Most violations kept; the hub reports no more than this many either.
MAX_VIOLATIONS = 100


@dataclass(frozen=True)
class Violation:
    """One reason why an input was refused, in terms the author of that input understands."""

    path: str
    code: str
    message: str


class Declined(Exception):
    """A translation that produced no message; the subclasses are the contract's variants."""


class Rejected(Declined):
    """The input is well formed for its kind but wrong; each violation says where and why."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} violations")
        self.violations = violations


class Unsupported(Declined):
    """The adapter does not handle this kind of message."""


class Internal(Declined):
    """The adapter itself failed; the text is for the operator, not the caller."""


@dataclass
class Violations:
    """The violations of one input, in the order they were found."""

    kept: list[Violation] = field(default_factory=list)
    dropped: int = 0

    def push(self, path: str, code: str, message: str) -> None:
        """Records one violation, or only counts it past the cap."""
        if len(self.kept) < MAX_VIOLATIONS:
            self.kept.append(Violation(path, code, message))
        else:
            self.dropped += 1

    def __len__(self) -> int:
        """How many violations are kept (at most `MAX_VIOLATIONS`)."""
        return len(self.kept)

    def rejected(self) -> Rejected:
        """The rejection listing every violation, with a last entry counting those left out."""
        listed = list(self.kept)
        if self.dropped:
            listed.append(
                Violation(
                    "", "too-many-violations", f"{self.dropped} more violations were left out"
                )
            )
        return Rejected(listed)

    def finish(self) -> None:
        """Raises the rejection if anything was recorded."""
        if self.kept:
            raise self.rejected()
