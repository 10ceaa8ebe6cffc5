//! Reminders before a year's deadlines (DESIGN.md §1: registration and payment close on
//! 31 October, study on 31 December): to those not yet paid before the registration deadline,
//! and to those paid and not finished before the study deadline, on the days before each that
//! the policy year sets (`PolicyYear::reminder_days`). The server sends each once per person
//! and reminder; the trainee's home page shows them and a deployment may pass them on by SMS.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Which deadline a reminder is about, and so whom it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Registration and payment close: to trainees who have not paid for the year.
    Registration,
    /// Study closes: to trainees paid for the year who have not completed it.
    Study,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [ReminderKind::Registration, ReminderKind::Study];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Registration => "registration",
            ReminderKind::Study => "study",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A reminder the trainee was sent (`GET /api/me/reminders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Reminder {
    pub id: i64,
    pub year: i32,
    pub kind: ReminderKind,
    /// How many days before the deadline it was due.
    pub days_before: u32,
    /// The deadline (Shanghai calendar date, inclusive).
    pub deadline: NaiveDate,
    /// The text, as sent by SMS too.
    pub message: String,
    pub sent_at: DateTime<Utc>,
}

/// The text of a reminder. `missing_hours` is what a year still misses (`Study` only), in
/// 学时 with one decimal.
pub fn message(
    kind: ReminderKind,
    name: &str,
    year: i32,
    deadline: NaiveDate,
    missing_hours: &str,
) -> String {
    let (m, d) = (deadline.month(), deadline.day());
    match kind {
        ReminderKind::Registration => format!(
            "【勤学】{name}您好：{year}年度继续教育报名缴费将于{m}月{d}日截止，您尚未缴费，请及时登录平台报名缴费。"
        ),
        ReminderKind::Study => format!(
            "【勤学】{name}您好：{year}年度继续教育学习将于{m}月{d}日截止，您还差 {missing_hours} 学时，请抓紧完成。"
        ),
    }
}

/// Which reminder round of a deadline is due on `today`: the latest of its days that has come
/// (the smallest number of days before), while the deadline has not passed. A server that was
/// down on an earlier round's day sends only the round now due, never two at once.
pub fn due_round(days: &[(u32, NaiveDate)], deadline: NaiveDate, today: NaiveDate) -> Option<u32> {
    if today > deadline {
        return None;
    }
    days.iter()
        .filter(|(_, day)| *day <= today)
        .max_by_key(|(_, day)| *day)
        .map(|(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_round_due_is_the_latest_day_reached_until_the_deadline() {
        let deadline = d(10, 31);
        let days = [(7, d(10, 24)), (1, d(10, 30))];
        assert_eq!(due_round(&days, deadline, d(10, 23)), None);
        assert_eq!(due_round(&days, deadline, d(10, 24)), Some(7));
        assert_eq!(due_round(&days, deadline, d(10, 29)), Some(7));
        assert_eq!(due_round(&days, deadline, d(10, 30)), Some(1));
        assert_eq!(due_round(&days, deadline, d(10, 31)), Some(1));
        assert_eq!(due_round(&days, deadline, d(11, 1)), None);
        assert_eq!(due_round(&[], deadline, d(10, 30)), None);
    }

    #[test]
    fn messages_name_the_person_the_year_and_the_deadline() {
        let m = message(ReminderKind::Study, "王建国", 2026, d(12, 31), "12.5");
        assert!(m.contains("王建国") && m.contains("2026年度") && m.contains("12月31日"));
        assert!(m.contains("12.5 学时"));
        let r = message(ReminderKind::Registration, "林晓梅", 2026, d(10, 31), "");
        assert!(r.contains("10月31日截止") && r.contains("尚未缴费"));
        assert_eq!(ReminderKind::from_wire("study"), Some(ReminderKind::Study));
        assert_eq!(ReminderKind::from_wire("sms"), None);
    }
}
