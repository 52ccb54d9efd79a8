//! The rules a single value obeys, whichever form it arrives in.
//!
//! Each rule takes the text as it was written and either returns the value in its canonical
//! spelling or a [`Fault`]: a stable code and a sentence. Where the value sits (a CSV cell, a
//! JSON pointer) is the caller's business, so that the local and the national readers report
//! the same breach with the same code. Rules that need the administrative catalogues ask the
//! hub through [`Host`]; none of them keeps a copy of a catalogue.

use lgsp_guest::{Host, Violations};

use crate::date::Date;

/// Most records one message may carry, in either form. A registry sends a day's work or a
/// backlog, not its whole book; the standards set the same bound.
pub const MAX_RECORDS: usize = 1000;

/// One rule that one value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The stable code the violation carries.
    pub code: &'static str,
    /// A sentence for the person who wrote the value.
    pub message: String,
}

impl Fault {
    /// A fault with its code and sentence.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A value as it arrived, before any rule about its content is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw<'a> {
    /// Not given, or given as blank.
    Absent,
    /// Given, with surrounding white space already trimmed.
    Text(&'a str),
    /// Unreadable (bad encoding, wrong JSON type); a violation has already been recorded, so
    /// the value is skipped without a second one.
    Reported,
}

impl<'a> Raw<'a> {
    /// Trims `text` and treats a blank value as absent.
    pub fn from_text(text: &'a str) -> Self {
        match text.trim() {
            "" => Self::Absent,
            trimmed => Self::Text(trimmed),
        }
    }
}

/// Whether a person is recorded as male or female; the two values both standards know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `Nam` locally, `male` nationally.
    Male,
    /// `Nữ` locally, `female` nationally.
    Female,
}

impl Sex {
    /// Reads the registry's `Nam` or `Nữ`, in any letter case. Text pasted from some word
    /// processors spells `ữ` with combining marks, so those spellings are read too.
    pub fn parse_local(text: &str) -> Result<Self, Fault> {
        match text.to_lowercase().as_str() {
            "nam" => Ok(Self::Male),
            "nữ" | "n\u{01b0}\u{0303}" | "nu\u{031b}\u{0303}" => Ok(Self::Female),
            _ => Err(Fault::new(
                "enum",
                format!("`{text}` is neither Nam nor Nữ"),
            )),
        }
    }

    /// Reads the standard's `male` or `female`.
    pub fn parse_national(text: &str) -> Result<Self, Fault> {
        match text {
            "male" => Ok(Self::Male),
            "female" => Ok(Self::Female),
            _ => Err(Fault::new(
                "enum",
                format!("`{text}` is neither male nor female"),
            )),
        }
    }

    /// The registry's spelling.
    pub fn local(self) -> &'static str {
        match self {
            Self::Male => "Nam",
            Self::Female => "Nữ",
        }
    }
}

/// A value that must be there, through `rule`; `None` after recording why not.
pub fn required<T>(
    raw: Raw<'_>,
    path: impl FnOnce() -> String,
    v: &mut Violations,
    rule: impl FnOnce(&str) -> Result<T, Fault>,
) -> Option<T> {
    match raw {
        Raw::Text(text) => rule(text).map_err(|fault| push(v, path(), fault)).ok(),
        Raw::Absent => {
            v.push(path(), "required", "a value is required here");
            None
        }
        Raw::Reported => None,
    }
}

/// Records `fault` as a violation at `path`.
pub fn push(v: &mut Violations, path: String, fault: Fault) {
    v.push(path, fault.code, fault.message);
}

/// A personal identification number: twelve digits, the first three being `0` and the code of
/// a province the catalogue knows.
pub fn citizen_id(host: &dyn Host, text: &str) -> Result<String, Fault> {
    if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::new(
            "citizen-id",
            format!(
                "`{text}` is not a personal identification number: it must be exactly 12 digits"
            ),
        ));
    }
    let province = &text[1..3];
    if !text.starts_with('0') || host.lookup("provinces", province).is_none() {
        return Err(Fault::new(
            "citizen-id",
            format!(
                "`{text}` does not begin with 0 and a province code in force ({} is not one)",
                &text[..3]
            ),
        ));
    }
    Ok(text.to_owned())
}

/// The fourth digit of an identification number encodes the century of birth and the sex
/// (0/1 for a man/woman born 1900-1999, 2/3 for 2000-2099, and so on), the fifth and sixth the
/// last two digits of the birth year. A number that contradicts the record it sits in points
/// at a typing mistake in one of the three values.
pub fn citizen_id_matches(id: &str, sex: Sex, birth: Date) -> Result<(), Fault> {
    let year = birth.year();
    let century = year / 100;
    let expected = (19..=23).contains(&century).then(|| {
        let digit = (century - 19) * 2 + u32::from(sex == Sex::Female);
        format!("{digit}{:02}", year % 100)
    });
    match expected {
        Some(code) if id.get(3..6) == Some(code.as_str()) => Ok(()),
        _ => Err(Fault::new(
            "citizen-id-mismatch",
            format!(
                "`{id}` does not match the sex and birth year of the record (digits 4 to 6 \
                 should be {})",
                expected
                    .as_deref()
                    .unwrap_or("impossible for a birth before 1900")
            ),
        )),
    }
}

/// A province code the catalogue knows.
pub fn province_code(host: &dyn Host, text: &str) -> Result<String, Fault> {
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::new(
            "format",
            format!("`{text}` is not a province code: it must be 2 digits"),
        ));
    }
    match host.lookup("provinces", text) {
        Some(_) => Ok(text.to_owned()),
        None => Err(Fault::new(
            "unknown-province",
            format!("`{text}` is not a province code in force"),
        )),
    }
}

/// A commune code the catalogue knows, with the code of its province.
pub fn commune_code(host: &dyn Host, text: &str) -> Result<(String, Option<String>), Fault> {
    if text.len() != 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::new(
            "format",
            format!("`{text}` is not a commune code: it must be 5 digits"),
        ));
    }
    match host.lookup("communes", text) {
        Some(entry) => Ok((text.to_owned(), entry.parent)),
        None => Err(Fault::new(
            "unknown-commune",
            format!("`{text}` is not a commune code in force"),
        )),
    }
}

/// Checks that a commune, whose catalogue parent is `parent`, lies in `province`.
pub fn commune_in_province(
    commune: &str,
    parent: Option<&str>,
    province: &str,
) -> Result<(), Fault> {
    match parent {
        Some(parent) if parent == province => Ok(()),
        _ => Err(Fault::new(
            "commune-province-mismatch",
            format!(
                "commune {commune} belongs to province {}, not {province}",
                parent.unwrap_or("(none)")
            ),
        )),
    }
}

/// Text on one line, at most `max` characters. Line breaks and other control characters have
/// no place in a name or a register number, and would break the registry's fixed forms.
pub fn plain_text(text: &str, max: usize) -> Result<String, Fault> {
    if text.chars().any(char::is_control) {
        return Err(Fault::new(
            "format",
            "the text contains a line break or another control character",
        ));
    }
    let len = text.chars().count();
    if len > max {
        return Err(Fault::new(
            "format",
            format!("the text is {len} characters long; at most {max} are allowed"),
        ));
    }
    Ok(text.to_owned())
}

/// A receipt's reference: letters, digits and `._:/-`, starting with a letter or digit, at
/// most 64 characters, so that it survives being quoted in a file name or a URL.
pub fn receipt_id(text: &str) -> Result<String, Fault> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b".-_:/".contains(&b);
    let valid = text.len() <= 64
        && text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && text.bytes().all(allowed);
    if valid {
        Ok(text.to_owned())
    } else {
        Err(Fault::new(
            "format",
            format!(
                "`{text}` is not a receipt reference (letters, digits and ._:/- only, at most 64)"
            ),
        ))
    }
}

/// A count of records, from zero to [`MAX_RECORDS`].
pub fn count(text: &str) -> Result<u32, Fault> {
    let value = (text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<u32>().ok())
        .flatten();
    match value {
        Some(n) if n as usize <= MAX_RECORDS => Ok(n),
        _ => Err(Fault::new(
            "format",
            format!("`{text}` is not a count of records from 0 to {MAX_RECORDS}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use lgsp_guest::testing::MockHost;

    use super::*;

    fn host() -> MockHost {
        MockHost::new()
            .with_entry("provinces", "01", "Thành phố Hà Nội", None)
            .with_entry("communes", "00004", "Phường Ba Đình", Some("01"))
    }

    #[test]
    fn citizen_ids_need_twelve_digits_and_a_known_province() {
        let host = host();
        assert_eq!(
            citizen_id(&host, "001090001234").ok().as_deref(),
            Some("001090001234")
        );
        for bad in [
            "00109000123",
            "0010900012345",
            "00109000123a",
            "002090001234",
            "101090001234",
        ] {
            assert_eq!(
                citizen_id(&host, bad).err().map(|f| f.code),
                Some("citizen-id"),
                "{bad}"
            );
        }
        assert!(citizen_id(&host, "００1090001234").is_err());
    }

    #[test]
    fn the_id_encodes_century_sex_and_year() {
        let d = |y| Date::new(y, 1, 1).unwrap_or_else(|| panic!("{y}"));
        assert!(citizen_id_matches("001090001234", Sex::Male, d(1990)).is_ok());
        assert!(citizen_id_matches("001325001234", Sex::Female, d(2025)).is_ok());
        assert!(citizen_id_matches("001090001234", Sex::Female, d(1990)).is_err());
        assert!(citizen_id_matches("001090001234", Sex::Male, d(1991)).is_err());
        assert!(citizen_id_matches("001090001234", Sex::Male, d(1890)).is_err());
    }

    #[test]
    fn sex_reads_every_spelling_of_nu() {
        for text in ["Nữ", "NỮ", "nữ", "N\u{01b0}\u{0303}", "Nu\u{031b}\u{0303}"] {
            assert_eq!(Sex::parse_local(text), Ok(Sex::Female), "{text}");
        }
        assert_eq!(Sex::parse_local("NAM"), Ok(Sex::Male));
        assert!(Sex::parse_local("Nu").is_err());
        assert!(Sex::parse_local("male").is_err());
    }

    #[test]
    fn communes_and_provinces_come_from_the_catalogue() {
        let host = host();
        let (code, parent) = commune_code(&host, "00004").unwrap_or_default();
        assert_eq!((code.as_str(), parent.as_deref()), ("00004", Some("01")));
        assert_eq!(
            commune_code(&host, "0004").err().map(|f| f.code),
            Some("format")
        );
        assert_eq!(
            commune_code(&host, "99999").err().map(|f| f.code),
            Some("unknown-commune")
        );
        assert_eq!(
            province_code(&host, "79").err().map(|f| f.code),
            Some("unknown-province")
        );
        assert!(commune_in_province("00004", Some("01"), "01").is_ok());
        assert!(commune_in_province("00004", Some("01"), "79").is_err());
    }

    #[test]
    fn text_and_counts_have_bounds() {
        assert!(plain_text("Nguyễn Văn An", 100).is_ok());
        assert!(plain_text("Nguyễn\nVăn An", 100).is_err());
        assert!(plain_text(&"ă".repeat(101), 100).is_err());
        assert!(receipt_id("BN-2026/000123").is_ok());
        assert!(receipt_id("-BN").is_err());
        assert!(receipt_id("BN 1").is_err());
        assert_eq!(count("1000"), Ok(1000));
        assert!(count("1001").is_err());
        assert!(count("+1").is_err());
    }
}
