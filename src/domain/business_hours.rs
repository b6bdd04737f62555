//! Business hours: weekly opening intervals on the wall clock of a time zone, and dated
//! exceptions (a holiday closed all day, or a day with hours of its own).
//!
//! Opening times are local times, so a change to or from daylight-saving time moves the
//! instants they fall on and nothing else: 09:00 in Madrid is 08:00 UTC in winter and 07:00
//! UTC in summer.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

/// At most this many weekly intervals, and this many exceptions.
pub const MAX_INTERVALS: usize = 50;
pub const MAX_EXCEPTIONS: usize = 366;

/// A stretch of one day, from `opens` up to (not including) `closes`. A `closes` of 00:00
/// means midnight at the end of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

impl Span {
    fn contains(&self, time: NaiveTime) -> bool {
        self.opens <= time && (time < self.closes || self.closes == NaiveTime::MIN)
    }

    /// The end as minutes after midnight (1440 for midnight at the end of the day).
    fn end_minute(&self) -> u32 {
        if self.closes == NaiveTime::MIN {
            24 * 60
        } else {
            minute_of(self.closes)
        }
    }
}

/// Open on `day` during `span`, every week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyInterval {
    pub day: Weekday,
    pub span: Span,
}

/// A date whose hours replace the week's: closed all day when `spans` is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedException {
    pub date: NaiveDate,
    pub spans: Vec<Span>,
}

/// A queue's opening hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    time_zone: Tz,
    weekly: Vec<WeeklyInterval>,
    exceptions: Vec<DatedException>,
}

/// Why hours are refused, naming the offending part.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("timeZone: {0:?} is not an IANA time zone such as Europe/Madrid")]
    UnknownTimeZone(String),
    #[error("{field}: must open before it closes")]
    Empty { field: String },
    #[error("{field}: overlaps another interval of the same day")]
    Overlap { field: String },
    #[error("{field}: a date appears twice")]
    RepeatedDate { field: String },
    #[error("{field}: at most {max}")]
    TooMany { field: &'static str, max: usize },
}

impl BusinessHours {
    /// Checks and builds hours: a known time zone, each span opening before it closes, no
    /// two spans of one day overlapping, each exception's date once.
    pub fn new(
        time_zone: &str,
        weekly: Vec<WeeklyInterval>,
        exceptions: Vec<DatedException>,
    ) -> Result<Self, HoursError> {
        let time_zone: Tz = time_zone
            .parse()
            .map_err(|_| HoursError::UnknownTimeZone(time_zone.to_owned()))?;
        if weekly.len() > MAX_INTERVALS {
            return Err(HoursError::TooMany {
                field: "weekly",
                max: MAX_INTERVALS,
            });
        }
        if exceptions.len() > MAX_EXCEPTIONS {
            return Err(HoursError::TooMany {
                field: "exceptions",
                max: MAX_EXCEPTIONS,
            });
        }
        for day in WEEK {
            let spans: Vec<(usize, Span)> = weekly
                .iter()
                .enumerate()
                .filter(|(_, w)| w.day == day)
                .map(|(i, w)| (i, w.span))
                .collect();
            check_spans(&spans, |i| format!("weekly[{i}]"))?;
        }
        for (i, exception) in exceptions.iter().enumerate() {
            if exceptions[..i].iter().any(|e| e.date == exception.date) {
                return Err(HoursError::RepeatedDate {
                    field: format!("exceptions[{i}].date"),
                });
            }
            let spans: Vec<(usize, Span)> = exception.spans.iter().copied().enumerate().collect();
            check_spans(&spans, |j| format!("exceptions[{i}].spans[{j}]"))?;
        }
        Ok(Self {
            time_zone,
            weekly,
            exceptions,
        })
    }

    pub fn time_zone(&self) -> &str {
        self.time_zone.name()
    }

    pub fn weekly(&self) -> &[WeeklyInterval] {
        &self.weekly
    }

    pub fn exceptions(&self) -> &[DatedException] {
        &self.exceptions
    }

    /// Whether `at` falls inside the hours, on the time zone's wall clock.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.time_zone);
        let (date, time) = (local.date_naive(), local.time());
        match self.exceptions.iter().find(|e| e.date == date) {
            Some(exception) => exception.spans.iter().any(|s| s.contains(time)),
            None => self
                .weekly
                .iter()
                .any(|w| w.day == date.weekday() && w.span.contains(time)),
        }
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn minute_of(time: NaiveTime) -> u32 {
    use chrono::Timelike;
    time.hour() * 60 + time.minute()
}

/// Spans (with their index for the error) each open before they close and never overlap.
fn check_spans(spans: &[(usize, Span)], field: impl Fn(usize) -> String) -> Result<(), HoursError> {
    for (i, span) in spans {
        if minute_of(span.opens) >= span.end_minute() {
            return Err(HoursError::Empty { field: field(*i) });
        }
    }
    // The later of two overlapping spans is the one named.
    for (a, (_, first)) in spans.iter().enumerate() {
        for (j, second) in &spans[a + 1..] {
            if minute_of(first.opens) < second.end_minute()
                && minute_of(second.opens) < first.end_minute()
            {
                return Err(HoursError::Overlap { field: field(*j) });
            }
        }
    }
    Ok(())
}

/// Reads `HH:MM` (24-hour clock).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(hours.parse().ok()?, minutes.parse().ok()?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn span(opens: &str, closes: &str) -> Span {
        Span {
            opens: parse_time(opens).unwrap(),
            closes: parse_time(closes).unwrap(),
        }
    }

    fn weekdays(opens: &str, closes: &str) -> Vec<WeeklyInterval> {
        WEEK[..5]
            .iter()
            .map(|&day| WeeklyInterval {
                day,
                span: span(opens, closes),
            })
            .collect()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn opening_times_are_on_the_wall_clock_across_daylight_saving() {
        let hours =
            BusinessHours::new("Europe/Madrid", weekdays("09:00", "17:00"), vec![]).unwrap();
        // Friday 27 March 2026, winter time (UTC+1): 09:00 local is 08:00 UTC.
        assert!(!hours.is_open(utc(2026, 3, 27, 7, 59)));
        assert!(hours.is_open(utc(2026, 3, 27, 8, 0)));
        assert!(hours.is_open(utc(2026, 3, 27, 15, 59)));
        assert!(!hours.is_open(utc(2026, 3, 27, 16, 0)));
        // Clocks go forward on Sunday 29 March; on Monday 09:00 local is 07:00 UTC.
        assert!(!hours.is_open(utc(2026, 3, 30, 6, 59)));
        assert!(hours.is_open(utc(2026, 3, 30, 7, 0)));
        assert!(!hours.is_open(utc(2026, 3, 30, 15, 0)));
        // The weekend stays closed.
        assert!(!hours.is_open(utc(2026, 3, 28, 10, 0)));
    }

    #[test]
    fn a_holiday_closes_the_day_and_a_special_day_has_its_own_hours() {
        let exceptions = vec![
            DatedException {
                date: NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
                spans: vec![],
            },
            DatedException {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                spans: vec![span("09:00", "13:00")],
            },
        ];
        let hours =
            BusinessHours::new("America/New_York", weekdays("08:00", "18:00"), exceptions).unwrap();
        // Friday 25 December: closed all day (10:00 local = 15:00 UTC).
        assert!(!hours.is_open(utc(2026, 12, 25, 15, 0)));
        // Thursday 24 December: 09:00 to 13:00 only.
        assert!(hours.is_open(utc(2026, 12, 24, 15, 0)));
        assert!(!hours.is_open(utc(2026, 12, 24, 19, 0)));
        // An ordinary Wednesday keeps the week's hours.
        assert!(hours.is_open(utc(2026, 12, 23, 22, 59)));
    }

    #[test]
    fn midnight_closes_at_the_end_of_the_day() {
        let weekly = vec![WeeklyInterval {
            day: Weekday::Sat,
            span: span("20:00", "00:00"),
        }];
        let hours = BusinessHours::new("UTC", weekly, vec![]).unwrap();
        assert!(hours.is_open(utc(2026, 12, 5, 23, 59)));
        assert!(!hours.is_open(utc(2026, 12, 6, 0, 0)));
        assert!(!hours.is_open(utc(2026, 12, 5, 19, 59)));
    }

    #[test]
    fn bad_hours_are_refused_naming_the_part() {
        assert_eq!(
            BusinessHours::new("Mars/Olympus", vec![], vec![]),
            Err(HoursError::UnknownTimeZone("Mars/Olympus".into()))
        );
        let backwards = vec![WeeklyInterval {
            day: Weekday::Mon,
            span: span("17:00", "09:00"),
        }];
        assert_eq!(
            BusinessHours::new("UTC", backwards, vec![]),
            Err(HoursError::Empty {
                field: "weekly[0]".into()
            })
        );
        let mut overlapping = weekdays("09:00", "13:00");
        overlapping.push(WeeklyInterval {
            day: Weekday::Tue,
            span: span("12:00", "18:00"),
        });
        assert_eq!(
            BusinessHours::new("UTC", overlapping, vec![]),
            Err(HoursError::Overlap {
                field: "weekly[5]".into()
            })
        );
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let twice = vec![
            DatedException {
                date,
                spans: vec![],
            },
            DatedException {
                date,
                spans: vec![],
            },
        ];
        assert_eq!(
            BusinessHours::new("UTC", vec![], twice),
            Err(HoursError::RepeatedDate {
                field: "exceptions[1].date".into()
            })
        );
        for bad in ["9:00", "24:00", "09:60", "0900", ""] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(parse_time("23:59"), NaiveTime::from_hms_opt(23, 59, 0));
    }
}
