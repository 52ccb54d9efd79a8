"""Receipts for a batch: the registry's CSV receipt and the `citizen-receipt` standard, and
the translation between them in both directions.

CSV has no nesting, so the registry's receipt repeats the batch's columns (reference, time,
status, counts) on every row and gives one record's outcome per row. A batch refused as a
whole has no outcomes; its receipt is a single row whose outcome columns are blank.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from . import checks, national, table
from .checks import MAX_RECORDS, Catalogue, Fault, Missing, Raw, required
from .dates import LocalTime
from .national import JsonObject
from .table import Columns, Row, Table
from .violations import Internal, Violations

#: The standard's id and the version this module reads and writes.
STANDARD = "citizen-receipt"
VERSION = "1.0"

#: The columns of the registry's receipt; every one must be in the header.
COLUMNS = Columns(
    all=(
        "ma_bien_nhan",
        "thoi_gian_nhan",
        "trang_thai",
        "so_ban_ghi",
        "so_chap_nhan",
        "so_dinh_danh",
        "ket_qua",
        "ly_do",
    ),
    required=(
        "ma_bien_nhan",
        "thoi_gian_nhan",
        "trang_thai",
        "so_ban_ghi",
        "so_chap_nhan",
        "so_dinh_danh",
        "ket_qua",
        "ly_do",
    ),
)

#: The columns that describe the whole batch and so repeat on every row.
BATCH_COLUMNS = ("ma_bien_nhan", "thoi_gian_nhan", "trang_thai", "so_ban_ghi", "so_chap_nhan")

#: The columns of one record's outcome, and the members that hold it nationally.
OUTCOME_COLUMNS = ("so_dinh_danh", "ket_qua", "ly_do")
OUTCOME_MEMBERS = ("citizenId", "status", "reason")

#: Longest reason, as in the schema.
REASON_MAX = 500


class Status(enum.Enum):
    """What happened to a batch as a whole; the value is the standard's spelling."""

    ACCEPTED = "accepted"
    PARTIAL = "partial"
    REJECTED = "rejected"

    @classmethod
    def implied(cls, received: int, accepted: int) -> Status:
        """The status that the counts imply."""
        if accepted == 0:
            return cls.REJECTED
        if accepted >= received:
            return cls.ACCEPTED
        return cls.PARTIAL


class Verdict(enum.Enum):
    """What happened to one record; the value is the standard's spelling."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


#: The registry's spellings of both enumerations.
STATUS_LOCAL = {
    Status.ACCEPTED: "chap_nhan",
    Status.PARTIAL: "chap_nhan_mot_phan",
    Status.REJECTED: "tu_choi",
}
VERDICT_LOCAL = {Verdict.ACCEPTED: "chap_nhan", Verdict.REJECTED: "tu_choi"}

#: The standard's spellings, in the same shape.
STATUS_NATIONAL = {status: status.value for status in Status}
VERDICT_NATIONAL = {verdict: verdict.value for verdict in Verdict}


def spelled(spellings: dict[Any, str], text: str) -> Any:
    """Finds `text` among a form's spellings of an enumeration."""
    for value, name in spellings.items():
        if name == text:
            return value
    raise Fault("enum", f"`{text}` is not one of {', '.join(spellings.values())}")


@dataclass(frozen=True)
class Outcome:
    """One record's outcome."""

    citizen_id: str
    status: Verdict
    reason: str | None

    def national(self) -> dict[str, str]:
        document = {"citizenId": self.citizen_id, "status": self.status.value}
        if self.reason is not None:
            document["reason"] = self.reason
        return document

    def local(self) -> list[str]:
        return [self.citizen_id, VERDICT_LOCAL[self.status], self.reason or ""]


@dataclass(frozen=True)
class Receipt:
    """A receipt, every value checked."""

    receipt_id: str
    status: Status
    received_at: LocalTime
    received: int
    accepted: int
    records: list[Outcome]

    def national(self) -> dict[str, Any]:
        return {
            "standard": STANDARD,
            "version": VERSION,
            "receiptId": self.receipt_id,
            "status": self.status.value,
            "receivedAt": self.received_at.rfc3339(),
            "received": self.received,
            "accepted": self.accepted,
            "records": [outcome.national() for outcome in self.records],
        }

    def local_rows(self) -> list[list[str]]:
        """One row per outcome, or a single row with blank outcome columns when there is
        none."""
        batch = [
            self.receipt_id,
            self.received_at.local(),
            STATUS_LOCAL[self.status],
            str(self.received),
            str(self.accepted),
        ]
        if not self.records:
            return [batch + ["", "", ""]]
        return [batch + outcome.local() for outcome in self.records]


@dataclass(frozen=True)
class HeadPaths:
    """Where the values that the consistency rules compare sit, in one form."""

    status: str
    received: str
    accepted: str


@dataclass(frozen=True)
class Head:
    """The values of a receipt that describe the whole batch, each `None` if it was wrong."""

    receipt_id: str | None
    status: Status | None
    received_at: LocalTime | None
    received: int | None
    accepted: int | None

    def finish(
        self, outcomes: list[Outcome] | None, paths: HeadPaths, v: Violations
    ) -> Receipt | None:
        """Checks the counts against each other, the status and the outcomes, then assembles
        the receipt if nothing was wrong. `outcomes` is `None` when some could not be read;
        they are then not counted, since the count would only repeat violations already
        recorded."""
        received, accepted = self.received, self.accepted
        if received is None or accepted is None:
            return None
        before = len(v)
        if accepted > received:
            message = f"{accepted} records accepted out of {received} received"
            v.push(paths.accepted, "count", message)
        elif self.status is not None:
            implied = Status.implied(received, accepted)
            if self.status is not implied:
                message = (
                    f"{accepted} of {received} records accepted means the status `{implied.value}`"
                )
                v.push(paths.status, "status", message)
        if outcomes is None:
            return None
        if outcomes:
            if len(outcomes) != received:
                message = f"{len(outcomes)} outcomes listed for {received} records"
                v.push(paths.received, "count", message)
            listed = sum(1 for outcome in outcomes if outcome.status is Verdict.ACCEPTED)
            if listed != accepted:
                message = f"{listed} outcomes are accepted but the count says {accepted}"
                v.push(paths.accepted, "count", message)
        if len(v) != before:
            return None
        if self.receipt_id is None or self.status is None or self.received_at is None:
            return None
        return Receipt(
            self.receipt_id, self.status, self.received_at, received, accepted, outcomes
        )


def to_national(host: Catalogue, body: bytes) -> tuple[bytes, int]:
    """Translates the registry's CSV receipt into a `citizen-receipt` document."""
    v = Violations()
    file = Table.read(body, COLUMNS, v)
    if file is None:
        raise v.rejected()
    rows: list[Row] = []
    file.each_row(v, lambda row, _: rows.append(row))
    if not rows:
        raise v.rejected()
    first = rows[0]

    head = read_local_head(file, first, v)
    for row in rows[1:]:
        for column in BATCH_COLUMNS:
            here, there = file.cell(row, column), file.cell(first, column)
            if here != there and Missing.REPORTED not in (here, there):
                v.push(
                    table.path(row.line, column),
                    "inconsistent",
                    f"every row must repeat the batch's `{column}` of row {first.line}",
                )

    outcomes: list[Outcome] = []
    complete = len(rows) == file.row_count()
    for row in rows:
        values = [file.cell(row, column) for column in OUTCOME_COLUMNS]
        if len(rows) == 1 and all(value is Missing.ABSENT for value in values):
            # The single row of a receipt for a batch refused as a whole.
            break
        paths = [table.path(row.line, column) for column in OUTCOME_COLUMNS]
        outcome = read_outcome(host, values, paths, VERDICT_LOCAL, v)
        if outcome is None:
            complete = False
        else:
            outcomes.append(outcome)

    paths = HeadPaths(
        status=table.path(first.line, "trang_thai"),
        received=table.path(first.line, "so_ban_ghi"),
        accepted=table.path(first.line, "so_chap_nhan"),
    )
    receipt = head.finish(outcomes if complete else None, paths, v)
    v.finish()
    if receipt is None:
        raise _incomplete()
    document = json.dumps(receipt.national(), ensure_ascii=False, separators=(",", ":")).encode()
    return document, len(receipt.records)


def to_local(host: Catalogue, body: bytes) -> tuple[bytes, int]:
    """Translates a `citizen-receipt` document into the registry's CSV receipt."""
    document = national.parse(body)
    v = Violations()
    root = JsonObject.at(document, "", v)
    if root is None:
        raise v.rejected()
    root.only(
        (
            "standard",
            "version",
            "receiptId",
            "status",
            "receivedAt",
            "received",
            "accepted",
            "records",
        ),
        v,
    )
    root.constant("standard", STANDARD, v)
    root.constant("version", VERSION, v)

    receipt_id = required(
        root.text("receiptId", v), lambda: root.path("receiptId"), v, checks.receipt_id
    )
    status = required(
        root.text("status", v),
        lambda: root.path("status"),
        v,
        lambda text: spelled(STATUS_NATIONAL, text),
    )
    received_at = required(
        root.text("receivedAt", v), lambda: root.path("receivedAt"), v, LocalTime.from_rfc3339
    )
    head = Head(
        receipt_id=receipt_id,
        status=status,
        received_at=received_at,
        received=root.count("received", MAX_RECORDS, v),
        accepted=root.count("accepted", MAX_RECORDS, v),
    )

    outcomes: list[Outcome] = []
    complete = True
    items = root.get("records")
    if items is None:
        v.push(root.path("records"), "required", "a receipt needs `records`, maybe empty")
    elif not isinstance(items, list):
        v.push(root.path("records"), "type", "expected an array of outcomes")
    elif len(items) > MAX_RECORDS:
        v.push(
            root.path("records"),
            "too-many",
            f"a receipt lists at most {MAX_RECORDS} records; this one has {len(items)}",
        )
    else:
        for i, item in enumerate(items):
            record = JsonObject.at(item, national.pointer("/records", str(i)), v)
            if record is None:
                complete = False
                continue
            record.only(OUTCOME_MEMBERS, v)
            values = [record.text(key, v) for key in OUTCOME_MEMBERS]
            paths = [record.path(key) for key in OUTCOME_MEMBERS]
            outcome = read_outcome(host, values, paths, VERDICT_NATIONAL, v)
            if outcome is None:
                complete = False
            else:
                outcomes.append(outcome)

    paths = HeadPaths(
        status=root.path("status"),
        received=root.path("received"),
        accepted=root.path("accepted"),
    )
    receipt = head.finish(outcomes if complete else None, paths, v)
    v.finish()
    if receipt is None:
        raise _incomplete()
    return table.write(COLUMNS.all, receipt.local_rows()), len(receipt.records)


def read_local_head(file: Table, row: Row, v: Violations) -> Head:
    """The batch columns of the registry's receipt, from its first row."""

    def value(column: str, rule: Any) -> Any:
        return required(file.cell(row, column), lambda: table.path(row.line, column), v, rule)

    receipt_id = value("ma_bien_nhan", checks.receipt_id)
    received_at = value("thoi_gian_nhan", LocalTime.parse)
    status = value("trang_thai", lambda text: spelled(STATUS_LOCAL, text))
    received = value("so_ban_ghi", checks.count)
    accepted = value("so_chap_nhan", checks.count)
    return Head(receipt_id, status, received_at, received, accepted)


def read_outcome(
    host: Catalogue,
    values: list[Raw],
    paths: list[str],
    verdicts: dict[Verdict, str],
    v: Violations,
) -> Outcome | None:
    """One outcome from its identification number, verdict and reason, in either form."""
    raw_id, raw_verdict, raw_reason = values
    id_path, verdict_path, reason_path = paths
    citizen = required(raw_id, lambda: id_path, v, lambda text: checks.citizen_id(host, text))
    verdict = required(raw_verdict, lambda: verdict_path, v, lambda text: spelled(verdicts, text))
    reason = None
    if raw_reason is Missing.ABSENT:
        if verdict is Verdict.REJECTED:
            v.push(reason_path, "required", "a refused record needs the reason for refusing it")
            return None
    elif raw_reason is Missing.REPORTED:
        return None
    else:
        try:
            reason = checks.plain_text(raw_reason, REASON_MAX)
        except Fault as fault:
            v.push(reason_path, fault.code, fault.message)
            return None
    if citizen is None or verdict is None:
        return None
    return Outcome(citizen, verdict, reason)


def _incomplete() -> Internal:
    """A receipt that recorded no violation is complete; reaching this is a bug here."""
    return Internal("a receipt without violations was incomplete")
