//! Calendar dates and instants, in the two spellings this adapter meets: the registry's
//! day-first `dd/mm/yyyy` (with `HH:MM:SS` in Vietnam time for instants) and the standard's
//! ISO 8601 / RFC 3339.
//!
//! Everything here is pure arithmetic on the proleptic Gregorian calendar: the component has
//! no clock, so nothing in this module knows what "today" is, and nothing checks that a date
//! lies in the past.

use std::fmt;

use crate::checks::Fault;

/// Vietnam keeps one offset all year (no daylight saving), so a registry's local timestamps
/// convert to the standard's instants without a time-zone database.
const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

/// A real day of the Gregorian calendar, between the years 1 and 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, if that day exists.
    pub fn new(year: u32, month: u32, day: u32) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The year, for the century and year digits of a citizen identity number.
    pub fn year(self) -> u32 {
        u32::from(self.year)
    }

    /// Reads the standard's `YYYY-MM-DD`.
    pub fn parse_iso(text: &str) -> Result<Self, Fault> {
        let shape = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        let parts = shape.then(|| {
            (
                digits(&text[0..4]),
                digits(&text[5..7]),
                digits(&text[8..10]),
            )
        });
        let Some((Some(y), Some(m), Some(d))) = parts else {
            return Err(Fault::new(
                "format",
                format!("`{text}` is not a date written as YYYY-MM-DD"),
            ));
        };
        Self::new(y, m, d).ok_or_else(|| not_a_day(text))
    }

    /// Reads the registry's `dd/mm/yyyy`; clerks often drop the leading zeros (`1/2/1990`).
    pub fn parse_local(text: &str) -> Result<Self, Fault> {
        let mut parts = text.split('/');
        let fields = (parts.next(), parts.next(), parts.next(), parts.next());
        let parsed = match fields {
            (Some(d), Some(m), Some(y), None)
                if (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) && y.len() == 4 =>
            {
                (digits(d), digits(m), digits(y))
            }
            _ => (None, None, None),
        };
        let (Some(d), Some(m), Some(y)) = parsed else {
            return Err(Fault::new(
                "format",
                format!("`{text}` is not a date written as dd/mm/yyyy"),
            ));
        };
        Self::new(y, m, d).ok_or_else(|| not_a_day(text))
    }

    /// The registry's spelling, always with two-digit day and month.
    pub fn local(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// Days since 1970-01-01 (negative before it).
    fn days_since_epoch(self) -> i64 {
        // Counting years from 1 March puts the leap day at the end of the year, so that a
        // year's length only matters once the whole year has passed.
        let (y, m) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let day_of_year = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        y * 365 + y / 4 - y / 100 + y / 400 + day_of_year - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`]; `None` outside the years 1 to 9999.
    fn from_days_since_epoch(days: i64) -> Option<Self> {
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let m = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * m + 2) / 5 + 1;
        let month = if m < 10 { m + 3 } else { m - 9 };
        let year = era * 400 + year_of_era + i64::from(month <= 2);
        Self::new(
            u32::try_from(year).ok()?,
            u32::try_from(month).ok()?,
            u32::try_from(day).ok()?,
        )
    }
}

/// The standard's spelling, `YYYY-MM-DD`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A moment as a registry's system writes it: a date and a time of day in Vietnam time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    date: Date,
    seconds_of_day: u32,
}

impl LocalTime {
    /// Reads `dd/mm/yyyy HH:MM:SS` (seconds may be left out).
    pub fn parse(text: &str) -> Result<Self, Fault> {
        let malformed = || {
            Fault::new(
                "format",
                format!("`{text}` is not a time written as dd/mm/yyyy HH:MM:SS"),
            )
        };
        let (day, clock) = text.split_once(' ').ok_or_else(malformed)?;
        let date = Date::parse_local(day).map_err(|fault| match fault.code {
            "format" => malformed(),
            _ => fault,
        })?;
        let mut parts = clock.split(':');
        let fields = (
            parts.next(),
            parts.next(),
            parts.next().or(Some("00")),
            parts.next(),
        );
        let (Some(h), Some(m), Some(s), None) = fields else {
            return Err(malformed());
        };
        let two = |t: &str| if t.len() == 2 { digits(t) } else { None };
        let (Some(h), Some(m), Some(s)) = (two(h), two(m), two(s)) else {
            return Err(malformed());
        };
        if h > 23 || m > 59 || s > 59 {
            return Err(Fault::new("date", format!("`{text}` is not a time of day")));
        }
        Ok(Self {
            date,
            seconds_of_day: h * 3600 + m * 60 + s,
        })
    }

    /// Reads an RFC 3339 instant with any offset and gives the same moment in Vietnam time.
    /// Fractions of a second are dropped: the registry's systems keep whole seconds.
    pub fn from_rfc3339(text: &str) -> Result<Self, Fault> {
        let malformed = || {
            Fault::new(
                "format",
                format!(
                    "`{text}` is not a date-time written as YYYY-MM-DDTHH:MM:SS with an offset"
                ),
            )
        };
        // Every fixed position up to the seconds is ASCII, so slicing them cannot split a
        // character.
        if text.len() < 20 || !text.as_bytes()[..19].is_ascii() {
            return Err(malformed());
        }
        let date = Date::parse_iso(&text[..10]).map_err(|fault| match fault.code {
            "format" => malformed(),
            _ => fault,
        })?;
        let clock = &text.as_bytes()[10..19];
        if !matches!(clock[0], b'T' | b't') || clock[3] != b':' || clock[6] != b':' {
            return Err(malformed());
        }
        let (Some(h), Some(m), Some(s)) = (
            digits(&text[11..13]),
            digits(&text[14..16]),
            digits(&text[17..19]),
        ) else {
            return Err(malformed());
        };

        let mut rest = &text[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if len == 0 {
                return Err(malformed());
            }
            rest = &fraction[len..];
        }
        let offset = match rest {
            "Z" | "z" => Some(0),
            _ => parse_offset(rest),
        };
        let Some(offset) = offset else {
            return Err(malformed());
        };
        if h > 23 || m > 59 || s > 59 {
            return Err(Fault::new("date", format!("`{text}` is not a time of day")));
        }

        let instant = date.days_since_epoch() * 86_400 + i64::from(h * 3600 + m * 60 + s) - offset;
        let local = instant + VIETNAM_OFFSET_SECONDS;
        let date = Date::from_days_since_epoch(local.div_euclid(86_400))
            .ok_or_else(|| Fault::new("date", format!("`{text}` is too far from today")))?;
        Ok(Self {
            date,
            seconds_of_day: local.rem_euclid(86_400) as u32,
        })
    }

    /// The registry's spelling, `dd/mm/yyyy HH:MM:SS`.
    pub fn local(self) -> String {
        format!("{} {}", self.date.local(), self.clock())
    }

    /// The standard's spelling, with Vietnam's offset written out rather than converted to
    /// UTC, so that a person reading it sees the registry's own time.
    pub fn rfc3339(self) -> String {
        format!("{}T{}+07:00", self.date, self.clock())
    }

    fn clock(self) -> String {
        let s = self.seconds_of_day;
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// The standard's spelling, as in [`LocalTime::rfc3339`].
impl serde::Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

/// `+HH:MM` or `-HH:MM` as seconds east of UTC.
fn parse_offset(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 6 || bytes[3] != b':' {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (digits(&text[1..3])?, digits(&text[4..6])?);
    (h <= 23 && m <= 59).then(|| sign * i64::from(h * 3600 + m * 60))
}

/// The value of a run of ASCII digits; `None` for anything else, signs included.
fn digits(text: &str) -> Option<u32> {
    let all_digits =
        !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    all_digits.then(|| text.parse().ok()).flatten()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

fn not_a_day(text: &str) -> Fault {
    Fault::new("date", format!("`{text}` is not a day of the calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings_of_a_day() {
        let day = Date::new(1990, 1, 31);
        assert_eq!(Date::parse_local("31/01/1990").ok(), day);
        assert_eq!(Date::parse_local("31/1/1990").ok(), day);
        assert_eq!(Date::parse_iso("1990-01-31").ok(), day);
        assert_eq!(day.map(|d| d.to_string()).as_deref(), Some("1990-01-31"));
        assert_eq!(
            Date::new(2024, 3, 5).map(Date::local).as_deref(),
            Some("05/03/2024")
        );
    }

    #[test]
    fn tells_a_malformed_date_from_a_day_that_does_not_exist() {
        let code = |r: Result<Date, Fault>| r.err().map(|f| f.code);
        assert_eq!(code(Date::parse_local("31/02/2020")), Some("date"));
        assert_eq!(code(Date::parse_local("29/02/2023")), Some("date"));
        assert_eq!(code(Date::parse_local("29/02/2024")), None);
        assert_eq!(code(Date::parse_local("29/02/1900")), Some("date"));
        assert_eq!(code(Date::parse_local("29/02/2000")), None);
        assert_eq!(code(Date::parse_local("1990-01-31")), Some("format"));
        assert_eq!(code(Date::parse_local("+1/01/1990")), Some("format"));
        assert_eq!(code(Date::parse_local("01/01/90")), Some("format"));
        assert_eq!(code(Date::parse_iso("1990-13-01")), Some("date"));
        assert_eq!(code(Date::parse_iso("1990-1-31")), Some("format"));
        assert_eq!(code(Date::parse_iso("１９９０-01-31")), Some("format"));
    }

    #[test]
    fn day_numbers_round_trip() {
        for (y, m, d, n) in [(1970, 1, 1, 0), (2000, 3, 1, 11_017), (1969, 12, 31, -1)] {
            let date = Date::new(y, m, d);
            assert_eq!(date.map(Date::days_since_epoch), Some(n));
            assert_eq!(Date::from_days_since_epoch(n), date);
        }
        let mut n = Date::new(1, 1, 1)
            .map(Date::days_since_epoch)
            .unwrap_or_default();
        let last = Date::new(9999, 12, 31)
            .map(Date::days_since_epoch)
            .unwrap_or_default();
        while n <= last {
            let date = Date::from_days_since_epoch(n);
            assert_eq!(date.map(Date::days_since_epoch), Some(n));
            n += 97;
        }
    }

    #[test]
    fn converts_instants_to_vietnam_time_and_back() {
        let t = LocalTime::from_rfc3339("2026-12-03T20:30:00Z");
        assert_eq!(
            t.map(LocalTime::local).ok().as_deref(),
            Some("04/12/2026 03:30:00")
        );
        let t = LocalTime::from_rfc3339("2026-12-03T10:00:00.250+07:00");
        assert_eq!(
            t.map(LocalTime::rfc3339).ok().as_deref(),
            Some("2026-12-03T10:00:00+07:00")
        );
        let t = LocalTime::parse("03/12/2026 17:00");
        assert_eq!(
            t.map(LocalTime::rfc3339).ok().as_deref(),
            Some("2026-12-03T17:00:00+07:00")
        );
        assert!(LocalTime::from_rfc3339("9999-12-31T23:00:00-05:00").is_err());
        assert!(LocalTime::from_rfc3339("2026-12-03T10:00:00").is_err());
        assert!(LocalTime::from_rfc3339("2026-12-03 10:00:00Z").is_err());
        assert!(LocalTime::parse("03/12/2026 24:00:00").is_err());
        assert!(LocalTime::parse("03/12/2026").is_err());
    }
}
