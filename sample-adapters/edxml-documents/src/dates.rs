//! Calendar dates and timestamps, and their two spellings.
//!
//! The local form writes `dd/mm/yyyy` and `dd/mm/yyyy HH:MM:SS`, as Vietnamese offices do;
//! edXML writes `yyyy/mm/dd` and `yyyy/mm/dd HH:MM:SS`. Both are parsed strictly (two-digit
//! day and month, four-digit year) and checked against the calendar, so that 30/02/2024 is
//! refused on whichever side it appears. Times carry no zone: edXML has none.

use std::fmt;

/// A day of the Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A day and a time of day, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Which way round a date is written.
#[derive(Debug, Clone, Copy)]
pub enum Spelling {
    /// `dd/mm/yyyy`, the local form.
    Local,
    /// `yyyy/mm/dd`, edXML.
    National,
}

impl Spelling {
    /// The pattern, for messages to people.
    pub fn date_pattern(self) -> &'static str {
        match self {
            Spelling::Local => "dd/mm/yyyy",
            Spelling::National => "yyyy/mm/dd",
        }
    }

    /// The pattern of a timestamp, for messages to people.
    pub fn timestamp_pattern(self) -> &'static str {
        match self {
            Spelling::Local => "dd/mm/yyyy HH:MM:SS",
            Spelling::National => "yyyy/mm/dd HH:MM:SS",
        }
    }
}

impl Date {
    /// A date, if it exists in the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if is_leap(year) => 29,
            2 => 28,
            _ => return None,
        };
        (year > 0 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// Reads `text` in the given spelling.
    pub fn parse(text: &str, spelling: Spelling) -> Option<Self> {
        let mut parts = text.split('/');
        let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let (year, month, day) = match spelling {
            Spelling::Local => (c, b, a),
            Spelling::National => (a, b, c),
        };
        let year = digits(year, 4)?;
        let month = digits(month, 2)?;
        let day = digits(day, 2)?;
        Self::new(
            year.try_into().ok()?,
            month.try_into().ok()?,
            day.try_into().ok()?,
        )
    }

    /// Writes the date in the given spelling.
    pub fn format(&self, spelling: Spelling) -> String {
        let Self { year, month, day } = *self;
        match spelling {
            Spelling::Local => format!("{day:02}/{month:02}/{year:04}"),
            Spelling::National => format!("{year:04}/{month:02}/{day:02}"),
        }
    }
}

impl Timestamp {
    /// Reads `text`: a date in the given spelling, one space, then `HH:MM:SS`.
    pub fn parse(text: &str, spelling: Spelling) -> Option<Self> {
        let (date, time) = text.split_once(' ')?;
        let date = Date::parse(date, spelling)?;
        let mut parts = time.split(':');
        let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let hour = u8::try_from(digits(h, 2)?).ok()?;
        let minute = u8::try_from(digits(m, 2)?).ok()?;
        let second = u8::try_from(digits(s, 2)?).ok()?;
        (hour < 24 && minute < 60 && second < 60).then_some(Self {
            date,
            hour,
            minute,
            second,
        })
    }

    /// Writes the timestamp in the given spelling.
    pub fn format(&self, spelling: Spelling) -> String {
        format!(
            "{} {:02}:{:02}:{:02}",
            self.date.format(spelling),
            self.hour,
            self.minute,
            self.second
        )
    }
}

// The local spelling is what JSON carries, so that is how the model serialises.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format(Spelling::Local))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format(Spelling::Local))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Spelling::National))
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Exactly `len` ASCII digits, as a number.
fn digits(text: &str, len: usize) -> Option<u32> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_between_spellings() {
        let date = Date::parse("30/09/2015", Spelling::Local).expect("a valid date");
        assert_eq!(date.format(Spelling::National), "2015/09/30");
        assert_eq!(Date::parse("2015/09/30", Spelling::National), Some(date));
    }

    #[test]
    fn dates_outside_the_calendar_are_refused() {
        for text in [
            "30/02/2014",
            "29/02/2023",
            "31/04/2020",
            "00/01/2020",
            "01/13/2020",
        ] {
            assert_eq!(Date::parse(text, Spelling::Local), None, "{text}");
        }
        assert!(Date::parse("29/02/2024", Spelling::Local).is_some());
        assert!(Date::parse("29/02/2000", Spelling::Local).is_some());
        assert_eq!(Date::parse("29/02/1900", Spelling::Local), None);
    }

    #[test]
    fn dates_must_be_written_in_full() {
        for text in [
            "1/2/2020",
            "01/02/20",
            "2020/02/01",
            "01-02-2020",
            "01/02/2020/1",
            "",
            "+1/02/2020",
        ] {
            assert_eq!(Date::parse(text, Spelling::Local), None, "{text}");
        }
    }

    #[test]
    fn timestamps_convert_and_check_the_clock() {
        let ts = Timestamp::parse("2015/09/20 11:08:36", Spelling::National).expect("valid");
        assert_eq!(ts.format(Spelling::Local), "20/09/2015 11:08:36");
        for text in [
            "20/09/2015 24:00:00",
            "20/09/2015 11:60:00",
            "20/09/2015",
            "20/09/2015 1:2:3",
        ] {
            assert_eq!(Timestamp::parse(text, Spelling::Local), None, "{text}");
        }
    }
}
