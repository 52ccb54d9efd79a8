"""Batches of birth registrations: the registry's CSV file and the `citizen-record` standard,
and the translation between them in both directions.

Both readers feed the same `read_record`, so a rule is written once and breaks with the same
code whichever side wrote the value; only the spelling of dates and of the sex differs
between the forms. A batch comes from one registry: the CSV file has no place for the
registry, so it is the commune of its records, which must therefore all agree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import checks, dates, national, table
from .checks import MAX_RECORDS, Catalogue, Fault, Missing, Raw, Sex, required
from .national import JsonObject
from .table import Columns, Row, Table
from .violations import Internal, Violations

#: The standard's id and the version this module reads and writes.
STANDARD = "citizen-record"
VERSION = "1.0"

#: The registry's columns, in the order this adapter writes them.
COLUMNS = Columns(
    all=(
        "so_dinh_danh",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "dan_toc",
        "ma_xa",
        "ma_tinh",
        "so_dang_ky",
        "ngay_dang_ky",
        "ho_ten_cha",
        "ho_ten_me",
    ),
    required=(
        "so_dinh_danh",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "ma_xa",
        "ma_tinh",
        "so_dang_ky",
        "ngay_dang_ky",
    ),
)

#: Longest name, ethnic group and register number, as in the schema.
NAME_MAX = 100
ETHNICITY_MAX = 50
NUMBER_MAX = 30

#: The members of a record, and of its registration, that the standard defines.
RECORD_MEMBERS = (
    "citizenId",
    "fullName",
    "birthDate",
    "sex",
    "ethnicity",
    "communeCode",
    "provinceCode",
    "registration",
    "fatherName",
    "motherName",
)
REGISTRATION_MEMBERS = ("number", "date")

T = TypeVar("T")


@dataclass(frozen=True)
class Field:
    """One value of a record, named in both forms."""

    #: The CSV column.
    column: str
    #: The JSON member.
    member: str
    #: Whether that member sits inside `registration`.
    in_registration: bool = False


CITIZEN_ID = Field("so_dinh_danh", "citizenId")
FULL_NAME = Field("ho_ten", "fullName")
BIRTH_DATE = Field("ngay_sinh", "birthDate")
SEX = Field("gioi_tinh", "sex")
ETHNICITY = Field("dan_toc", "ethnicity")
COMMUNE_CODE = Field("ma_xa", "communeCode")
PROVINCE_CODE = Field("ma_tinh", "provinceCode")
REGISTRATION_NUMBER = Field("so_dang_ky", "number", in_registration=True)
REGISTRATION_DATE = Field("ngay_dang_ky", "date", in_registration=True)
FATHER_NAME = Field("ho_ten_cha", "fatherName")
MOTHER_NAME = Field("ho_ten_me", "motherName")

#: Every field, in the order of the registry's columns.
FIELDS = (
    CITIZEN_ID,
    FULL_NAME,
    BIRTH_DATE,
    SEX,
    ETHNICITY,
    COMMUNE_CODE,
    PROVINCE_CODE,
    REGISTRATION_NUMBER,
    REGISTRATION_DATE,
    FATHER_NAME,
    MOTHER_NAME,
)


@dataclass(frozen=True)
class Registry:
    """The commune civil registry that registered a batch."""

    commune_code: str
    province_code: str

    def national(self) -> dict[str, str]:
        return {"communeCode": self.commune_code, "provinceCode": self.province_code}


@dataclass(frozen=True)
class BirthRecord:
    """One birth registration, every value checked."""

    citizen_id: str
    full_name: str
    birth_date: dt.date
    sex: Sex
    ethnicity: str | None
    commune_code: str
    province_code: str
    registration_number: str
    registration_date: dt.date
    father_name: str | None
    mother_name: str | None

    def national(self) -> dict[str, Any]:
        """The record in the standard's shape; absent optional members are left out."""
        document: dict[str, Any] = {
            "citizenId": self.citizen_id,
            "fullName": self.full_name,
            "birthDate": self.birth_date.isoformat(),
            "sex": self.sex.value,
            "ethnicity": self.ethnicity,
            "communeCode": self.commune_code,
            "provinceCode": self.province_code,
            "registration": {
                "number": self.registration_number,
                "date": self.registration_date.isoformat(),
            },
            "fatherName": self.father_name,
            "motherName": self.mother_name,
        }
        return {key: value for key, value in document.items() if value is not None}

    def local_row(self) -> list[str]:
        """The record as a CSV row, in the order of `COLUMNS`."""
        return [
            self.citizen_id,
            self.full_name,
            dates.local(self.birth_date),
            self.sex.local(),
            self.ethnicity or "",
            self.commune_code,
            self.province_code,
            self.registration_number,
            dates.local(self.registration_date),
            self.father_name or "",
            self.mother_name or "",
        ]


def to_national(host: Catalogue, body: bytes) -> tuple[bytes, int]:
    """Translates the registry's CSV file into a `citizen-record` document."""
    v = Violations()
    batch = BatchRules(None)
    records: list[BirthRecord] = []
    file = Table.read(body, COLUMNS, v)
    if file is not None:

        def visit(row: Row, v: Violations) -> None:
            record = read_record(host, CsvRecord(file, row), batch, v)
            if record is not None:
                records.append(record)

        file.each_row(v, visit)
    v.finish()

    if batch.registry is None:
        raise Internal("a batch without violations had no registry")
    document = {
        "standard": STANDARD,
        "version": VERSION,
        "registry": batch.registry.national(),
        "records": [record.national() for record in records],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), len(records)


def to_local(host: Catalogue, body: bytes) -> tuple[bytes, int]:
    """Translates a `citizen-record` document into the registry's CSV file."""
    document = national.parse(body)
    v = Violations()
    root = JsonObject.at(document, "", v)
    if root is None:
        raise v.rejected()
    root.only(("standard", "version", "registry", "records"), v)
    root.constant("standard", STANDARD, v)
    root.constant("version", VERSION, v)

    batch = BatchRules(read_registry(host, root, v))
    records: list[BirthRecord] = []
    items = root.get("records")
    if items is None:
        v.push(root.path("records"), "required", "a batch needs `records`")
    elif not isinstance(items, list):
        v.push(root.path("records"), "type", "expected an array of records")
    elif not items:
        v.push(root.path("records"), "required", "a batch needs at least one record")
    elif len(items) > MAX_RECORDS:
        v.push(
            root.path("records"),
            "too-many",
            f"a batch holds at most {MAX_RECORDS} records; this one has {len(items)}",
        )
    else:
        for i, item in enumerate(items):
            source = JsonRecord.read(item, national.pointer("/records", str(i)), v)
            if source is not None:
                record = read_record(host, source, batch, v)
                if record is not None:
                    records.append(record)
    v.finish()

    rows = [record.local_row() for record in records]
    return table.write(COLUMNS.all, rows), len(records)


def read_registry(host: Catalogue, root: JsonObject, v: Violations) -> Registry | None:
    """The national document's `registry`, if it is usable."""
    value = root.get("registry")
    if value is None:
        v.push(root.path("registry"), "required", "a batch needs `registry`")
        return None
    registry = JsonObject.at(value, root.path("registry"), v)
    if registry is None:
        return None
    registry.only(("communeCode", "provinceCode"), v)
    commune = required(
        registry.text("communeCode", v),
        lambda: registry.path("communeCode"),
        v,
        lambda text: checks.commune_code(host, text),
    )
    province = required(
        registry.text("provinceCode", v),
        lambda: registry.path("provinceCode"),
        v,
        lambda text: checks.province_code(host, text),
    )
    if commune is None or province is None:
        return None
    code, parent = commune
    try:
        checks.commune_in_province(code, parent, province)
    except Fault as fault:
        v.push(registry.path("communeCode"), fault.code, fault.message)
        return None
    return Registry(code, province)


class Source(Protocol):
    """Where one record's values come from, and how that form spells them."""

    def raw(self, field: Field, v: Violations) -> Raw:
        """The value of `field` as written."""

    def path(self, field: Field) -> str:
        """Where `field` is, for a violation."""

    def date(self, text: str) -> dt.date:
        """Reads a date in this form's spelling."""

    def sex(self, text: str) -> Sex:
        """Reads a sex in this form's spelling."""

    def spell(self, date: dt.date) -> str:
        """Writes a date in this form's spelling, for a message."""


@dataclass(frozen=True)
class CsvRecord:
    """A data row of the registry's file."""

    file: Table
    row: Row

    def raw(self, field: Field, v: Violations) -> Raw:
        return self.file.cell(self.row, field.column)

    def path(self, field: Field) -> str:
        return table.path(self.row.line, field.column)

    def date(self, text: str) -> dt.date:
        return dates.parse_local(text)

    def sex(self, text: str) -> Sex:
        return Sex.parse_local(text)

    def spell(self, date: dt.date) -> str:
        return dates.local(date)


@dataclass
class JsonRecord:
    """One member of a national document's `records`."""

    record: JsonObject
    #: `None` once a missing or malformed `registration` has been reported.
    registration: JsonObject | None

    @classmethod
    def read(cls, value: Any, path: str, v: Violations) -> JsonRecord | None:
        record = JsonObject.at(value, path, v)
        if record is None:
            return None
        record.only(RECORD_MEMBERS, v)
        registration = None
        inner = record.get("registration")
        if inner is None:
            message = "a record needs `registration` with its number and date"
            v.push(record.path("registration"), "required", message)
        else:
            registration = JsonObject.at(inner, record.path("registration"), v)
        if registration is not None:
            registration.only(REGISTRATION_MEMBERS, v)
        return cls(record, registration)

    def raw(self, field: Field, v: Violations) -> Raw:
        if not field.in_registration:
            return self.record.text(field.member, v)
        if self.registration is None:
            return Missing.REPORTED
        return self.registration.text(field.member, v)

    def path(self, field: Field) -> str:
        if field.in_registration:
            return national.pointer(self.record.path("registration"), field.member)
        return self.record.path(field.member)

    def date(self, text: str) -> dt.date:
        return dates.parse_iso(text)

    def sex(self, text: str) -> Sex:
        return Sex.parse_national(text)

    def spell(self, date: dt.date) -> str:
        return date.isoformat()


class BatchRules:
    """The rules that span records: one registry per batch, each person once."""

    def __init__(self, registry: Registry | None) -> None:
        #: The registry every record must name: given by a national document, taken from
        #: the first record of a CSV file.
        self.registry = registry
        #: Whether the registry came from the document rather than from a record.
        self.registry_given = registry is not None
        #: Where each identification number was first seen.
        self.seen: dict[str, str] = {}

    def admit(self, record: BirthRecord, source: Source, v: Violations) -> None:
        id_path = source.path(CITIZEN_ID)
        first = self.seen.get(record.citizen_id)
        if first is not None:
            v.push(id_path, "duplicate", f"`{record.citizen_id}` already appears at {first}")
        else:
            self.seen[record.citizen_id] = id_path

        if self.registry is None:
            self.registry = Registry(record.commune_code, record.province_code)
        if self.registry.commune_code != record.commune_code:
            origin = "the batch's registry" if self.registry_given else "the first record"
            v.push(
                source.path(COMMUNE_CODE),
                "mixed-registry",
                "every record of a batch must be registered by one commune: "
                f"{origin} names {self.registry.commune_code}",
            )


def read_record(
    host: Catalogue, src: Source, batch: BatchRules, v: Violations
) -> BirthRecord | None:
    """Reads and checks one record, recording every violation; `None` if it has any."""
    before = len(v)
    citizen = need(src, CITIZEN_ID, v, lambda t: checks.citizen_id(host, t))
    name = need(src, FULL_NAME, v, lambda t: checks.plain_text(t, NAME_MAX))
    birth = need(src, BIRTH_DATE, v, src.date)
    sex = need(src, SEX, v, src.sex)
    ethnicity = optional(src, ETHNICITY, ETHNICITY_MAX, v)
    commune = need(src, COMMUNE_CODE, v, lambda t: checks.commune_code(host, t))
    province = need(src, PROVINCE_CODE, v, lambda t: checks.province_code(host, t))
    number = need(src, REGISTRATION_NUMBER, v, lambda t: checks.plain_text(t, NUMBER_MAX))
    registered = need(src, REGISTRATION_DATE, v, src.date)
    father = optional(src, FATHER_NAME, NAME_MAX, v)
    mother = optional(src, MOTHER_NAME, NAME_MAX, v)

    # Rules between values, once each value is known to be good on its own.
    if commune is not None and province is not None:
        try:
            checks.commune_in_province(commune[0], commune[1], province)
        except Fault as fault:
            v.push(src.path(COMMUNE_CODE), fault.code, fault.message)
    if citizen is not None and sex is not None and birth is not None:
        try:
            checks.citizen_id_matches(citizen, sex, birth)
        except Fault as fault:
            v.push(src.path(CITIZEN_ID), fault.code, fault.message)
    if birth is not None and registered is not None and registered < birth:
        v.push(
            src.path(REGISTRATION_DATE),
            "date-order",
            f"the birth was registered ({src.spell(registered)}) before it happened "
            f"({src.spell(birth)})",
        )

    values = (citizen, name, birth, sex, commune, province, number, registered)
    if any(value is None for value in values):
        return None
    record = BirthRecord(
        citizen_id=citizen,
        full_name=name,
        birth_date=birth,
        sex=sex,
        ethnicity=ethnicity,
        commune_code=commune[0],
        province_code=province,
        registration_number=number,
        registration_date=registered,
        father_name=father,
        mother_name=mother,
    )
    batch.admit(record, src, v)
    return record if len(v) == before else None


def need(src: Source, field: Field, v: Violations, rule: Callable[[str], T]) -> T | None:
    """The value of `field` through `rule`, which must be there."""
    return required(src.raw(field, v), lambda: src.path(field), v, rule)


def optional(src: Source, field: Field, limit: int, v: Violations) -> str | None:
    """An optional line of text; `None` when absent, or when wrong after recording why."""
    raw = src.raw(field, v)
    if isinstance(raw, Missing):
        return None
    try:
        return checks.plain_text(raw, limit)
    except Fault as fault:
        v.push(src.path(field), fault.code, fault.message)
        return None
