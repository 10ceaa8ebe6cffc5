//! Supplementary activities (DESIGN.md §8; rules in `qinxue_core::activity`): an office files
//! one for its region subtree, the province approves or rejects it, the office uploads the
//! attendance of an approved one and each attendee's year is credited, within the year's
//! supplementary cap. Every write is audited; outside the reader's subtree an activity is not
//! found (404).

use crate::access::{AccessError, Actor, Scope};
use crate::error::AppError;
use crate::services::roster::{self, Cell, ImportError, Table};
use crate::state::AppState;
use crate::storage::activities::{self as store, ActivityRow, Credit};
use crate::storage::{audit, policy_years};
use crate::views::activities as view;
use chrono::Datelike;
use qinxue_core::activity::{
    capped_secs, Activity, ActivityInput, ActivityStatus, AttendanceError, AttendanceReport,
    MAX_ATTENDEES,
};
use qinxue_core::api::FieldError;
use qinxue_core::completion::secs_per_hour;
use qinxue_core::id_number::mask_id_number;
use qinxue_core::time::end_of_local_day;
use qinxue_core::{ErrorCode, IdNumber};
use std::collections::HashSet;

/// The longest reason of a rejection, in characters.
pub const MAX_REASON: usize = 200;

/// Why an activity is not filed, changed, decided, shown or credited.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such activity in the reader's region subtree.
    #[error("not found")]
    NotFound,
    /// An office admin without a region of their own, or a reader whose scope is no region.
    #[error("no region")]
    NoRegion,
    /// Fields that break the activity's rules.
    #[error("invalid activity")]
    Invalid(Vec<FieldError>),
    /// The policy year the activity's date falls in is not configured.
    #[error("no policy year {0}")]
    YearNotConfigured(i32),
    /// Approved, or decided by someone else meanwhile.
    #[error("activity decided")]
    Decided,
    /// A rejection without a reason, or with one over [`MAX_REASON`].
    #[error("bad rejection reason")]
    BadReason,
    /// Attendance of an activity that is not approved.
    #[error("activity not approved")]
    NotApproved,
    /// An attendance list without a single 身份证号.
    #[error("no attendees")]
    NoAttendees,
    /// An attendance list over [`MAX_ATTENDEES`].
    #[error("too many attendees")]
    TooManyAttendees,
    /// The activity's own year is no longer configured.
    #[error("no policy year")]
    NoPolicyYear,
    /// An attendance file with neither a 身份证号 column nor a 身份证号 in its first cell.
    #[error("no 身份证号 column")]
    NoIdColumn,
    /// An attendance file that cannot be read as a table.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A fault of the layers below (database, JSON of the audit entry).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for ActivityError {
    fn from(e: sqlx::Error) -> Self {
        ActivityError::Fault(e.into())
    }
}

fn target(id: i64) -> String {
    format!("activity:{id}")
}

fn json(a: &Activity) -> Result<String, AppError> {
    serde_json::to_string(a).map_err(|e| AppError::Internal(format!("activity JSON: {e}")))
}

fn check(input: &ActivityInput) -> Result<(), ActivityError> {
    let problems = input.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ActivityError::Invalid(problems))
    }
}

/// The activity if it lies in the scope; otherwise not found.
async fn scoped(state: &AppState, scope: &Scope, id: i64) -> Result<ActivityRow, ActivityError> {
    let mut conn = state.db.read().await?;
    store::get(&mut conn, id)
        .await?
        .filter(|a| scope.contains_region(&a.region_path))
        .ok_or(ActivityError::NotFound)
}

/// The policy year an activity on `date` counts for must be configured.
async fn year_of(
    conn: &mut sqlx::AnyConnection,
    input: &ActivityInput,
) -> Result<qinxue_core::PolicyYear, ActivityError> {
    let year = input.date.year();
    policy_years::get(conn, year)
        .await?
        .ok_or(ActivityError::YearNotConfigured(year))
}

/// `POST /api/activities`: an office files an activity for its own region.
pub async fn file(
    state: &AppState,
    actor: &Actor,
    input: ActivityInput,
) -> Result<Activity, ActivityError> {
    let (user, _) = actor.office_admin()?;
    let (admin, region) = (
        user.id,
        user.region_code.clone().ok_or(ActivityError::NoRegion)?,
    );
    check(&input)?;
    let now = state.clock.now().timestamp();
    let id = state
        .db
        .write_as::<_, ActivityError, _>(move |c| {
            Box::pin(async move {
                let policy = year_of(&mut *c, &input).await?;
                let id = store::insert(&mut *c, &region, &input, policy.year, admin, now).await?;
                let saved = store::get(&mut *c, id)
                    .await?
                    .ok_or(ActivityError::NotFound)?;
                audit::record_change(
                    &mut *c,
                    now,
                    Some(admin),
                    "activity.file",
                    &target(id),
                    &saved.title,
                    None,
                    Some(&json(&view::activity(&saved))?),
                )
                .await?;
                Ok(id)
            })
        })
        .await?;
    let mut conn = state.db.read().await?;
    let saved = store::get(&mut conn, id)
        .await?
        .ok_or(ActivityError::NotFound)?;
    Ok(view::activity(&saved))
}

/// `PUT /api/activities/{id}`: its office changes a filed or rejected activity, which is
/// filed again; an approved one stays as approved (409).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: ActivityInput,
) -> Result<Activity, ActivityError> {
    let (user, scope) = actor.office_admin()?;
    let admin = user.id;
    scoped(state, &scope, id).await?;
    check(&input)?;
    let now = state.clock.now().timestamp();
    state
        .db
        .write_as::<_, ActivityError, _>(move |c| {
            Box::pin(async move {
                let before = store::get(&mut *c, id)
                    .await?
                    .ok_or(ActivityError::NotFound)?;
                if before.status == ActivityStatus::Approved {
                    return Err(ActivityError::Decided);
                }
                let policy = year_of(&mut *c, &input).await?;
                if !store::update(&mut *c, id, &input, policy.year).await? {
                    return Err(ActivityError::Decided);
                }
                let after = store::get(&mut *c, id)
                    .await?
                    .ok_or(ActivityError::NotFound)?;
                audit::record_change(
                    &mut *c,
                    now,
                    Some(admin),
                    "activity.update",
                    &target(id),
                    &after.title,
                    Some(&json(&view::activity(&before))?),
                    Some(&json(&view::activity(&after))?),
                )
                .await?;
                Ok(view::activity(&after))
            })
        })
        .await
}

/// `POST /api/activities/{id}/approve` and `/reject`: the province decides a filed activity.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    reason: Option<String>,
) -> Result<Activity, ActivityError> {
    let admin = actor.policy_manager()?.id;
    let reason = match reason {
        None => None,
        Some(r) => {
            let r = r.trim().to_owned();
            let n = r.chars().count();
            if n == 0 || n > MAX_REASON {
                return Err(ActivityError::BadReason);
            }
            Some(r)
        }
    };
    let status = match reason {
        Some(_) => ActivityStatus::Rejected,
        None => ActivityStatus::Approved,
    };
    let now = state.clock.now().timestamp();
    state
        .db
        .write_as::<_, ActivityError, _>(move |c| {
            Box::pin(async move {
                let before = store::get(&mut *c, id)
                    .await?
                    .ok_or(ActivityError::NotFound)?;
                if !store::decide(&mut *c, id, status, reason.as_deref(), admin, now).await? {
                    return Err(ActivityError::Decided);
                }
                let after = store::get(&mut *c, id)
                    .await?
                    .ok_or(ActivityError::NotFound)?;
                let action = match status {
                    ActivityStatus::Approved => "activity.approve",
                    _ => "activity.reject",
                };
                audit::record_change(
                    &mut *c,
                    now,
                    Some(admin),
                    action,
                    &target(id),
                    reason.as_deref().unwrap_or(&after.title),
                    Some(&json(&view::activity(&before))?),
                    Some(&json(&view::activity(&after))?),
                )
                .await?;
                Ok(view::activity(&after))
            })
        })
        .await
}

/// `GET /api/activities`: those of the reader's subtree (the province: all), the latest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<ActivityStatus>,
) -> Result<Vec<Activity>, ActivityError> {
    let (_, scope) = actor.office()?;
    let pattern = scope
        .region_pattern()
        .ok_or(ActivityError::NoRegion)?
        .to_owned();
    let mut conn = state.db.read().await?;
    Ok(store::list(&mut conn, &pattern, status)
        .await?
        .into_iter()
        .map(|a| view::activity(&a))
        .collect())
}

/// `GET /api/activities/{id}`.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Activity, ActivityError> {
    let (_, scope) = actor.office()?;
    Ok(view::activity(&scoped(state, &scope, id).await?))
}

/// The 身份证号 of an attendance file (CSV, or XLSX read as the roster import reads it): the
/// column headed 身份证号 (or `id_number`), else the first column when its first cell is
/// itself a 身份证号 (a list without a header). Each with its row number.
pub fn id_numbers_of_file(
    bytes: Vec<u8>,
    today: chrono::NaiveDate,
) -> Result<Vec<(u64, String)>, ActivityError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        Table::from_xlsx(bytes)?
    } else {
        Table::from_csv(&roster::decode(&bytes)?)?
    };
    let label = |h: &str| {
        let h = h.trim().trim_start_matches('\u{feff}');
        h == "身份证号" || h == "身份证号码" || h.eq_ignore_ascii_case("id_number")
    };
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.trim().to_owned(),
        Cell::Number(n) => format!("{n}"),
        Cell::Formula(f) => format!("={f}"),
        _ => String::new(),
    };
    let mut out = Vec::new();
    match table.header.iter().position(|h| label(h)) {
        Some(col) => {
            for (row, cells) in &table.rows {
                let v = cells.get(col).map(text).unwrap_or_default();
                if !v.is_empty() {
                    out.push((*row, v));
                }
            }
        }
        None => {
            let first = table.header.first().map(|h| h.trim()).unwrap_or("");
            if IdNumber::parse(first, today).is_err() {
                return Err(ActivityError::NoIdColumn);
            }
            out.push((1, first.to_owned()));
            for (row, cells) in &table.rows {
                let v = cells.first().map(text).unwrap_or_default();
                if !v.is_empty() {
                    out.push((*row, v));
                }
            }
        }
    }
    Ok(out)
}

/// A row that is not credited; the 身份证号 masked when it is one (`valid`).
fn row_error(row: u64, id: &str, valid: bool, code: ErrorCode, message: &str) -> AttendanceError {
    let shown = if valid {
        mask_id_number(id)
    } else {
        id.chars().take(24).collect()
    };
    AttendanceError {
        row,
        id_number: shown,
        code,
        message: message.to_owned(),
    }
}

/// `POST /api/activities/{id}/attendance`: its office uploads who attended an approved
/// activity (`rows`: each 身份证号 with its row number). Each person of the activity's region
/// who is enrolled for its year is credited its 学时, as far as the year's supplementary cap
/// allows; every other row is reported with its reason and credits nothing. A person already
/// recorded for the activity is reported, never credited twice.
pub async fn upload_attendance(
    state: &AppState,
    actor: &Actor,
    id: i64,
    rows: Vec<(u64, String)>,
) -> Result<AttendanceReport, ActivityError> {
    let (user, scope) = actor.office_admin()?;
    let admin = user.id;
    let activity = scoped(state, &scope, id).await?;
    if activity.status != ActivityStatus::Approved {
        return Err(ActivityError::NotApproved);
    }
    if rows.is_empty() {
        return Err(ActivityError::NoAttendees);
    }
    if rows.len() > MAX_ATTENDEES as usize {
        return Err(ActivityError::TooManyAttendees);
    }
    let today = qinxue_core::time::local_date(state.clock.now());
    let now = state.clock.now().timestamp();
    state
        .db
        .write_as::<_, ActivityError, _>(move |c| {
            Box::pin(async move {
                let a = &activity;
                let policy = policy_years::get(&mut *c, a.year)
                    .await?
                    .ok_or(ActivityError::NoPolicyYear)?;
                let per = secs_per_hour(policy.minutes_per_hour);
                let at = end_of_local_day(a.date).timestamp();
                let mut report = AttendanceReport {
                    rows: rows.len() as u64,
                    credited: 0,
                    credited_secs: 0,
                    capped: 0,
                    errors: Vec::new(),
                };
                // Valid, distinct 身份证号 first; the rest are reported as they come.
                let mut seen = HashSet::new();
                let mut valid: Vec<(u64, String)> = Vec::new();
                for (row, raw) in &rows {
                    match IdNumber::parse(raw.trim(), today) {
                        Err(_) => report.errors.push(row_error(
                            *row,
                            raw,
                            false,
                            ErrorCode::InvalidIdNumber,
                            "身份证号不正确（应为 18 位，校验位正确）",
                        )),
                        Ok(n) => {
                            let n = n.as_str().to_owned();
                            if seen.insert(n.clone()) {
                                valid.push((*row, n));
                            } else {
                                report.errors.push(row_error(
                                    *row,
                                    &n,
                                    true,
                                    ErrorCode::AlreadyCredited,
                                    "名单中重复出现，只登记一次",
                                ));
                            }
                        }
                    }
                }
                let numbers: Vec<String> = valid.iter().map(|v| v.1.clone()).collect();
                let people = store::attendees(&mut *c, &numbers, a.year).await?;
                let attended = store::attended(&mut *c, a.id).await?;
                let ids: Vec<i64> = people.values().map(|p| p.user_id).collect();
                let mut already = store::credited_in_year(&mut *c, &ids, a.year).await?;
                for (row, n) in valid {
                    let Some(p) = people.get(&n) else {
                        report.errors.push(row_error(
                            row,
                            &n,
                            true,
                            ErrorCode::NotFound,
                            "没有这个身份证号的学员账户",
                        ));
                        continue;
                    };
                    let inside = p
                        .region_path
                        .as_deref()
                        .is_some_and(|path| path.starts_with(&activity.region_path));
                    let refusal = if !inside {
                        Some((ErrorCode::NotInRegion, "此人不属于本活动所在地区"))
                    } else if !p.enrolled {
                        Some((ErrorCode::NotEnrolled, "此人尚未报名缴费本年度培训"))
                    } else if attended.contains(&p.user_id) {
                        Some((
                            ErrorCode::AlreadyCredited,
                            ErrorCode::AlreadyCredited.default_message(),
                        ))
                    } else {
                        None
                    };
                    if let Some((code, message)) = refusal {
                        report.errors.push(row_error(row, &n, true, code, message));
                        continue;
                    }
                    let have = already.get(&p.user_id).copied().unwrap_or(0);
                    let secs = capped_secs(a.hours, policy.supplementary_cap_hours, have, per);
                    if secs == 0 {
                        report.errors.push(row_error(
                            row,
                            &n,
                            true,
                            ErrorCode::CapReached,
                            &format!(
                                "此人本年度的补充活动学时已达上限（{} 学时）",
                                policy.supplementary_cap_hours
                            ),
                        ));
                        continue;
                    }
                    let credit = Credit {
                        user_id: p.user_id,
                        secs,
                    };
                    if !store::record(&mut *c, a.id, a.year, credit, at, admin, now).await? {
                        report.errors.push(row_error(
                            row,
                            &n,
                            true,
                            ErrorCode::AlreadyCredited,
                            ErrorCode::AlreadyCredited.default_message(),
                        ));
                        continue;
                    }
                    *already.entry(p.user_id).or_default() += secs;
                    report.credited += 1;
                    report.credited_secs += secs;
                    if secs < i64::from(a.hours) * per {
                        report.capped += 1;
                    }
                }
                report.errors.sort_by_key(|e| e.row);
                audit::record(
                    &mut *c,
                    now,
                    Some(admin),
                    "activity.attendance",
                    &target(a.id),
                    &format!(
                        "{}：上传 {} 人，登记 {} 人，未登记 {} 人",
                        a.title,
                        report.rows,
                        report.credited,
                        report.errors.len()
                    ),
                )
                .await?;
                Ok(report)
            })
        })
        .await
}
