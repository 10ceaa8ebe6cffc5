//! Decoder of the year in force (`GET /api/policy-year`), which the home page and the help page
//! explain the year with.

use super::completion::date;
use super::{boolean, int, uint, whole, FromJson, Json};
use qinxue_core::PolicyYear;

impl FromJson for PolicyYear {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            graded_hours: uint(o, "graded_hours")?,
            ungraded_hours: uint(o, "ungraded_hours")?,
            graded_fee_fen: int(o, "graded_fee_fen")?,
            ungraded_fee_fen: int(o, "ungraded_fee_fen")?,
            registration_deadline: date(o, "registration_deadline")?,
            study_deadline: date(o, "study_deadline")?,
            minutes_per_hour: uint(o, "minutes_per_hour")?,
            daily_cap_minutes: uint(o, "daily_cap_minutes")?,
            check_min_minutes: uint(o, "check_min_minutes")?,
            check_max_minutes: uint(o, "check_max_minutes")?,
            supplementary_cap_hours: uint(o, "supplementary_cap_hours")?,
            reminder_days: o
                .member("reminder_days")
                .items()?
                .map(|d| u32::try_from(whole(&d)?).ok())
                .collect::<Option<Vec<_>>>()?,
            late_payment: boolean(o, "late_payment")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::FromJson;
    use chrono::NaiveDate;
    use qinxue_core::PolicyYear;
    use serde_json::Value;

    #[test]
    fn the_year_in_force_reads_back_as_the_server_wrote_it() {
        let mut year = PolicyYear::standard(2026);
        year.registration_deadline = NaiveDate::from_ymd_opt(2026, 12, 30).unwrap();
        year.late_payment = true;
        let parsed: Value = serde_json::to_value(&year).unwrap();
        assert_eq!(PolicyYear::from_json(&&parsed), Some(year));
    }
}
