//! Supplementary activities (专题讲座, 技能交流; 闽人社文〔2017〕132号 section 七): lectures and
//! skill exchanges an office adds to online study "after filing with the provincial office".
//! An office files one for its region subtree, the province approves or rejects it (with a
//! reason), and after the event the office uploads who attended; the approved 学时 are
//! credited to each attendee's year as the completion source `activity`, within the policy
//! year's supplementary cap ([`capped_secs`]). The wire types and rules both sides share.

use crate::api::FieldError;
use crate::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The most 学时 one activity may carry (a day's lecture programme).
pub const MAX_HOURS: u32 = 8;
/// The most people one activity may expect or list in one upload.
pub const MAX_ATTENDEES: u32 = 5000;
/// The longest title and place, in characters.
pub const MAX_TEXT: usize = 100;

/// What an activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 专题讲座.
    Lecture,
    /// 技能交流.
    Exchange,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 2] = [ActivityKind::Lecture, ActivityKind::Exchange];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Lecture => "lecture",
            ActivityKind::Exchange => "exchange",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Lecture => "专题讲座",
            ActivityKind::Exchange => "技能交流",
        }
    }
}

/// Where an activity stands: filed (editable, awaiting the province), approved (fixed;
/// attendance may be uploaded), rejected (with a reason; the office may change and refile it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Filed,
    Approved,
    Rejected,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 3] = [
        ActivityStatus::Filed,
        ActivityStatus::Approved,
        ActivityStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Filed => "filed",
            ActivityStatus::Approved => "approved",
            ActivityStatus::Rejected => "rejected",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityStatus::Filed => "待审批",
            ActivityStatus::Approved => "已批准",
            ActivityStatus::Rejected => "已退回",
        }
    }
}

/// `POST /api/activities` and `PUT /api/activities/{id}`: what an office files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// The topic (主题).
    pub title: String,
    pub kind: ActivityKind,
    /// The Shanghai calendar date it takes place on; its year is the policy year it counts for.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    pub place: String,
    /// The 学时 each attendee is credited (1–8).
    pub hours: u32,
    /// Expected attendance (1–5000).
    pub expected: u32,
}

impl ActivityInput {
    /// Every field that breaks the rules, with a message for people; empty when it is fine.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let text = |out: &mut Vec<FieldError>, field: &str, label: &str, v: &str| {
            let n = v.trim().chars().count();
            if n == 0 {
                out.push(FieldError::new(
                    field,
                    ErrorCode::ValidationFailed,
                    format!("请填写{label}"),
                ));
            } else if n > MAX_TEXT {
                out.push(FieldError::new(
                    field,
                    ErrorCode::OutOfRange,
                    format!("{label}不能超过 {MAX_TEXT} 个字"),
                ));
            }
        };
        text(&mut out, "title", "活动主题", &self.title);
        text(&mut out, "place", "活动地点", &self.place);
        if !(1..=MAX_HOURS).contains(&self.hours) {
            out.push(FieldError::new(
                "hours",
                ErrorCode::OutOfRange,
                format!("学时应在 1–{MAX_HOURS} 之间"),
            ));
        }
        if !(1..=MAX_ATTENDEES).contains(&self.expected) {
            out.push(FieldError::new(
                "expected",
                ErrorCode::OutOfRange,
                format!("预计人数应在 1–{MAX_ATTENDEES} 之间"),
            ));
        }
        out
    }
}

/// `POST /api/activities/{id}/reject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectActivity {
    /// Why, for the office (required).
    pub reason: String,
}

/// An activity as the office and the province see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Activity {
    pub id: i64,
    /// The region it is filed for (the office's own).
    pub region: String,
    pub region_name: String,
    pub title: String,
    pub kind: ActivityKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// The policy year its 学时 count for.
    pub year: i32,
    pub place: String,
    pub hours: u32,
    pub expected: u32,
    pub status: ActivityStatus,
    /// The province's reason, when rejected.
    pub reason: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// People whose attendance is recorded.
    pub attendees: u64,
}

/// `POST /api/activities/{id}/attendance` as JSON: the attendees' 身份证号, one each (a list
/// pasted from a sheet). A CSV file with a 身份证号 column (or one 身份证号 a line) may be sent
/// instead, as `text/csv` or as the `file` field of `multipart/form-data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttendanceUpload {
    pub id_numbers: Vec<String>,
}

/// One row of an attendance upload that was not credited, and why (`code`: `invalid_id_number`,
/// `not_found`, `not_in_region`, `not_enrolled`, `already_credited`, `cap_reached`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttendanceError {
    /// The row's place in the list (1 = the first 身份证号; in a file, its line).
    pub row: u64,
    /// The 身份证号 as given, masked once it is a valid one.
    pub id_number: String,
    pub code: ErrorCode,
    pub message: String,
}

/// What an attendance upload did: the people credited (each with the seconds their year got,
/// which the supplementary cap may make less than the activity's 学时), and every row that
/// was not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttendanceReport {
    pub rows: u64,
    pub credited: u64,
    /// Seconds credited in all, and of them the people who got less than the full 学时.
    pub credited_secs: i64,
    pub capped: u64,
    pub errors: Vec<AttendanceError>,
}

/// The seconds an activity of `hours` 学时 adds to a year that already has `already_secs`
/// from activities, when the year's supplementary cap is `cap_hours` (both in 学时 of
/// `secs_per_hour` seconds): never more than the cap leaves.
pub fn capped_secs(hours: u32, cap_hours: u32, already_secs: i64, secs_per_hour: i64) -> i64 {
    let want = i64::from(hours) * secs_per_hour;
    let left = (i64::from(cap_hours) * secs_per_hour - already_secs).max(0);
    want.min(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_what_is_left_of_it() {
        assert_eq!(capped_secs(4, 12, 0, 2700), 4 * 2700);
        assert_eq!(capped_secs(4, 12, 10 * 2700, 2700), 2 * 2700);
        assert_eq!(capped_secs(4, 12, 12 * 2700, 2700), 0);
        assert_eq!(capped_secs(4, 0, 0, 2700), 0);
        // Stored more than a lowered cap allows: nothing more, nothing taken back.
        assert_eq!(capped_secs(4, 2, 6 * 2700, 2700), 0);
    }

    #[test]
    fn an_input_names_each_bad_field() {
        let input = ActivityInput {
            title: " ".into(),
            kind: ActivityKind::Lecture,
            date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            place: "x".repeat(101),
            hours: 0,
            expected: 0,
        };
        let fields: Vec<String> = input.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "place", "hours", "expected"]);
        let ok = ActivityInput {
            title: "安全生产专题讲座".into(),
            place: "泉州市人社局报告厅".into(),
            hours: 4,
            expected: 80,
            ..input
        };
        assert!(ok.problems().is_empty());
    }
}
