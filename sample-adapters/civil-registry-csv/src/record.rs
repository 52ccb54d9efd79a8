//! Batches of birth registrations: the registry's CSV file and the `citizen-record` standard,
//! and the translation between them in both directions.
//!
//! Both readers feed the same [`read_record`], so a rule is written once and breaks with the
//! same code whichever side wrote the value; only the spelling of dates and of the sex differs
//! between the forms. A batch comes from one registry: the CSV file has no place for the
//! registry, so it is the commune of its records, which must therefore all agree.

use std::collections::HashMap;

use lgsp_guest::{AdapterError, Host, Violations};
use serde::Serialize;
use serde_json::Value;

use crate::checks::{self, Fault, MAX_RECORDS, Raw, Sex, push, required};
use crate::date::Date;
use crate::json::{self, Object};
use crate::table::{self, Columns, Row, Table};

/// The standard's id.
pub const STANDARD: &str = "citizen-record";
/// The version of the standard this module reads and writes.
pub const VERSION: &str = "1.0";

/// The registry's columns, in the order this adapter writes them.
pub const COLUMNS: Columns = Columns {
    all: &[
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
    ],
    required: &[
        "so_dinh_danh",
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "ma_xa",
        "ma_tinh",
        "so_dang_ky",
        "ngay_dang_ky",
    ],
};

/// Longest name, ethnic group and register number, as in the schema.
const NAME_MAX: usize = 100;
const ETHNICITY_MAX: usize = 50;
const NUMBER_MAX: usize = 30;

/// The members of a record, and of its registration, that the standard defines.
const RECORD_MEMBERS: &[&str] = &[
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
];
const REGISTRATION_MEMBERS: &[&str] = &["number", "date"];

/// One value of a record, named in both forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    CitizenId,
    FullName,
    BirthDate,
    Sex,
    Ethnicity,
    CommuneCode,
    ProvinceCode,
    RegistrationNumber,
    RegistrationDate,
    FatherName,
    MotherName,
}

impl Field {
    /// The CSV column.
    fn column(self) -> &'static str {
        match self {
            Self::CitizenId => "so_dinh_danh",
            Self::FullName => "ho_ten",
            Self::BirthDate => "ngay_sinh",
            Self::Sex => "gioi_tinh",
            Self::Ethnicity => "dan_toc",
            Self::CommuneCode => "ma_xa",
            Self::ProvinceCode => "ma_tinh",
            Self::RegistrationNumber => "so_dang_ky",
            Self::RegistrationDate => "ngay_dang_ky",
            Self::FatherName => "ho_ten_cha",
            Self::MotherName => "ho_ten_me",
        }
    }

    /// The JSON member, and whether it sits inside `registration`.
    fn member(self) -> (&'static str, bool) {
        match self {
            Self::CitizenId => ("citizenId", false),
            Self::FullName => ("fullName", false),
            Self::BirthDate => ("birthDate", false),
            Self::Sex => ("sex", false),
            Self::Ethnicity => ("ethnicity", false),
            Self::CommuneCode => ("communeCode", false),
            Self::ProvinceCode => ("provinceCode", false),
            Self::RegistrationNumber => ("number", true),
            Self::RegistrationDate => ("date", true),
            Self::FatherName => ("fatherName", false),
            Self::MotherName => ("motherName", false),
        }
    }
}

/// One birth registration, every value checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct BirthRecord {
    citizen_id: String,
    full_name: String,
    birth_date: Date,
    sex: Sex,
    #[serde(skip_serializing_if = "Option::is_none")]
    ethnicity: Option<String>,
    commune_code: String,
    province_code: String,
    registration: Registration,
    #[serde(skip_serializing_if = "Option::is_none")]
    father_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mother_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Registration {
    number: String,
    date: Date,
}

/// The commune civil registry that registered a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Registry {
    commune_code: String,
    province_code: String,
}

/// A batch in the standard's shape.
#[derive(Serialize)]
struct Batch<'a> {
    standard: &'static str,
    version: &'static str,
    registry: &'a Registry,
    records: &'a [BirthRecord],
}

impl BirthRecord {
    /// The record as a CSV row, in the order of [`COLUMNS`].
    fn local_row(&self) -> Vec<String> {
        let or_empty = |value: &Option<String>| value.clone().unwrap_or_default();
        vec![
            self.citizen_id.clone(),
            self.full_name.clone(),
            self.birth_date.local(),
            self.sex.local().to_owned(),
            or_empty(&self.ethnicity),
            self.commune_code.clone(),
            self.province_code.clone(),
            self.registration.number.clone(),
            self.registration.date.local(),
            or_empty(&self.father_name),
            or_empty(&self.mother_name),
        ]
    }
}

/// Translates the registry's CSV file into a `citizen-record` document.
pub fn to_national(host: &dyn Host, body: &[u8]) -> Result<(Vec<u8>, usize), AdapterError> {
    let mut v = Violations::new();
    let mut batch = BatchRules::new(None);
    let mut records = Vec::new();
    if let Some(table) = Table::read(body, &COLUMNS, &mut v) {
        table.each_row(&mut v, |row, v| {
            let source = CsvRecord {
                table: &table,
                row: &row,
            };
            records.extend(read_record(host, &source, &mut batch, v));
        });
    }
    v.finish(())?;

    let registry = batch.registry.ok_or_else(|| {
        AdapterError::Internal("a batch without violations had no registry".to_owned())
    })?;
    let document = Batch {
        standard: STANDARD,
        version: VERSION,
        registry: &registry,
        records: &records,
    };
    let body = serde_json::to_vec(&document)
        .map_err(|err| AdapterError::Internal(format!("failed to write JSON: {err}")))?;
    Ok((body, records.len()))
}

/// Translates a `citizen-record` document into the registry's CSV file.
pub fn to_local(host: &dyn Host, body: &[u8]) -> Result<(Vec<u8>, usize), AdapterError> {
    let document = json::parse(body)?;
    let mut v = Violations::new();
    let Some(root) = Object::at(&document, String::new(), &mut v) else {
        return Err(v.into());
    };
    root.only(&["standard", "version", "registry", "records"], &mut v);
    root.constant("standard", STANDARD, &mut v);
    root.constant("version", VERSION, &mut v);

    let registry = read_registry(host, &root, &mut v);
    let mut batch = BatchRules::new(registry);
    let mut records = Vec::new();
    match root.get("records") {
        None => v.push(root.path("records"), "required", "a batch needs `records`"),
        Some(Value::Array(items)) if items.is_empty() => {
            v.push(
                root.path("records"),
                "required",
                "a batch needs at least one record",
            );
        }
        Some(Value::Array(items)) if items.len() > MAX_RECORDS => v.push(
            root.path("records"),
            "too-many",
            format!(
                "a batch holds at most {MAX_RECORDS} records; this one has {}",
                items.len()
            ),
        ),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = json::pointer("/records", &i.to_string());
                if let Some(source) = JsonRecord::new(item, path, &mut v) {
                    records.extend(read_record(host, &source, &mut batch, &mut v));
                }
            }
        }
        Some(_) => v.push(root.path("records"), "type", "expected an array of records"),
    }
    v.finish(())?;

    let count = records.len();
    let body = table::write(COLUMNS.all, records.iter().map(BirthRecord::local_row))?;
    Ok((body, count))
}

/// The national document's `registry`, if it is usable.
fn read_registry(host: &dyn Host, root: &Object<'_>, v: &mut Violations) -> Option<Registry> {
    let Some(value) = root.get("registry") else {
        v.push(
            root.path("registry"),
            "required",
            "a batch needs `registry`",
        );
        return None;
    };
    let registry = Object::at(value, root.path("registry"), v)?;
    registry.only(&["communeCode", "provinceCode"], v);
    let commune = required(
        registry.text("communeCode", v),
        || registry.path("communeCode"),
        v,
        |t| checks::commune_code(host, t),
    );
    let province = required(
        registry.text("provinceCode", v),
        || registry.path("provinceCode"),
        v,
        |t| checks::province_code(host, t),
    );
    let ((commune, parent), province) = (commune?, province?);
    if let Err(fault) = checks::commune_in_province(&commune, parent.as_deref(), &province) {
        push(v, registry.path("communeCode"), fault);
        return None;
    }
    Some(Registry {
        commune_code: commune,
        province_code: province,
    })
}

/// Where one record's values come from, and how that form spells them.
trait Source {
    /// The value of `field` as written.
    fn raw(&self, field: Field, v: &mut Violations) -> Raw<'_>;
    /// Where `field` is, for a violation.
    fn path(&self, field: Field) -> String;
    /// Reads a date in this form's spelling.
    fn date(&self, text: &str) -> Result<Date, Fault>;
    /// Reads a sex in this form's spelling.
    fn sex(&self, text: &str) -> Result<Sex, Fault>;
    /// Writes a date in this form's spelling, for a message.
    fn spell(&self, date: Date) -> String;
}

/// A data row of the registry's file.
struct CsvRecord<'a> {
    table: &'a Table,
    row: &'a Row,
}

impl Source for CsvRecord<'_> {
    fn raw(&self, field: Field, _: &mut Violations) -> Raw<'_> {
        self.table.cell(self.row, field.column())
    }

    fn path(&self, field: Field) -> String {
        table::path(self.row.line, field.column())
    }

    fn date(&self, text: &str) -> Result<Date, Fault> {
        Date::parse_local(text)
    }

    fn sex(&self, text: &str) -> Result<Sex, Fault> {
        Sex::parse_local(text)
    }

    fn spell(&self, date: Date) -> String {
        date.local()
    }
}

/// One member of a national document's `records`.
struct JsonRecord<'a> {
    record: Object<'a>,
    /// `None` once a missing or malformed `registration` has been reported.
    registration: Option<Object<'a>>,
}

impl<'a> JsonRecord<'a> {
    fn new(value: &'a Value, path: String, v: &mut Violations) -> Option<Self> {
        let record = Object::at(value, path, v)?;
        record.only(RECORD_MEMBERS, v);
        let registration = match record.get("registration") {
            None => {
                let message = "a record needs `registration` with its number and date";
                v.push(record.path("registration"), "required", message);
                None
            }
            Some(value) => Object::at(value, record.path("registration"), v),
        };
        if let Some(registration) = &registration {
            registration.only(REGISTRATION_MEMBERS, v);
        }
        Some(Self {
            record,
            registration,
        })
    }
}

impl Source for JsonRecord<'_> {
    fn raw(&self, field: Field, v: &mut Violations) -> Raw<'_> {
        match (field.member(), &self.registration) {
            ((key, false), _) => self.record.text(key, v),
            ((key, true), Some(registration)) => registration.text(key, v),
            ((_, true), None) => Raw::Reported,
        }
    }

    fn path(&self, field: Field) -> String {
        match field.member() {
            (key, false) => self.record.path(key),
            (key, true) => json::pointer(&self.record.path("registration"), key),
        }
    }

    fn date(&self, text: &str) -> Result<Date, Fault> {
        Date::parse_iso(text)
    }

    fn sex(&self, text: &str) -> Result<Sex, Fault> {
        Sex::parse_national(text)
    }

    fn spell(&self, date: Date) -> String {
        date.to_string()
    }
}

/// The rules that span records: one registry per batch, each person once.
struct BatchRules {
    /// The registry every record must name: given by a national document, taken from the
    /// first record of a CSV file.
    registry: Option<Registry>,
    /// Whether the registry came from the document rather than from a record.
    registry_given: bool,
    /// Where each identification number was first seen.
    seen: HashMap<String, String>,
}

impl BatchRules {
    fn new(registry: Option<Registry>) -> Self {
        Self {
            registry_given: registry.is_some(),
            registry,
            seen: HashMap::new(),
        }
    }

    fn admit(&mut self, record: &BirthRecord, source: &impl Source, v: &mut Violations) {
        let id_path = source.path(Field::CitizenId);
        if let Some(first) = self.seen.get(&record.citizen_id) {
            let message = format!("`{}` already appears at {first}", record.citizen_id);
            v.push(id_path, "duplicate", message);
        } else {
            self.seen.insert(record.citizen_id.clone(), id_path);
        }

        let registry = self.registry.get_or_insert_with(|| Registry {
            commune_code: record.commune_code.clone(),
            province_code: record.province_code.clone(),
        });
        if registry.commune_code != record.commune_code {
            let origin = if self.registry_given {
                "the batch's registry"
            } else {
                "the first record"
            };
            v.push(
                source.path(Field::CommuneCode),
                "mixed-registry",
                format!(
                    "every record of a batch must be registered by one commune: {} names {}",
                    origin, registry.commune_code
                ),
            );
        }
    }
}

/// Reads and checks one record, recording every violation; `None` if it has any.
fn read_record(
    host: &dyn Host,
    src: &impl Source,
    batch: &mut BatchRules,
    v: &mut Violations,
) -> Option<BirthRecord> {
    let before = v.as_slice().len();
    let id = need(src, Field::CitizenId, v, |t| checks::citizen_id(host, t));
    let name = need(src, Field::FullName, v, |t| checks::plain_text(t, NAME_MAX));
    let birth = need(src, Field::BirthDate, v, |t| src.date(t));
    let sex = need(src, Field::Sex, v, |t| src.sex(t));
    let ethnicity = optional(src, Field::Ethnicity, ETHNICITY_MAX, v);
    let commune = need(src, Field::CommuneCode, v, |t| {
        checks::commune_code(host, t)
    });
    let province = need(src, Field::ProvinceCode, v, |t| {
        checks::province_code(host, t)
    });
    let number = need(src, Field::RegistrationNumber, v, |t| {
        checks::plain_text(t, NUMBER_MAX)
    });
    let registered = need(src, Field::RegistrationDate, v, |t| src.date(t));
    let father = optional(src, Field::FatherName, NAME_MAX, v);
    let mother = optional(src, Field::MotherName, NAME_MAX, v);

    // Rules between values, once each value is known to be good on its own.
    if let (Some((commune, parent)), Some(province)) = (&commune, &province) {
        let check = checks::commune_in_province(commune, parent.as_deref(), province);
        if let Err(fault) = check {
            push(v, src.path(Field::CommuneCode), fault);
        }
    }
    if let (Some(id), Some(sex), Some(birth)) = (&id, sex, birth)
        && let Err(fault) = checks::citizen_id_matches(id, sex, birth)
    {
        push(v, src.path(Field::CitizenId), fault);
    }
    if let (Some(birth), Some(registered)) = (birth, registered)
        && registered < birth
    {
        let message = format!(
            "the birth was registered ({}) before it happened ({})",
            src.spell(registered),
            src.spell(birth)
        );
        v.push(src.path(Field::RegistrationDate), "date-order", message);
    }

    let (Some(id), Some(name), Some(birth), Some(sex), Some((commune, _)), Some(province)) =
        (id, name, birth, sex, commune, province)
    else {
        return None;
    };
    let (Some(number), Some(registered)) = (number, registered) else {
        return None;
    };
    let record = BirthRecord {
        citizen_id: id,
        full_name: name,
        birth_date: birth,
        sex,
        ethnicity: ethnicity.flatten(),
        commune_code: commune,
        province_code: province,
        registration: Registration {
            number,
            date: registered,
        },
        father_name: father.flatten(),
        mother_name: mother.flatten(),
    };
    batch.admit(&record, src, v);
    (v.as_slice().len() == before).then_some(record)
}

/// The value of `field` through `rule`, which must be there.
fn need<T>(
    src: &impl Source,
    field: Field,
    v: &mut Violations,
    rule: impl FnOnce(&str) -> Result<T, Fault>,
) -> Option<T> {
    let raw = src.raw(field, v);
    required(raw, || src.path(field), v, rule)
}

/// An optional line of text: `Some(None)` when absent, `None` when present but wrong.
fn optional(
    src: &impl Source,
    field: Field,
    max: usize,
    v: &mut Violations,
) -> Option<Option<String>> {
    match src.raw(field, v) {
        Raw::Absent => Some(None),
        Raw::Text(text) => match checks::plain_text(text, max) {
            Ok(text) => Some(Some(text)),
            Err(fault) => {
                push(v, src.path(field), fault);
                None
            }
        },
        Raw::Reported => None,
    }
}

#[cfg(test)]
mod tests {
    use lgsp_guest::testing::MockHost;
    use serde_json::json;

    use super::*;

    fn host() -> MockHost {
        MockHost::new()
            .with_entry("provinces", "01", "Thành phố Hà Nội", None)
            .with_entry("provinces", "79", "Thành phố Hồ Chí Minh", None)
            .with_entry("communes", "00004", "Phường Ba Đình", Some("01"))
            .with_entry("communes", "00008", "Phường Ngọc Hà", Some("01"))
    }

    fn refusal(result: Result<(Vec<u8>, usize), AdapterError>) -> Vec<(String, String)> {
        match result {
            Err(AdapterError::Rejected(v)) => v.into_iter().map(|v| (v.path, v.code)).collect(),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn record() -> Value {
        json!({
            "citizenId": "001090001234",
            "fullName": "Nguyễn Văn An",
            "birthDate": "1990-01-31",
            "sex": "male",
            "communeCode": "00004",
            "provinceCode": "01",
            "registration": { "number": "114/2025", "date": "2025-09-12" }
        })
    }

    #[test]
    fn national_batches_are_checked_member_by_member() {
        let mut second = record();
        second["citizenId"] = json!("001325004567");
        second["sex"] = json!("female");
        second["birthDate"] = json!("2025-08-15");
        second["communeCode"] = json!("00008");
        second["registration"] = json!({ "number": 115, "day": "2025-08-22" });
        second["nickname"] = json!("Bống");
        let mut third = record();
        third.as_object_mut().map(|r| r.remove("registration"));
        let document = json!({
            "standard": "citizen-record",
            "version": "2.0",
            "registry": { "communeCode": "00004", "provinceCode": "79" },
            "records": [record(), second, third, "not a record"]
        });
        let body = serde_json::to_vec(&document).unwrap_or_default();
        let expected = [
            ("/version", "standard"),
            ("/registry/communeCode", "commune-province-mismatch"),
            ("/records/1/nickname", "unknown-field"),
            ("/records/1/registration/day", "unknown-field"),
            ("/records/1/registration/number", "type"),
            ("/records/1/registration/date", "required"),
            ("/records/2/registration", "required"),
            ("/records/3", "type"),
        ];
        let expected: Vec<_> = expected.map(|(p, c)| (p.to_owned(), c.to_owned())).into();
        assert_eq!(refusal(to_local(&host(), &body)), expected);
    }

    #[test]
    fn national_records_must_come_from_the_registry() {
        let mut other = record();
        other["citizenId"] = json!("001090001235");
        other["communeCode"] = json!("00008");
        let document = json!({
            "standard": "citizen-record",
            "version": "1.0",
            "registry": { "communeCode": "00004", "provinceCode": "01" },
            "records": [record(), other, record()]
        });
        let body = serde_json::to_vec(&document).unwrap_or_default();
        let expected = [
            ("/records/1/communeCode", "mixed-registry"),
            ("/records/2/citizenId", "duplicate"),
        ];
        let expected: Vec<_> = expected.map(|(p, c)| (p.to_owned(), c.to_owned())).into();
        assert_eq!(refusal(to_local(&host(), &body)), expected);
    }

    #[test]
    fn a_registry_file_has_a_header_and_known_columns() {
        let refused = |body: &[u8]| refusal(to_national(&host(), body));
        let header_only = COLUMNS.all.join(",");
        assert_eq!(
            refused(header_only.as_bytes()),
            [("body".into(), "required".into())]
        );
        assert_eq!(refused(b""), [("body".into(), "required".into())]);
        let twice = format!("{header_only},ho_ten\n");
        assert_eq!(
            refused(twice.as_bytes())[0],
            ("header, column ho_ten".into(), "duplicate-column".into())
        );
    }

    #[test]
    fn columns_follow_the_fields() {
        let fields = [
            Field::CitizenId,
            Field::FullName,
            Field::BirthDate,
            Field::Sex,
            Field::Ethnicity,
            Field::CommuneCode,
            Field::ProvinceCode,
            Field::RegistrationNumber,
            Field::RegistrationDate,
            Field::FatherName,
            Field::MotherName,
        ];
        let columns: Vec<_> = fields.iter().map(|f| f.column()).collect();
        assert_eq!(columns, COLUMNS.all);
        for column in COLUMNS.required {
            assert!(COLUMNS.all.contains(column));
        }
        let members: Vec<_> = fields
            .iter()
            .filter(|f| !f.member().1)
            .map(|f| f.member().0)
            .collect();
        for member in &members {
            assert!(RECORD_MEMBERS.contains(member));
        }
        assert_eq!(members.len() + 1, RECORD_MEMBERS.len());
    }
}
