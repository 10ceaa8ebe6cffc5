//! Times and durations of group sessions as people read them (Shanghai wall clock), shared by
//! the admin app (scheduling, console, attendance) and the room's kiosk. Neither is in the
//! trainee's first visit, which shows a session's time with `qinxue_core::time`.

use chrono::{DateTime, NaiveDateTime, TimeZone, Timelike, Utc};
use qinxue_core::time::{format_local_datetime, local_date, shanghai};

/// `2026年12月4日 09:00–12:00`, or both instants in full when they fall on different days.
pub fn span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> String {
    if local_date(starts_at) == local_date(ends_at) {
        format!("{}–{}", format_local_datetime(starts_at), clock_hm(ends_at))
    } else {
        format!(
            "{} – {}",
            format_local_datetime(starts_at),
            format_local_datetime(ends_at)
        )
    }
}

/// `09:05` in Shanghai.
pub fn clock_hm(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&shanghai());
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `09:05:07` in Shanghai.
pub fn clock_hms(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&shanghai());
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// A credited or silent time: `45秒`, `12分05秒`, `2小时03分`.
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}秒"),
        60..=3599 => format!("{}分{:02}秒", s / 60, s % 60),
        _ => format!("{}小时{:02}分", s / 3600, s % 3600 / 60),
    }
}

/// The value of an `<input type="datetime-local">` showing `at` in Shanghai.
pub fn to_local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An `<input type="datetime-local">`'s value, read as Shanghai time; `None` when empty or
/// not a time.
pub fn from_local_input(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    shanghai()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_morning_in_shanghai_reads_as_its_wall_clock_and_round_trips_through_the_input() {
        let starts = Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap();
        let ends = Utc.with_ymd_and_hms(2026, 12, 4, 4, 30, 0).unwrap();
        assert_eq!(span(starts, ends), "2026年12月4日 09:00–12:30");
        assert_eq!(to_local_input(starts), "2026-12-04T09:00");
        assert_eq!(from_local_input("2026-12-04T09:00"), Some(starts));
        assert_eq!(from_local_input(""), None);
        assert_eq!(clock_hms(ends + chrono::Duration::seconds(7)), "12:30:07");
        let next_day = Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0).unwrap();
        assert_eq!(
            span(starts, next_day),
            "2026年12月4日 09:00 – 2026年12月5日 01:00"
        );
    }

    #[test]
    fn durations_read_in_the_largest_units_that_matter() {
        assert_eq!(duration(-3), "0秒");
        assert_eq!(duration(45), "45秒");
        assert_eq!(duration(725), "12分05秒");
        assert_eq!(duration(7380), "2小时03分");
    }
}
