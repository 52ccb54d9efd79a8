"""Runs the fixtures through the translations natively, with a stand-in for the hub's
catalogue. `lgsp adapter test` runs the same fixtures through the built component."""

from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path
from types import SimpleNamespace

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "src"))

import translation  # noqa: E402


class Catalogue:
    """The few communes the fixtures name, with their provinces."""

    COMMUNES = {"00004": "01", "26734": "79"}

    def lookup(self, name: str, code: str) -> SimpleNamespace | None:
        if name == "communes" and code in self.COMMUNES:
            return SimpleNamespace(code=code, parent=self.COMMUNES[code])
        return None


def cases(folder: str) -> list[tuple[str, Path]]:
    inputs = sorted((PROJECT / "fixtures" / folder).glob("*.input.json"))
    return [(path.name.removesuffix(".input.json"), path) for path in inputs]


class Fixtures(unittest.TestCase):
    def test_translations_give_the_expected_forms(self) -> None:
        for folder, translate in (
            ("to-national", translation.to_national),
            ("to-local", translation.to_local),
        ):
            for case, path in cases(folder):
                with self.subTest(f"{folder}/{case}"):
                    out = translate(Catalogue(), path.read_bytes())
                    expected = json.loads(path.with_name(f"{case}.expected.json").read_bytes())
                    self.assertEqual(json.loads(out), expected)

    def test_refused_inputs_list_every_violation_in_order(self) -> None:
        for case, path in cases("rejected"):
            with self.subTest(case), self.assertRaises(translation.Rejected) as refused:
                translation.to_national(Catalogue(), path.read_bytes())
            expected = json.loads(path.with_name(f"{case}.expected-violations.json").read_bytes())
            self.assertEqual(
                [{"path": v.path, "code": v.code} for v in refused.exception.violations],
                [{"path": v["path"], "code": v["code"]} for v in expected],
            )

    def test_a_body_that_is_not_a_json_object_is_refused_at_body(self) -> None:
        for body in (b"\xff", b"{", b"[]"):
            with self.subTest(body), self.assertRaises(translation.Rejected) as refused:
                translation.to_national(Catalogue(), body)
            self.assertEqual([v.path for v in refused.exception.violations], ["body"])

    def test_a_body_nested_too_deep_is_refused_before_it_is_parsed(self) -> None:
        deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
        with self.assertRaises(translation.Rejected) as refused:
            translation.to_national(Catalogue(), deep)
        self.assertEqual(
            [(v.path, v.code) for v in refused.exception.violations], [("body", "depth")]
        )
        # Brackets inside strings are text, not nesting.
        self.assertFalse(translation._too_deep('{"a": "' + "[" * 500 + '"}'))
        self.assertTrue(translation._too_deep("[" * 65 + "]" * 65))
        self.assertFalse(translation._too_deep("[" * 64 + "]" * 64))


if __name__ == "__main__":
    unittest.main()
