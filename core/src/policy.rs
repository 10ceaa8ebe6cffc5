//! The policy year: what each grade must study and pay, and until when
//! (闽人社文〔2017〕132号, sections 二, 四, 五 and 六).

use crate::grade::Grade;
use crate::ledger::YearRules;
use crate::time::end_of_local_day;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The settings of one training year. Stored per year so that a later policy can change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The most study credited to one trainee on one Shanghai calendar day, in minutes.
    pub daily_cap_minutes: u32,
    /// Anti-idle checks come at random intervals of at least this many minutes …
    pub check_min_minutes: u32,
    /// … and at most this many.
    pub check_max_minutes: u32,
    /// The most 学时 supplementary activities (lectures, skill exchanges) add to one
    /// trainee's year.
    pub supplementary_cap_hours: u32,
    /// Days before the registration deadline (to those not yet paid) and before the study
    /// deadline (to those paid and not finished) on which reminders go out, e.g. `[7, 1]`.
    #[serde(default = "standard_reminder_days")]
    pub reminder_days: Vec<u32>,
    /// Whether the year may still be paid for after its registration deadline by someone who
    /// never paid for it (to go on and complete it, policy section 七). The 2017 notice
    /// closes payment on 31 October, so a year does not allow it unless the province says so.
    #[serde(default)]
    pub late_payment: bool,
}

/// Reminders a week and a day before each deadline.
pub fn standard_reminder_days() -> Vec<u32> {
    vec![7, 1]
}

/// The bounds the provincial office may set a year's numbers within; outside them a value is
/// a typing mistake (420 学时, 1,260 元) rather than a policy.
pub mod bounds {
    pub const HOURS: (u32, u32) = (1, 200);
    /// Fees in fen: 1 元 to 1,000 元.
    pub const FEE_FEN: (i64, i64) = (100, 100_000);
    pub const MINUTES_PER_HOUR: (u32, u32) = (10, 120);
    pub const DAILY_CAP_MINUTES: (u32, u32) = (30, 1440);
    pub const CHECK_MINUTES: (u32, u32) = (1, 120);
    pub const SUPPLEMENTARY_CAP_HOURS: (u32, u32) = (0, 200);
    /// A reminder goes out 1 to 60 days before a deadline; at most this many a deadline.
    pub const REMINDER_DAYS: (u32, u32) = (1, 60);
    pub const REMINDERS: usize = 5;
}

/// One setting of a year that is out of bounds or contradicts another: the field, and what
/// to tell the person.
pub type Problem = (&'static str, String);

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
            daily_cap_minutes: 480,
            check_min_minutes: 5,
            check_max_minutes: 15,
            supplementary_cap_hours: 12,
            reminder_days: standard_reminder_days(),
            late_payment: false,
        }
    }

    /// The next year made from this one: the same numbers, each deadline a year later (29
    /// February becomes 28 February).
    pub fn next(&self) -> Self {
        let shift = |d: NaiveDate| {
            d.with_year(d.year() + 1)
                .or_else(|| NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 28))
                .expect("28th of a month exists")
        };
        Self {
            year: self.year + 1,
            registration_deadline: shift(self.registration_deadline),
            study_deadline: shift(self.study_deadline),
            ..self.clone()
        }
    }

    /// What is wrong with these settings, field by field; empty when they can be stored.
    pub fn problems(&self) -> Vec<Problem> {
        use bounds::*;
        let mut out = Vec::new();
        fn within(
            out: &mut Vec<Problem>,
            field: &'static str,
            label: &str,
            v: i64,
            (lo, hi): (i64, i64),
            unit: &str,
        ) {
            if v < lo || v > hi {
                out.push((field, format!("{label}应在 {lo}–{hi}{unit} 之间")));
            }
        }
        let wide = |(lo, hi): (u32, u32)| (i64::from(lo), i64::from(hi));
        within(
            &mut out,
            "graded_hours",
            "定级人员学时",
            self.graded_hours.into(),
            wide(HOURS),
            " 学时",
        );
        within(
            &mut out,
            "ungraded_hours",
            "未定级人员学时",
            self.ungraded_hours.into(),
            wide(HOURS),
            " 学时",
        );
        let yuan = (FEE_FEN.0 / 100, FEE_FEN.1 / 100);
        for (field, label, fen) in [
            ("graded_fee_fen", "定级人员费用", self.graded_fee_fen),
            ("ungraded_fee_fen", "未定级人员费用", self.ungraded_fee_fen),
        ] {
            if !(FEE_FEN.0..=FEE_FEN.1).contains(&fen) {
                out.push((field, format!("{label}应在 {}–{} 元之间", yuan.0, yuan.1)));
            }
        }
        within(
            &mut out,
            "minutes_per_hour",
            "每学时分钟数",
            self.minutes_per_hour.into(),
            wide(MINUTES_PER_HOUR),
            " 分钟",
        );
        within(
            &mut out,
            "daily_cap_minutes",
            "每日学习上限",
            self.daily_cap_minutes.into(),
            wide(DAILY_CAP_MINUTES),
            " 分钟",
        );
        within(
            &mut out,
            "check_min_minutes",
            "防挂机验证最短间隔",
            self.check_min_minutes.into(),
            wide(CHECK_MINUTES),
            " 分钟",
        );
        within(
            &mut out,
            "check_max_minutes",
            "防挂机验证最长间隔",
            self.check_max_minutes.into(),
            wide(CHECK_MINUTES),
            " 分钟",
        );
        within(
            &mut out,
            "supplementary_cap_hours",
            "补充活动学时上限",
            self.supplementary_cap_hours.into(),
            wide(SUPPLEMENTARY_CAP_HOURS),
            " 学时",
        );
        let (lo, hi) = REMINDER_DAYS;
        if self.reminder_days.iter().any(|d| !(lo..=hi).contains(d)) {
            out.push(("reminder_days", format!("提醒应在截止日期前 {lo}–{hi} 天")));
        } else if self.reminder_days.len() > REMINDERS {
            out.push((
                "reminder_days",
                format!("每个截止日期最多提醒 {REMINDERS} 次"),
            ));
        } else if (1..self.reminder_days.len())
            .any(|i| self.reminder_days[..i].contains(&self.reminder_days[i]))
        {
            out.push(("reminder_days", "提醒天数不能重复".to_owned()));
        }
        if self.check_max_minutes < self.check_min_minutes {
            out.push((
                "check_max_minutes",
                "防挂机验证最长间隔不能短于最短间隔".to_owned(),
            ));
        }
        if self.supplementary_cap_hours > self.graded_hours.max(self.ungraded_hours) {
            out.push((
                "supplementary_cap_hours",
                "补充活动学时上限不能超过年度要求学时".to_owned(),
            ));
        }
        if self.registration_deadline.year() != self.year {
            out.push((
                "registration_deadline",
                format!("报名缴费截止日期应在 {} 年内", self.year),
            ));
        }
        if self.study_deadline.year() != self.year {
            out.push((
                "study_deadline",
                format!("学习截止日期应在 {} 年内", self.year),
            ));
        }
        if self.study_deadline < self.registration_deadline {
            out.push((
                "study_deadline",
                "学习截止日期不能早于报名缴费截止日期".to_owned(),
            ));
        }
        out
    }

    /// What this year sets of the study-time ledger's rules (`LedgerConfig::with_year`).
    pub fn ledger_rules(&self) -> YearRules {
        YearRules {
            daily_cap_secs: i64::from(self.daily_cap_minutes) * 60,
            check_min_secs: i64::from(self.check_min_minutes) * 60,
            check_max_secs: i64::from(self.check_max_minutes) * 60,
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

    /// Whether someone who has not paid for this year may pay for it at `now`: until the
    /// registration deadline, and after it only where the year allows late payment.
    pub fn payable(&self, now: DateTime<Utc>) -> bool {
        self.registration_open(now) || self.late_payment
    }

    /// The Shanghai days on which reminders of `deadline` go out, the earliest first.
    pub fn reminder_dates(&self, deadline: NaiveDate) -> Vec<(u32, NaiveDate)> {
        let mut out: Vec<(u32, NaiveDate)> = self
            .reminder_days
            .iter()
            .map(|d| (*d, deadline - chrono::Duration::days(i64::from(*d))))
            .collect();
        out.sort_by_key(|(_, day)| *day);
        out
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
    fn a_standard_year_keeps_the_ledgers_default_rules_and_a_changed_one_replaces_them() {
        use crate::ledger::LedgerConfig;
        let base = LedgerConfig::default();
        assert_eq!(
            base.with_year(PolicyYear::standard(2026).ledger_rules()),
            base
        );
        let mut y = PolicyYear::standard(2026);
        y.daily_cap_minutes = 60;
        y.check_min_minutes = 2;
        y.check_max_minutes = 3;
        let rules = base.with_year(y.ledger_rules());
        assert_eq!(
            (
                rules.daily_cap_secs,
                rules.check_min_secs,
                rules.check_max_secs
            ),
            (3600, 120, 180)
        );
        assert_eq!(rules.heartbeat_secs, base.heartbeat_secs);
        assert_eq!(rules.check_window_secs, base.check_window_secs);
    }

    #[test]
    fn the_next_year_keeps_the_numbers_and_moves_the_deadlines() {
        let mut y = PolicyYear::standard(2027);
        y.graded_fee_fen = 13_000;
        y.registration_deadline = NaiveDate::from_ymd_opt(2027, 10, 20).unwrap();
        let n = y.next();
        assert_eq!(n.year, 2028);
        assert_eq!(n.graded_fee_fen, 13_000);
        assert_eq!(
            n.registration_deadline,
            NaiveDate::from_ymd_opt(2028, 10, 20).unwrap()
        );
        assert_eq!(
            n.study_deadline,
            NaiveDate::from_ymd_opt(2028, 12, 31).unwrap()
        );
        let mut leap = PolicyYear::standard(2028);
        leap.registration_deadline = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(
            leap.next().registration_deadline,
            NaiveDate::from_ymd_opt(2029, 2, 28).unwrap()
        );
    }

    #[test]
    fn the_standard_year_is_valid_and_bad_settings_name_their_field() {
        assert!(PolicyYear::standard(2026).problems().is_empty());
        let mut y = PolicyYear::standard(2026);
        y.graded_hours = 420;
        y.ungraded_fee_fen = 0;
        y.check_min_minutes = 20;
        y.study_deadline = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let fields: Vec<&str> = y.problems().iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "graded_hours",
                "ungraded_fee_fen",
                "check_max_minutes",
                "study_deadline"
            ]
        );
        let mut y = PolicyYear::standard(2026);
        y.registration_deadline = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert!(y.problems().iter().any(|p| p.0 == "registration_deadline"));
        for days in [vec![0], vec![61], vec![7, 7], vec![1, 2, 3, 4, 5, 6]] {
            let y = PolicyYear {
                reminder_days: days.clone(),
                ..PolicyYear::standard(2026)
            };
            let fields: Vec<&str> = y.problems().iter().map(|p| p.0).collect();
            assert_eq!(fields, ["reminder_days"], "{days:?}");
        }
    }

    #[test]
    fn a_year_is_payable_after_its_deadline_only_where_it_allows_late_payment() {
        let mut y = PolicyYear::standard(2025);
        let after = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert!(y.payable(Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap()));
        assert!(!y.payable(after));
        y.late_payment = true;
        assert!(y.payable(after));
    }

    #[test]
    fn reminders_fall_on_their_days_before_the_deadline_the_earliest_first() {
        let y = PolicyYear {
            reminder_days: vec![1, 7],
            ..PolicyYear::standard(2026)
        };
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(
            y.reminder_dates(y.registration_deadline),
            [(7, d(10, 24)), (1, d(10, 30))]
        );
    }

    #[test]
    fn settings_stored_before_reminders_and_late_payment_read_as_the_standard() {
        let mut v = serde_json::to_value(PolicyYear::standard(2026)).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("reminder_days");
        o.remove("late_payment");
        let y: PolicyYear = serde_json::from_value(v).unwrap();
        assert_eq!(y, PolicyYear::standard(2026));
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
