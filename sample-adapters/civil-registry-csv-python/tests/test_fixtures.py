"""Runs every fixture of the Rust adapter (`sample-adapters/civil-registry-csv/fixtures/`)
through this adapter natively, as the hub's integration test runs them through the
component: the same national JSON (as JSON values), the same CSV (line ends aside), the same
violation paths and codes in the same order.
"""

from __future__ import annotations

import json
import random
import tomllib
import unittest

import support
from support import CSV, JSON, PROJECT, Err, cases, context, to_local, to_national, types

REQUEST, REPLY = types.Phase.REQUEST, types.Phase.REPLY


def lines(body: bytes) -> str:
    return body.decode("utf-8").replace("\r\n", "\n")


class Fixtures(unittest.TestCase):
    def check_to_national(self, folder: str, phase: types.Phase) -> None:
        for case, path in cases(folder, "csv"):
            with self.subTest(f"{folder}/{case}"):
                message = to_national(phase, path.read_bytes())
                self.assertEqual(message.content_type, JSON)
                expected = json.loads(path.with_name(f"{case}.expected.json").read_bytes())
                self.assertEqual(json.loads(message.body), expected)

    def check_to_local(self, folder: str, phase: types.Phase) -> None:
        for case, path in cases(folder, "json"):
            with self.subTest(f"{folder}/{case}"):
                message = to_local(phase, path.read_bytes())
                self.assertEqual(message.content_type, CSV)
                expected = path.with_name(f"{case}.expected.csv").read_bytes()
                self.assertEqual(lines(message.body), lines(expected))

    def test_registry_files_become_citizen_records(self) -> None:
        self.check_to_national("to-national", REQUEST)

    def test_citizen_records_become_registry_files(self) -> None:
        self.check_to_local("to-local", REQUEST)

    def test_registry_receipts_become_citizen_receipts(self) -> None:
        self.check_to_national("reply-to-national", REPLY)

    def test_citizen_receipts_become_registry_receipts(self) -> None:
        self.check_to_local("reply-to-local", REPLY)

    def test_refused_files_list_every_violation_in_order(self) -> None:
        for case, path in cases("rejected", "csv"):
            with self.subTest(case):
                with self.assertRaises(Err) as refused:
                    to_national(REQUEST, path.read_bytes())
                error = refused.exception.value
                self.assertIsInstance(error, types.AdapterError_Rejected)
                for violation in error.value:
                    self.assertTrue(violation.message, violation)
                actual = [{"path": v.path, "code": v.code} for v in error.value]
                expected = json.loads(
                    path.with_name(f"{case}.expected-violations.json").read_bytes()
                )
                self.assertEqual(
                    actual, [{"path": v["path"], "code": v["code"]} for v in expected]
                )

    def test_batches_survive_a_round_trip(self) -> None:
        for folder, phase in (("to-national", REQUEST), ("reply-to-national", REPLY)):
            for case, path in cases(folder, "csv"):
                with self.subTest(f"{folder}/{case}"):
                    national = to_national(phase, path.read_bytes())
                    local = to_local(phase, national.body)
                    again = to_national(phase, local.body)
                    self.assertEqual(again.body, national.body)


class Messages(unittest.TestCase):
    def test_other_content_types_and_standards_are_declined(self) -> None:
        body = b"so_dinh_danh\n"
        for content_type in ("application/json", "text/csv; charset=windows-1258", "text/plain"):
            with self.subTest(content_type), self.assertRaises(Err) as declined:
                to_national(REQUEST, body, content_type)
            self.assertIsInstance(declined.exception.value, types.AdapterError_Unsupported)
        for content_type in ("TEXT/CSV", 'text/csv;charset="UTF-8"'):
            with self.subTest(content_type), self.assertRaises(Err) as refused:
                to_national(REQUEST, body, content_type)
            self.assertIsInstance(refused.exception.value, types.AdapterError_Rejected)
        with self.assertRaises(Err) as declined:
            to_local(REQUEST, b"{}", CSV)
        self.assertIsInstance(declined.exception.value, types.AdapterError_Unsupported)

        cx = context(REQUEST, standard="edxml@2.0")
        with self.assertRaises(Err) as declined:
            support.adapter().to_local(cx, types.Message(JSON, [], b"{}"))
        self.assertIsInstance(declined.exception.value, types.AdapterError_Unsupported)

    def test_metadata_travels_with_the_message(self) -> None:
        _, path = cases("to-national", "csv")[0]
        message = types.Message(CSV, [("so-cong-van", "125/UBND-TP")], path.read_bytes())
        out = support.adapter().to_national(context(REQUEST), message)
        self.assertEqual(out.metadata, [("so-cong-van", "125/UBND-TP")])

    def test_the_catalogue_is_asked_and_the_outcome_logged(self) -> None:
        host = support.MockHost(support.HOST.entries)
        _, path = cases("to-national", "csv")[0]
        support.adapter(host).to_national(
            context(REQUEST), types.Message(CSV, [], path.read_bytes())
        )
        self.assertGreater(host.lookups, 0)
        level, message, fields = host.lines[-1]
        self.assertEqual((level, message), (support.log.Level.DEBUG, "translated message"))
        self.assertEqual(dict(fields)["direction"], "to-national")

        _, path = cases("rejected", "csv")[0]
        with self.assertRaises(Err):
            support.adapter(host).to_national(
                context(REQUEST), types.Message(CSV, [], path.read_bytes())
            )
        level, message, fields = host.lines[-1]
        self.assertEqual((level, message), (support.log.Level.INFO, "refused message"))

    def test_describe_names_both_standards(self) -> None:
        description = support.adapter().describe()
        project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
        self.assertEqual(description.name, "civil-registry-csv-python")
        self.assertEqual(description.name, project["project"]["name"])
        self.assertEqual(description.version, project["project"]["version"])
        self.assertEqual(description.standards, ["citizen-record@1.0", "citizen-receipt@1.0"])
        self.assertEqual(description.services, [])


class DamagedInputs(unittest.TestCase):
    def test_damaged_inputs_are_answered_never_failed(self) -> None:
        """Truncates and corrupts every fixture input and runs the results through every
        translation: each must give a message or one of the contract's refusals, and never
        `internal`, which here would mean a bug."""
        inputs = [
            path.read_bytes()
            for folder, ext in (
                ("to-national", "csv"),
                ("to-local", "json"),
                ("reply-to-national", "csv"),
                ("reply-to-local", "json"),
                ("rejected", "csv"),
            )
            for _, path in cases(folder, ext)
        ]
        noise = b'",;\n\r\xff\xc3{}0 /'
        rng = random.Random(20250701)
        for original in inputs:
            damaged = [original[:n] for n in range(0, len(original), 5)]
            for _ in range(60):
                copy = bytearray(original)
                for _ in range(rng.randint(1, 3)):
                    at = rng.randrange(max(len(copy), 1))
                    byte = noise[rng.randrange(len(noise))]
                    kind = rng.randrange(3)
                    if kind == 0 and copy:
                        copy[at] = byte
                    elif kind == 1 and copy:
                        del copy[at]
                    else:
                        copy.insert(min(at, len(copy)), byte)
                damaged.append(bytes(copy))
            for body in damaged:
                for phase in (REQUEST, REPLY):
                    for translate in (to_national, to_local):
                        try:
                            translate(phase, body)
                        except Err as declined:
                            self.assertNotIsInstance(
                                declined.value,
                                types.AdapterError_Internal,
                                body,
                            )


if __name__ == "__main__":
    unittest.main()
