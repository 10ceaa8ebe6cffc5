//! The policy year: what each grade must study and pay, and until when
//! (闽人社文〔2017〕132号, sections 二, 四, 五 and 六).

use crate::grade::Grade;
use crate::time::end_of_local_day;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The settings of one training year. Stored per year so that a later policy can change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyYear {
    pub year: i32,
    /// 学时 required of graded staff (初级工 … 高级技师).
    pub graded_hours: u32,
    /// 学时 required of ungraded staff (未定级).
    pub ungraded_hours: u32,
    /// Yearly fee of graded staff, in fen.
    pub graded_fee_fen: i64,
    /// Yearly fee of ungraded staff, in fen.
    pub ungraded_fee_fen: i64,
    /// Last day (Shanghai, inclusive) to register and pay.
    pub registration_deadline: NaiveDate,
    /// Last day (Shanghai, inclusive) to complete the required 学时.
    pub study_deadline: NaiveDate,
    /// Minutes of credited study that make one 学时.
    pub minutes_per_hour: u32,
}

impl PolicyYear {
    /// The year as the 2017 notice sets it: 42 / 24 学时, 126 / 72 元, registration and
    /// payment until 31 Oct, study until 31 Dec, 45 minutes a 学时.
    pub fn standard(year: i32) -> Self {
        Self {
            year,
            graded_hours: 42,
            ungraded_hours: 24,
            graded_fee_fen: 12_600,
            ungraded_fee_fen: 7_200,
            registration_deadline: NaiveDate::from_ymd_opt(year, 10, 31).expect("valid date"),
            study_deadline: NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date"),
            minutes_per_hour: 45,
        }
    }

    /// 学时 required of a trainee of this grade.
    pub fn required_hours(&self, grade: Grade) -> u32 {
        if grade.is_graded() {
            self.graded_hours
        } else {
            self.ungraded_hours
        }
    }

    /// Fee in fen for a trainee of this grade.
    pub fn fee_fen(&self, grade: Grade) -> i64 {
        if grade.is_graded() {
            self.graded_fee_fen
        } else {
            self.ungraded_fee_fen
        }
    }

    /// The last instant at which registration and payment are accepted.
    pub fn registration_closes_at(&self) -> DateTime<Utc> {
        end_of_local_day(self.registration_deadline)
    }

    /// The last instant at which study is credited to this year.
    pub fn study_closes_at(&self) -> DateTime<Utc> {
        end_of_local_day(self.study_deadline)
    }

    pub fn registration_open(&self, now: DateTime<Utc>) -> bool {
        now <= self.registration_closes_at()
    }

    pub fn study_open(&self, now: DateTime<Utc>) -> bool {
        now <= self.study_closes_at()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn graded_staff_owe_42_hours_and_126_yuan_ungraded_24_and_72() {
        let y = PolicyYear::standard(2026);
        for g in Grade::ALL {
            let (h, f) = if g == Grade::Ungraded {
                (24, 7200)
            } else {
                (42, 12600)
            };
            assert_eq!(y.required_hours(g), h, "{g:?}");
            assert_eq!(y.fee_fen(g), f, "{g:?}");
        }
    }

    #[test]
    fn registration_is_open_through_the_last_second_of_31_october_in_shanghai() {
        let y = PolicyYear::standard(2026);
        let last = Utc.with_ymd_and_hms(2026, 10, 31, 15, 59, 59).unwrap();
        assert!(y.registration_open(last));
        assert!(!y.registration_open(last + chrono::Duration::seconds(1)));
        assert!(y.study_open(Utc.with_ymd_and_hms(2026, 12, 31, 15, 59, 59).unwrap()));
        assert!(!y.study_open(Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap()));
    }
}
