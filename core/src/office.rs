//! Wire types of the units' and offices' tools (DESIGN.md §8 "Units and offices"): policy
//! years, the audit log, roster import, staff progress, territorial reports and
//! supplementary activities.

use crate::grade::Grade;
use crate::policy::PolicyYear;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What one grade owes in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GradeTerms {
    pub grade: Grade,
    pub required_hours: u32,
    pub fee_fen: i64,
}

/// `GET /api/admin/policy-years/{year}`: a year's settings (the fields of [`PolicyYear`]),
/// what they mean for each grade, and whether they may still be changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PolicyYearView {
    #[serde(flatten)]
    pub policy: PolicyYear,
    /// Every grade's required 学时 and fee, from the graded and ungraded settings.
    pub by_grade: Vec<GradeTerms>,
    /// `false` once the year's study deadline has passed: its settings decided who completed
    /// it, so they stay as they were.
    pub editable: bool,
}

impl PolicyYearView {
    pub fn new(policy: PolicyYear, editable: bool) -> Self {
        let by_grade = Grade::ALL
            .iter()
            .map(|g| GradeTerms {
                grade: *g,
                required_hours: policy.required_hours(*g),
                fee_fen: policy.fee_fen(*g),
            })
            .collect();
        Self {
            policy,
            by_grade,
            editable,
        }
    }
}

/// Who did an audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditActor {
    pub id: i64,
    pub name: String,
    /// The administrator's sign-in name; `None` for a trainee.
    pub username: Option<String>,
    pub role: crate::Role,
}

/// One field an audited change changed, as JSON text before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `None` for the server's own actions.
    pub actor: Option<AuditActor>,
    /// What was done, e.g. `policy_year.update`, `course.publish`, `sign_in`.
    pub action: String,
    /// What it was done to, e.g. `policy_year:2027`, `course:12`.
    pub target: String,
    /// A short note for people (a title, an address).
    pub detail: String,
    /// The fields a change changed, where the log keeps the record before and after it.
    pub changes: Vec<AuditChange>,
}

/// `GET /api/admin/audit`: the newest entries first, at most `limit` of them; `next_before`
/// (an entry id) asks for the page after this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i64>,
}

/// One bad row of an imported roster: the file's line (the header is line 1), the column (the
/// API field name of the column, e.g. `id_number`; `file` for the file as a whole), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RosterError {
    pub row: u64,
    pub field: String,
    pub code: crate::ErrorCode,
    pub message: String,
}

/// `POST /api/unit/roster/import`: what the file holds and, without `dry_run`, what was
/// written (all rows or none: with any error nothing is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RosterReport {
    /// Data rows in the file (the header not counted).
    pub rows: u64,
    /// Rows without an error.
    pub valid: u64,
    /// Every bad row with its reason (a row may have several).
    pub errors: Vec<RosterError>,
    pub dry_run: bool,
    /// New accounts (made, or that the import would make).
    pub created: u64,
    /// Staff of the unit whose record changes.
    pub updated: u64,
    /// Staff of the unit already exactly as in the file.
    pub unchanged: u64,
    /// After a commit, the one-time password of each new account, to print and hand out:
    /// shown this once (only their hashes are kept). Empty in a dry run.
    #[serde(default)]
    pub passwords: Vec<InitialPassword>,
}

/// A new account's one-time password. Its owner signs in with it (身份证号 or phone) and must
/// set their own password before anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InitialPassword {
    /// The row of the file.
    pub row: u64,
    pub name: String,
    /// The whole 身份证号: the sheet is handed to this person, who signs in with it.
    pub id_number: String,
    pub password: String,
}

/// Where a member of a unit's staff stands in the year, in the order the year goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffStatus {
    /// No order and no enrolment for the year.
    Unregistered,
    /// An order made, not yet paid.
    Unpaid,
    /// Paid, 学时 not yet reached.
    Studying,
    /// Paid and the year's 学时 reached.
    Completed,
}

impl StaffStatus {
    pub const ALL: [StaffStatus; 4] = [
        StaffStatus::Unregistered,
        StaffStatus::Unpaid,
        StaffStatus::Studying,
        StaffStatus::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffStatus::Unregistered => "unregistered",
            StaffStatus::Unpaid => "unpaid",
            StaffStatus::Studying => "studying",
            StaffStatus::Completed => "completed",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffStatus::Unregistered => "未报名",
            StaffStatus::Unpaid => "未缴费",
            StaffStatus::Studying => "学习中",
            StaffStatus::Completed => "已完成",
        }
    }

    /// The status of someone registered or not, paid or not, completed or not.
    pub fn of(registered: bool, paid: bool, completed: bool) -> Self {
        match (registered || paid, paid, completed) {
            (_, true, true) => StaffStatus::Completed,
            (_, true, false) => StaffStatus::Studying,
            (true, false, _) => StaffStatus::Unpaid,
            (false, false, _) => StaffStatus::Unregistered,
        }
    }
}

/// One member of a unit's staff in `GET /api/unit/staff/progress`: identity masked, and this
/// year's registration, payment and 学时 as the completion rule settles them (the same
/// figures as the person's own `GET /api/me/years`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffProgress {
    pub id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    /// Masked mobile number.
    pub phone: String,
    pub employment_type: Option<crate::EmploymentType>,
    pub trade: Option<String>,
    /// The grade the year's requirement is for.
    pub grade: Option<Grade>,
    pub registered: bool,
    pub paid: bool,
    /// Seconds that count for the year (every source).
    pub credited_secs: i64,
    /// Seconds the year requires of this person.
    pub required_secs: i64,
    pub completed: bool,
    pub status: StaffStatus,
    /// Has not yet replaced a one-time password (never signed in since the import or a reset).
    pub one_time_password: bool,
}

/// `GET /api/unit/staff/progress`: the unit's staff in the year, filtered and sorted as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UnitProgress {
    pub year: i32,
    /// Minutes of study per 学时 in the year, to show seconds as 学时.
    pub minutes_per_hour: u32,
    /// Staff of the unit before the filter.
    pub total: u64,
    /// How many of the whole staff are in each status, before the filter.
    pub by_status: Vec<StatusCount>,
    pub people: Vec<StaffProgress>,
}

/// How many people are in a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusCount {
    pub status: StaffStatus,
    pub count: u64,
}

/// `POST /api/people/{id}/password-reset` (忘记密码): the trainee's new one-time password,
/// shown once to the admin who verified the person; every session of the trainee ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordReset {
    pub id: i64,
    pub name: String,
    /// Masked 身份证号.
    pub id_number: String,
    pub password: String,
}

/// `POST /api/me/password`: the signed-in person sets their own password (after a one-time
/// password, or to change it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password signed in with (the one-time one, or the current).
    pub current_password: String,
    /// 8–128 characters, not the person's 身份证号 or phone.
    pub new_password: String,
}

/// Counts of one part of a report: trainees (staff with an account), registered for the year
/// (an order made or paid), paid, and completed (paid, and the year's 学时 reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReportRow {
    /// A region code, a unit id or a grade, by what the list is of.
    pub key: String,
    pub name: String,
    pub trainees: u64,
    pub registered: u64,
    pub paid: u64,
    pub completed: u64,
}

/// The unit a summary is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReportUnit {
    pub id: i64,
    pub name: String,
}

/// `GET /api/reports/summary`: a region's year, and the same counts by sub-region (the region
/// itself for units directly in it), by unit and by grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReportSummary {
    pub year: i32,
    /// The region's code.
    pub region: String,
    pub region_name: String,
    /// The region one level up, inside the reader's subtree (for going back up).
    pub parent: Option<String>,
    /// With `unit`: the one unit the counts are of (drilled down from its region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<ReportUnit>,
    pub trainees: u64,
    pub registered: u64,
    pub paid: u64,
    pub completed: u64,
    pub by_region: Vec<ReportRow>,
    pub by_unit: Vec<ReportRow>,
    pub by_grade: Vec<ReportRow>,
}
