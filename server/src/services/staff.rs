//! The unit admin's staff view (issue 11 part 2): this year's registration, payment and 学时
//! of each person of the unit, filtered and sorted, and exported as CSV or XLSX without a row
//! limit. Each person's year is settled by `services::completion::of_trainee`, the same
//! computation as their own `GET /api/me/years`, so the unit sees what the person sees.
//! 身份证号 and phone are masked everywhere here, exports included.

use crate::access::{AccessError, Actor};
use crate::error::AppError;
use crate::services::{completion, policy, spreadsheet};
use crate::state::AppState;
use crate::storage::staff as store;
use chrono::Datelike;
use qinxue_core::catalogue::format_hours;
use qinxue_core::id_number::mask_id_number;
use qinxue_core::office::{StaffProgress, StaffStatus, StatusCount, UnitProgress};
use qinxue_core::phone::mask_phone;
use qinxue_core::time::local_date;

/// Why the unit's staff are not shown or exported.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A year before 2000 or after the next one: nothing can be registered for it.
    #[error("no such year")]
    NotFound,
    /// A fault of the layers below (database, the policy year in force, the export writers).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for StaffError {
    fn from(e: sqlx::Error) -> Self {
        StaffError::Fault(e.into())
    }
}

impl From<crate::services::spreadsheet::SpreadsheetError> for StaffError {
    fn from(e: crate::services::spreadsheet::SpreadsheetError) -> Self {
        StaffError::Fault(e.into())
    }
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// By name (the default).
    #[default]
    Name,
    /// Least 学时 done (as a share of the requirement) first: who needs chasing.
    Progress,
    /// By status, the furthest behind first.
    Status,
}

/// What the admin asked to see.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub year: Option<i32>,
    pub status: Option<StaffStatus>,
    /// Part of a name, or the last digits of a 身份证号 or phone.
    pub query: Option<String>,
    pub sort: Sort,
}

/// The unit's staff in the year, filtered and sorted.
pub async fn progress(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
) -> Result<UnitProgress, StaffError> {
    actor.unit_admin()?;
    let scope = actor.people()?;
    let now = state.clock.now();
    let year = match filter.year {
        Some(y) if y < 2000 || y > local_date(now).year() + 1 => return Err(StaffError::NotFound),
        Some(y) => y,
        None => policy::in_force(state, now).await?.year,
    };
    let mut conn = state.db.read().await?;
    let policy = completion::policy_of(&mut conn, year).await?;
    let members = store::members(&mut conn, &scope, year).await?;
    let mut everyone = Vec::with_capacity(members.len());
    for m in members {
        let u = &m.user;
        let years = completion::of_trainee(&mut conn, u.id, u.grade, now)
            .await?
            .unwrap_or_default();
        let this = years.iter().find(|y| y.policy.year == year);
        let (paid, completed, credited_secs, required_secs, grade) = match this {
            Some(y) => (
                y.outcome.enrolled,
                y.outcome.completed,
                y.outcome.credited.total(),
                y.outcome.required_secs,
                y.grade,
            ),
            None => {
                let required = u.grade.map_or(0, |g| {
                    i64::from(policy.required_hours(g))
                        * qinxue_core::completion::secs_per_hour(policy.minutes_per_hour)
                });
                (false, false, 0, required, u.grade)
            }
        };
        let matches_query = filter.query.as_deref().is_none_or(|q| {
            u.name.contains(q)
                || u.id_number.as_deref().is_some_and(|n| n.ends_with(q))
                || u.phone.as_deref().is_some_and(|p| p.ends_with(q))
        });
        everyone.push((
            matches_query,
            StaffProgress {
                id: u.id,
                name: u.name.clone(),
                id_number: mask_id_number(u.id_number.as_deref().unwrap_or("")),
                phone: mask_phone(u.phone.as_deref().unwrap_or("")),
                employment_type: u.employment_type,
                trade: u.trade.clone(),
                grade,
                registered: m.registered || paid,
                paid,
                credited_secs,
                required_secs,
                completed,
                status: StaffStatus::of(m.registered, paid, completed),
                one_time_password: u.must_change_password,
            },
        ));
    }
    let by_status = StaffStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            count: everyone.iter().filter(|(_, p)| p.status == status).count() as u64,
        })
        .collect();
    let total = everyone.len() as u64;
    let mut people: Vec<StaffProgress> = everyone
        .into_iter()
        .filter(|(q, p)| *q && filter.status.is_none_or(|s| p.status == s))
        .map(|(_, p)| p)
        .collect();
    // The store lists by name; the other orders keep that as the tie-break (a stable sort).
    match filter.sort {
        Sort::Name => {}
        Sort::Status => people.sort_by_key(|p| p.status),
        Sort::Progress => people.sort_by(|a, b| share(a).total_cmp(&share(b))),
    }
    Ok(UnitProgress {
        year,
        minutes_per_hour: policy.minutes_per_hour,
        total,
        by_status,
        people,
    })
}

/// The share of the requirement done, 1 when nothing is required.
fn share(p: &StaffProgress) -> f64 {
    if p.required_secs <= 0 {
        1.0
    } else {
        p.credited_secs as f64 / p.required_secs as f64
    }
}

/// The export's columns, with their XLSX widths.
const COLUMNS: [(&str, f64); 11] = [
    ("姓名", 10.0),
    ("身份证号", 22.0),
    ("手机", 14.0),
    ("用工类型", 12.0),
    ("工种", 14.0),
    ("等级", 10.0),
    ("状态", 8.0),
    ("已报名", 8.0),
    ("已缴费", 8.0),
    ("已学学时", 10.0),
    ("应学学时", 10.0),
];

fn yes(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn export_rows(progress: &UnitProgress) -> Vec<[String; 11]> {
    let hours = |secs| format_hours(secs, progress.minutes_per_hour);
    progress
        .people
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.id_number.clone(),
                p.phone.clone(),
                p.employment_type.map_or("", |e| e.label()).to_owned(),
                p.trade.clone().unwrap_or_default(),
                p.grade.map_or("", |g| g.label()).to_owned(),
                p.status.label().to_owned(),
                yes(p.registered).to_owned(),
                yes(p.paid).to_owned(),
                hours(p.credited_secs),
                hours(p.required_secs),
            ]
        })
        .collect()
}

/// The view as CSV (with a BOM, for Chinese Excel), every row of the filter.
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
) -> Result<Vec<u8>, StaffError> {
    let progress = progress(state, actor, filter).await?;
    let labels: Vec<&str> = COLUMNS.iter().map(|(l, _)| *l).collect();
    let mut out = spreadsheet::CsvOut::new(&labels);
    for row in export_rows(&progress) {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.row(&cells)?;
    }
    Ok(out.finish()?)
}

/// The view as XLSX, every row of the filter.
pub async fn export_xlsx(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
) -> Result<Vec<u8>, StaffError> {
    let progress = progress(state, actor, filter).await?;
    let sheet = format!("{}年度学习情况", progress.year);
    Ok(tokio::task::spawn_blocking(move || {
        let mut out = spreadsheet::XlsxOut::new(&sheet, &COLUMNS)?;
        for row in export_rows(&progress) {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            out.row(&cells)?;
        }
        out.finish()
    })
    .await
    .map_err(|e| AppError::Internal(format!("staff XLSX task: {e}")))??)
}
