"""Unit tests of the rules and readers, without the component's bindings: the same cases
as the Rust adapter's module tests, so that both read values the same way."""

from __future__ import annotations

import datetime as dt
import json
import sys
import unittest
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from civil_registry import checks, dates, national, receipt, record  # noqa: E402
from civil_registry.checks import Fault, Sex  # noqa: E402
from civil_registry.dates import LocalTime  # noqa: E402
from civil_registry.violations import MAX_VIOLATIONS, Rejected, Violations  # noqa: E402


class Host:
    """A catalogue with the few entries a test names."""

    def __init__(self, *entries: tuple[str, str, str | None]) -> None:
        self.entries = {
            (name, code): SimpleNamespace(parent=parent) for name, code, parent in entries
        }

    def lookup(self, name: str, code: str) -> Any:
        return self.entries.get((name, code))


HOST = Host(
    ("provinces", "01", None),
    ("provinces", "79", None),
    ("communes", "00004", "01"),
    ("communes", "00008", "01"),
)


def code_of(rule, *args) -> str | None:
    try:
        rule(*args)
    except Fault as fault:
        return fault.code
    return None


def refusal(translate, body: bytes) -> list[tuple[str, str]]:
    try:
        translate(HOST, body)
    except Rejected as rejected:
        return [(v.path, v.code) for v in rejected.violations]
    raise AssertionError("expected a rejection")


def record_document(**changes: Any) -> dict[str, Any]:
    document = {
        "citizenId": "001090001234",
        "fullName": "Nguyễn Văn An",
        "birthDate": "1990-01-31",
        "sex": "male",
        "communeCode": "00004",
        "provinceCode": "01",
        "registration": {"number": "114/2025", "date": "2025-09-12"},
    }
    document.update(changes)
    return document


class Checks(unittest.TestCase):
    def test_citizen_ids_need_twelve_digits_and_a_known_province(self) -> None:
        self.assertEqual(checks.citizen_id(HOST, "001090001234"), "001090001234")
        for bad in (
            "00109000123",
            "0010900012345",
            "00109000123a",
            "002090001234",
            "101090001234",
            "００1090001234",
        ):
            self.assertEqual(code_of(checks.citizen_id, HOST, bad), "citizen-id", bad)

    def test_the_id_encodes_century_sex_and_year(self) -> None:
        def d(year: int) -> dt.date:
            return dt.date(year, 1, 1)

        self.assertIsNone(code_of(checks.citizen_id_matches, "001090001234", Sex.MALE, d(1990)))
        self.assertIsNone(code_of(checks.citizen_id_matches, "001325001234", Sex.FEMALE, d(2025)))
        for sex, year in ((Sex.FEMALE, 1990), (Sex.MALE, 1991), (Sex.MALE, 1890)):
            self.assertEqual(
                code_of(checks.citizen_id_matches, "001090001234", sex, d(year)),
                "citizen-id-mismatch",
            )

    def test_sex_reads_every_spelling_of_nu(self) -> None:
        for text in ("Nữ", "NỮ", "nữ", "N\u01b0\u0303", "Nu\u031b\u0303"):
            self.assertIs(Sex.parse_local(text), Sex.FEMALE, text)
        self.assertIs(Sex.parse_local("NAM"), Sex.MALE)
        self.assertEqual(code_of(Sex.parse_local, "Nu"), "enum")
        self.assertEqual(code_of(Sex.parse_local, "male"), "enum")

    def test_communes_and_provinces_come_from_the_catalogue(self) -> None:
        self.assertEqual(checks.commune_code(HOST, "00004"), ("00004", "01"))
        self.assertEqual(code_of(checks.commune_code, HOST, "0004"), "format")
        self.assertEqual(code_of(checks.commune_code, HOST, "99999"), "unknown-commune")
        self.assertEqual(code_of(checks.province_code, HOST, "02"), "unknown-province")
        self.assertIsNone(code_of(checks.commune_in_province, "00004", "01", "01"))
        self.assertEqual(
            code_of(checks.commune_in_province, "00004", "01", "79"), "commune-province-mismatch"
        )

    def test_text_and_counts_have_bounds(self) -> None:
        self.assertEqual(checks.plain_text("Nguyễn Văn An", 100), "Nguyễn Văn An")
        self.assertEqual(code_of(checks.plain_text, "Nguyễn\nVăn An", 100), "format")
        self.assertEqual(code_of(checks.plain_text, "a\x85b", 100), "format")
        self.assertEqual(code_of(checks.plain_text, "ă" * 101, 100), "format")
        self.assertEqual(checks.receipt_id("BN-2026/000123"), "BN-2026/000123")
        self.assertEqual(code_of(checks.receipt_id, "-BN"), "format")
        self.assertEqual(code_of(checks.receipt_id, "BN 1"), "format")
        self.assertEqual(checks.count("1000"), 1000)
        self.assertEqual(code_of(checks.count, "1001"), "format")
        self.assertEqual(code_of(checks.count, "+1"), "format")
        self.assertEqual(code_of(checks.count, "١"), "format")

    def test_values_are_trimmed_of_unicode_white_space_only(self) -> None:
        self.assertEqual(checks.raw_text("\u3000Nam\xa0"), "Nam")
        self.assertEqual(checks.raw_text(" \t "), checks.Missing.ABSENT)
        self.assertEqual(checks.raw_text("\x1cNam"), "\x1cNam")


class Dates(unittest.TestCase):
    def test_reads_both_spellings_of_a_day(self) -> None:
        day = dt.date(1990, 1, 31)
        self.assertEqual(dates.parse_local("31/01/1990"), day)
        self.assertEqual(dates.parse_local("31/1/1990"), day)
        self.assertEqual(dates.parse_iso("1990-01-31"), day)
        self.assertEqual(dates.local(dt.date(2024, 3, 5)), "05/03/2024")

    def test_tells_a_malformed_date_from_a_day_that_does_not_exist(self) -> None:
        for text, code in (
            ("31/02/2020", "date"),
            ("29/02/2023", "date"),
            ("29/02/2024", None),
            ("29/02/1900", "date"),
            ("29/02/2000", None),
            ("01/01/0000", "date"),
            ("1990-01-31", "format"),
            ("+1/01/1990", "format"),
            ("01/01/90", "format"),
        ):
            self.assertEqual(code_of(dates.parse_local, text), code, text)
        for text, code in (
            ("1990-13-01", "date"),
            ("1990-1-31", "format"),
            ("１９９０-01-31", "format"),
        ):
            self.assertEqual(code_of(dates.parse_iso, text), code, text)

    def test_converts_instants_to_vietnam_time_and_back(self) -> None:
        self.assertEqual(
            LocalTime.from_rfc3339("2026-12-03T20:30:00Z").local(), "04/12/2026 03:30:00"
        )
        self.assertEqual(
            LocalTime.from_rfc3339("2026-12-03T10:00:00.250+07:00").rfc3339(),
            "2026-12-03T10:00:00+07:00",
        )
        self.assertEqual(
            LocalTime.parse("03/12/2026 17:00").rfc3339(), "2026-12-03T17:00:00+07:00"
        )
        # Near the ends of the calendar only the result counts, not a passage through UTC.
        self.assertEqual(
            LocalTime.from_rfc3339("0001-01-01T05:00:00+10:00").local(), "01/01/0001 02:00:00"
        )
        for text, code in (
            ("9999-12-31T23:00:00-05:00", "date"),
            ("2026-12-03T10:00:00", "format"),
            ("2026-12-03 10:00:00Z", "format"),
            ("2026-12-03T24:00:00Z", "date"),
            ("2026-12-03T10:00:00.Z", "format"),
        ):
            self.assertEqual(code_of(LocalTime.from_rfc3339, text), code, text)
        for text, code in (
            ("03/12/2026 24:00:00", "date"),
            ("03/12/2026", "format"),
            ("03/12/2026 17:00:00:00", "format"),
            ("31/11/2026 17:00", "date"),
        ):
            self.assertEqual(code_of(LocalTime.parse, text), code, text)


class National(unittest.TestCase):
    def test_pointers_escape_slash_and_tilde(self) -> None:
        self.assertEqual(national.pointer("/records/0", "a/b~c"), "/records/0/a~1b~0c")

    def test_parse_failures_are_located(self) -> None:
        def codes(body: bytes) -> list[str]:
            try:
                national.parse(body)
            except Rejected as rejected:
                return [v.code for v in rejected.violations]
            return []

        self.assertEqual(codes(b'{"a":\xff}'), ["encoding"])
        self.assertEqual(codes(b'{"a":'), ["json"])
        # What Python's json reads but the hub's parser does not.
        for body in (
            b'{"a":NaN}',
            b'{"a":1e400}',
            b'{"a":"\\ud800"}',
            b"[" * 128 + b"]" * 128,
            b"\xef\xbb\xbf{}",
        ):
            self.assertEqual(codes(body), ["json"], body[:20])
        self.assertEqual(codes(b"[" * 127 + b"]" * 127), [])
        self.assertEqual(codes(b'{"a":"\\ud83d\\ude00"}'), [])

    def test_unknown_members_come_in_the_order_of_their_names(self) -> None:
        v = Violations()
        national.JsonObject({"zeta": 1, "alpha": 2, "known": 3}, "").only(("known",), v)
        self.assertEqual([x.path for x in v.kept], ["/alpha", "/zeta"])


class Records(unittest.TestCase):
    def test_national_batches_are_checked_member_by_member(self) -> None:
        second = record_document(
            citizenId="001325004567",
            sex="female",
            birthDate="2025-08-15",
            communeCode="00008",
            registration={"number": 115, "day": "2025-08-22"},
            nickname="Bống",
        )
        third = record_document()
        del third["registration"]
        document = {
            "standard": "citizen-record",
            "version": "2.0",
            "registry": {"communeCode": "00004", "provinceCode": "79"},
            "records": [record_document(), second, third, "not a record"],
        }
        self.assertEqual(
            refusal(record.to_local, json.dumps(document).encode()),
            [
                ("/version", "standard"),
                ("/registry/communeCode", "commune-province-mismatch"),
                ("/records/1/nickname", "unknown-field"),
                ("/records/1/registration/day", "unknown-field"),
                ("/records/1/registration/number", "type"),
                ("/records/1/registration/date", "required"),
                ("/records/2/registration", "required"),
                ("/records/3", "type"),
            ],
        )

    def test_national_records_must_come_from_the_registry(self) -> None:
        other = record_document(citizenId="001090001235", communeCode="00008")
        document = {
            "standard": "citizen-record",
            "version": "1.0",
            "registry": {"communeCode": "00004", "provinceCode": "01"},
            "records": [record_document(), other, record_document()],
        }
        self.assertEqual(
            refusal(record.to_local, json.dumps(document).encode()),
            [("/records/1/communeCode", "mixed-registry"), ("/records/2/citizenId", "duplicate")],
        )

    def test_a_registry_file_has_a_header_and_known_columns(self) -> None:
        header = ",".join(record.COLUMNS.all)
        self.assertEqual(refusal(record.to_national, header.encode()), [("body", "required")])
        self.assertEqual(refusal(record.to_national, b""), [("body", "required")])
        twice = f"{header},ho_ten\n".encode()
        self.assertEqual(
            refusal(record.to_national, twice)[0], ("header, column ho_ten", "duplicate-column")
        )

    def test_rows_are_numbered_by_the_line_they_start_on(self) -> None:
        header = "so_dinh_danh,ho_ten,ngay_sinh,gioi_tinh,ma_xa,ma_tinh,so_dang_ky,ngay_dang_ky"
        good = "001090001234,A,31/01/1990,Nam,00004,01,1,12/09/2025"
        bad = '00109000123,"B\nC",31/01/1990,Nam,00004,01,2,12/09/2025'
        for end in ("\n", "\r\n", "\r"):
            body = end.join([header, good, "", bad, bad.replace("2,12", "3,12")]) + end
            with self.subTest(repr(end)):
                self.assertEqual(
                    [path for path, _ in refusal(record.to_national, body.encode())][::2],
                    ["row 4, column so_dinh_danh", "row 6, column so_dinh_danh"],
                )

    def test_columns_follow_the_fields(self) -> None:
        self.assertEqual(tuple(field.column for field in record.FIELDS), record.COLUMNS.all)
        self.assertTrue(set(record.COLUMNS.required) <= set(record.COLUMNS.all))
        members = [field.member for field in record.FIELDS if not field.in_registration]
        self.assertTrue(set(members) <= set(record.RECORD_MEMBERS))
        self.assertEqual(len(members) + 1, len(record.RECORD_MEMBERS))


class Receipts(unittest.TestCase):
    HEADER = ",".join(receipt.COLUMNS.all) + "\n"

    def test_a_registry_receipt_must_agree_with_itself(self) -> None:
        file = (
            self.HEADER
            + "BN-1,03/12/2025 17:00:00,chap_nhan,3,3,001325004567,chap_nhan,\n"
            + "BN-2,03/12/2025 17:00:00,chap_nhan,3,3,001225004568,tu_choi,Trùng số\n"
        )
        self.assertEqual(
            refusal(receipt.to_national, file.encode()),
            [
                ("row 3, column ma_bien_nhan", "inconsistent"),
                ("row 2, column so_ban_ghi", "count"),
                ("row 2, column so_chap_nhan", "count"),
            ],
        )
        file = self.HEADER + "BN-1,31/11/2025 17:00,tu_choi,2,1,,,\n"
        self.assertEqual(
            refusal(receipt.to_national, file.encode()),
            [("row 2, column thoi_gian_nhan", "date"), ("row 2, column trang_thai", "status")],
        )

    def test_a_national_receipt_must_agree_with_itself(self) -> None:
        document = {
            "standard": "citizen-receipt",
            "version": "1.0",
            "receiptId": "QG-1",
            "status": "accepted",
            "receivedAt": "2025-12-03T10:00:00Z",
            "received": 2,
            "accepted": 1,
            "records": [
                {"citizenId": "001325004567", "status": "accepted", "note": "x"},
                {"citizenId": "001225004568", "status": "rejected"},
            ],
        }
        self.assertEqual(
            refusal(receipt.to_local, json.dumps(document).encode()),
            [
                ("/records/0/note", "unknown-field"),
                ("/records/1/reason", "required"),
                ("/status", "status"),
            ],
        )
        document = {"standard": "citizen-receipt", "version": "1.0", "received": 1.5}
        self.assertEqual(
            refusal(receipt.to_local, json.dumps(document).encode()),
            [
                ("/receiptId", "required"),
                ("/status", "required"),
                ("/receivedAt", "required"),
                ("/received", "format"),
                ("/accepted", "required"),
                ("/records", "required"),
            ],
        )

    def test_status_follows_the_counts(self) -> None:
        Status = receipt.Status
        self.assertIs(Status.implied(3, 3), Status.ACCEPTED)
        self.assertIs(Status.implied(3, 2), Status.PARTIAL)
        self.assertIs(Status.implied(3, 0), Status.REJECTED)
        self.assertIs(Status.implied(0, 0), Status.REJECTED)

    def test_every_status_has_both_spellings(self) -> None:
        for status, local in receipt.STATUS_LOCAL.items():
            self.assertIs(receipt.spelled(receipt.STATUS_LOCAL, local), status)
            self.assertIs(receipt.spelled(receipt.STATUS_NATIONAL, status.value), status)
        self.assertEqual(code_of(receipt.spelled, receipt.VERDICT_LOCAL, "accepted"), "enum")


class ViolationList(unittest.TestCase):
    def test_past_the_cap_violations_are_counted_not_kept(self) -> None:
        v = Violations()
        for i in range(MAX_VIOLATIONS + 5):
            v.push(f"row {i}", "required", "missing")
        listed = v.rejected().violations
        self.assertEqual(len(listed), MAX_VIOLATIONS + 1)
        self.assertEqual(listed[-1].code, "too-many-violations")
        self.assertEqual(listed[-1].message, "5 more violations were left out")


if __name__ == "__main__":
    unittest.main()
