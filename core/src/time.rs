//! Calendar rules: the wire carries UTC; days and deadlines are Asia/Shanghai (UTC+8, which
//! has had no daylight saving since 1991, so a fixed offset is exact).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

/// Asia/Shanghai.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The calendar day in Shanghai at an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&shanghai()).date_naive()
}

/// The last second of a Shanghai day (23:59:59 local), as a UTC instant. Deadlines are
/// inclusive up to this moment.
pub fn end_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(23, 59, 59).expect("valid time");
    shanghai()
        .from_local_datetime(&date.and_time(t))
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc)
}

/// `2026年10月31日`, for people. Formatted by hand: chrono's strftime machinery would add
/// tens of kilobytes to the web bundle for two patterns.
pub fn format_local_date(at: DateTime<Utc>) -> String {
    let d = local_date(at);
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2026年10月31日 23:59`, for people.
pub fn format_local_datetime(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&shanghai());
    format!(
        "{}年{}月{}日 {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_shanghai_day_is_four_pm_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert_eq!(
            end_of_local_day(d).to_rfc3339(),
            "2026-10-31T15:59:59+00:00"
        );
        assert_eq!(
            format_local_datetime(end_of_local_day(d)),
            "2026年10月31日 23:59"
        );
        assert_eq!(format_local_date(end_of_local_day(d)), "2026年10月31日");
        let morning = Utc.with_ymd_and_hms(2027, 3, 4, 23, 5, 0).unwrap();
        assert_eq!(format_local_datetime(morning), "2027年3月5日 07:05");
    }

    #[test]
    fn a_utc_evening_is_already_the_next_day_in_shanghai() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap();
        assert_eq!(local_date(at), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    }
}
