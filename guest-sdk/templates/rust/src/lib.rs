//! {{name}}: an LGSP adapter.
//!
//! It translates one person between the agency's local JSON form
//!
//! ```json
//! { "ho_ten": "Nguyễn Văn An", "ngay_sinh": "31/01/1990", "ma_tinh": "01" }
//! ```
//!
//! and the national standard `example-person@1.0` (`standard.schema.json`), looking the
//! province up in the hub's catalogue. Replace the mapping with your agency's own; keep the
//! shape: read the whole input, collect every violation, refuse with all of them.

use lgsp_guest::{Adapter, AdapterError, Context, Description, Host, Level, Message, Violations};
use serde_json::{Map, Value, json};

/// The national standard this adapter produces and reads, as `id@version`.
pub const STANDARD: &str = "example-person@1.0";
/// The media type of both forms.
const JSON: &str = "application/json";
/// The members of the local form.
const LOCAL_FIELDS: [&str; 3] = ["ho_ten", "ngay_sinh", "ma_tinh"];

/// The adapter.
pub struct Mapping;

impl Adapter for Mapping {
    fn describe() -> Description {
        Description {
            name: "{{name}}".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            standards: vec![STANDARD.to_owned()],
            services: Vec::new(),
        }
    }

    fn to_national(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        check_context(cx, &msg)?;
        let local = read_object(&msg)?;
        let mut problems = Violations::new();

        let full_name = required_text(&local, "ho_ten", &mut problems);
        let birth_date = required_text(&local, "ngay_sinh", &mut problems).and_then(|text| {
            day_first_to_iso(text)
                .map_err(|(code, why)| problems.push("/ngay_sinh", code, why))
                .ok()
        });
        let province = required_text(&local, "ma_tinh", &mut problems).and_then(|code| {
            let entry = host.lookup("provinces", code);
            if entry.is_none() {
                problems.push(
                    "/ma_tinh",
                    "unknown-province",
                    format!("{code:?} is not a province code in force"),
                );
            }
            entry
        });
        for key in local.keys() {
            if !LOCAL_FIELDS.contains(&key.as_str()) {
                problems.push(
                    format!("/{key}"),
                    "unknown-field",
                    format!("the local form has no member {key:?}"),
                );
            }
        }
        problems.finish(())?;

        let (Some(full_name), Some(birth_date), Some(province)) = (full_name, birth_date, province)
        else {
            return Err(AdapterError::Internal(
                "a member was missing without a violation".to_owned(),
            ));
        };
        let national = json!({
            "standard": "example-person",
            "version": "1.0",
            "fullName": full_name,
            "birthDate": birth_date,
            "province": { "code": province.code, "name": province.name },
        });
        host.log(
            Level::Debug,
            "translated one person to the national form",
            &[],
        );
        reply(&msg, &national)
    }

    fn to_local(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        check_context(cx, &msg)?;
        // The hub has already checked the national form against the standard.
        let national = read_object(&msg)?;
        let mut problems = Violations::new();
        let text = |pointer: &str| national_text(&national, pointer);

        let full_name = text("/fullName");
        let birth_date = text("/birthDate").and_then(iso_to_day_first);
        let province = text("/province/code");
        if birth_date.is_none() {
            problems.push("/birthDate", "format", "expected a date as yyyy-mm-dd");
        }
        problems.finish(())?;

        let local = json!({
            "ho_ten": full_name.unwrap_or_default(),
            "ngay_sinh": birth_date.unwrap_or_default(),
            "ma_tinh": province.unwrap_or_default(),
        });
        host.log(Level::Debug, "translated one person to the local form", &[]);
        reply(&msg, &local)
    }
}

lgsp_guest::export_adapter!(Mapping);

/// Refuses what this adapter was not written for: another standard, or not JSON.
fn check_context(cx: &Context, msg: &Message) -> Result<(), AdapterError> {
    if cx.standard != STANDARD {
        return Err(AdapterError::Unsupported(format!(
            "this adapter serves {STANDARD}, not {}",
            cx.standard
        )));
    }
    if msg.media_type() != JSON {
        return Err(AdapterError::Unsupported(format!(
            "this adapter reads {JSON}, not {}",
            msg.content_type
        )));
    }
    Ok(())
}

fn read_object(msg: &Message) -> Result<Map<String, Value>, AdapterError> {
    let text = msg.text()?;
    let mut problems = Violations::new();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => return Ok(map),
        Ok(_) => problems.push("/", "type", "expected a JSON object"),
        Err(err) => problems.push(
            format!("line {}, column {}", err.line(), err.column()),
            "json",
            format!("not JSON: {err}"),
        ),
    }
    Err(problems.into())
}

/// The trimmed text of a required member, or a violation.
fn required_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    problems: &mut Violations,
) -> Option<&'a str> {
    match object.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            problems.push(format!("/{key}"), "required", format!("{key} is required"));
            None
        }
        Some(_) => {
            problems.push(format!("/{key}"), "type", format!("{key} must be text"));
            None
        }
    }
}

fn national_text<'a>(national: &'a Map<String, Value>, pointer: &str) -> Option<&'a str> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    let first = national.get(parts.next()?)?;
    parts.try_fold(first, |v, p| v.get(p))?.as_str()
}

/// `31/01/1990` (leading zeros optional) to `1990-01-31`; a code and a reason otherwise.
pub fn day_first_to_iso(text: &str) -> Result<String, (&'static str, String)> {
    let parts: Vec<&str> = text.split('/').collect();
    let numbers: Option<Vec<u32>> = match parts.as_slice() {
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4 => {
            parts.iter().map(|p| p.parse().ok()).collect()
        }
        _ => None,
    };
    let Some([day, month, year]) = numbers.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        return Err(("format", format!("{text:?} is not a date as dd/mm/yyyy")));
    };
    if month == 0 || month > 12 || day == 0 || day > days_in_month(year, month) {
        return Err(("date", format!("{text:?} is not a day of the calendar")));
    }
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// `1990-01-31` to `31/01/1990`.
pub fn iso_to_day_first(text: &str) -> Option<String> {
    let (year, rest) = text.split_once('-')?;
    let (month, day) = rest.split_once('-')?;
    Some(format!("{day}/{month}/{year}"))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// A JSON reply that keeps the input's metadata.
fn reply(input: &Message, value: &Value) -> Result<Message, AdapterError> {
    let body = serde_json::to_vec_pretty(value)
        .map_err(|err| AdapterError::Internal(format!("failed to write JSON: {err}")))?;
    Ok(Message {
        content_type: JSON.to_owned(),
        metadata: input.metadata.clone(),
        body,
    })
}

#[cfg(test)]
mod tests;
