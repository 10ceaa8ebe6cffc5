//! The offices' and the province's reports (DESIGN.md §8), scoped on the server to the
//! reader's region subtree: a region outside it is not found (404).

use crate::access::{AccessError, Actor, Scope};
use crate::error::AppError;
use crate::services::spreadsheet::{CsvOut, XlsxOut};
use crate::services::standings;
use crate::state::AppState;
use crate::storage::policy_years;
use crate::storage::regions::{self, RegionRow};
use crate::storage::reports as store;
use crate::storage::year_standings as store_standings;
use chrono::Datelike;
use qinxue_core::catalogue::format_hours;
use qinxue_core::id_number::mask_id_number;
use qinxue_core::office::{ReportRow, ReportSummary, ReportUnit};
use qinxue_core::time::local_date;
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

/// Why a report is refused.
#[derive(Debug, thiserror::Error)]
pub enum ReportsError {
    /// Not an office or the province.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// A region or unit outside the reader's subtree, or a year that is not configured.
    #[error("not found")]
    NotFound,
    /// A fault of the layers below (database, spreadsheet writer).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for ReportsError {
    fn from(e: sqlx::Error) -> Self {
        ReportsError::Fault(e.into())
    }
}

impl From<crate::services::spreadsheet::SpreadsheetError> for ReportsError {
    fn from(e: crate::services::spreadsheet::SpreadsheetError) -> Self {
        ReportsError::Fault(e.into())
    }
}

/// The region a report is of, with its path; outside the reader's subtree: not found.
struct Target {
    region: RegionRow,
    path: String,
    scope: Scope,
}

async fn region_path(conn: &mut AnyConnection, code: &str) -> Result<Option<String>, ReportsError> {
    Ok(
        sqlx::query_scalar("SELECT path FROM regions WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

async fn target(
    conn: &mut AnyConnection,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Target, ReportsError> {
    let (user, scope) = actor.office()?;
    let code = match region {
        Some(code) => code.to_owned(),
        None => user.region_code.clone().ok_or(ReportsError::NotFound)?,
    };
    let path = region_path(conn, &code)
        .await?
        .ok_or(ReportsError::NotFound)?;
    if !scope.contains_region(&path) {
        return Err(ReportsError::NotFound);
    }
    let region = regions::get(conn, &code)
        .await?
        .ok_or(ReportsError::NotFound)?;
    Ok(Target {
        region,
        path,
        scope,
    })
}

/// The report's year: as asked, else the one of today; it must be configured.
async fn report_year(
    conn: &mut AnyConnection,
    state: &AppState,
    year: Option<i32>,
) -> Result<PolicyYear, ReportsError> {
    let year = year.unwrap_or_else(|| local_date(state.clock.now()).year());
    policy_years::get(conn, year)
        .await?
        .ok_or(ReportsError::NotFound)
}

/// Settles the standings of every marked trainee, each round in a write transaction of its
/// own, so that a report reads them as every write so far left them.
async fn settle_marked(state: &AppState) -> Result<(), ReportsError> {
    loop {
        let now = state.clock.now();
        let settled = state
            .db
            .write(move |c| Box::pin(async move { Ok(standings::settle_marked(c, now).await?) }))
            .await?;
        if !standings::more_left(settled) {
            return Ok(());
        }
    }
}

/// The counts of one part of a report.
#[derive(Debug, Clone, Default)]
struct Tally {
    trainees: u64,
    registered: u64,
    paid: u64,
    completed: u64,
}

impl Tally {
    fn of(t: &store_standings::Tally) -> Self {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Tally {
            trainees: n(t.trainees),
            registered: n(t.registered),
            paid: n(t.paid),
            completed: n(t.completed),
        }
    }

    fn of_standing(s: &store_standings::Standing) -> Self {
        Tally {
            trainees: 1,
            registered: u64::from(s.registered || s.paid),
            paid: u64::from(s.paid),
            completed: u64::from(s.completed),
        }
    }

    fn add(&mut self, t: &Tally) {
        self.trainees += t.trainees;
        self.registered += t.registered;
        self.paid += t.paid;
        self.completed += t.completed;
    }

    fn row(&self, key: String, name: String) -> ReportRow {
        ReportRow {
            key,
            name,
            trainees: self.trainees,
            registered: self.registered,
            paid: self.paid,
            completed: self.completed,
        }
    }
}

/// The counts of the subtree's trainees in `policy`'s year by unit and grade: the stored
/// standings, and those in a live study session settled as they are now.
async fn tallies(
    conn: &mut AnyConnection,
    state: &AppState,
    pattern: &str,
    policy: &PolicyYear,
) -> Result<Vec<(i64, Option<Grade>, Tally)>, ReportsError> {
    let mut out: Vec<(i64, Option<Grade>, Tally)> =
        store_standings::tallies(conn, pattern, policy.year)
            .await?
            .iter()
            .map(|t| {
                (
                    t.unit_id,
                    t.grade.as_deref().and_then(Grade::from_wire),
                    Tally::of(t),
                )
            })
            .collect();
    for l in live_standings(conn, state, pattern, policy).await? {
        let grade = l.standing.grade.as_deref().and_then(Grade::from_wire);
        out.push((l.unit_id, grade, Tally::of_standing(&l.standing)));
    }
    Ok(out)
}

/// A trainee in a live study session, with their standing in the report's year as it is now.
struct LiveStanding {
    unit_id: i64,
    name: String,
    id_number: String,
    standing: store_standings::Standing,
}

/// The subtree's trainees in a live study session with their standings in `policy`'s year:
/// from the stored standing and the session where that is exact (`standings::with_live`),
/// else settled now.
async fn live_standings(
    conn: &mut AnyConnection,
    state: &AppState,
    pattern: &str,
    policy: &PolicyYear,
) -> Result<Vec<LiveStanding>, ReportsError> {
    let mut out = Vec::new();
    let mut unsettled = Vec::new();
    for l in store_standings::live(conn, pattern).await? {
        match standings::with_live(&l).filter(|_| l.year == policy.year) {
            Some(standing) => out.push(LiveStanding {
                unit_id: l.unit_id,
                name: l.name,
                id_number: l.id_number,
                standing,
            }),
            None => unsettled.push(l),
        }
    }
    let ids: Vec<i64> = unsettled.iter().map(|l| l.user_id).collect();
    let people: HashMap<i64, store_standings::Live> =
        unsettled.into_iter().map(|l| (l.user_id, l)).collect();
    for s in standings::settle(conn, state.clock.now(), &ids, true).await? {
        let Some(l) = people.get(&s.user_id) else {
            continue;
        };
        out.push(LiveStanding {
            unit_id: s.unit_id,
            name: l.name.clone(),
            id_number: l.id_number.clone(),
            standing: s.of_year(policy.year, policy),
        });
    }
    Ok(out)
}

/// The code of the child of the region at `root` (a path) that `path` lies in; the root's own
/// code for the root itself.
fn child_code(root: &str, path: &str) -> String {
    let rest = path.strip_prefix(root).unwrap_or("");
    match rest.split('/').find(|c| !c.is_empty()) {
        Some(code) => code.to_owned(),
        None => root
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned(),
    }
}

/// The unit a report is narrowed to: one of the region's subtree, else not found.
fn narrowed(
    units: &[store::Unit],
    unit: Option<i64>,
) -> Result<Option<&store::Unit>, ReportsError> {
    match unit {
        None => Ok(None),
        Some(id) => units
            .iter()
            .find(|u| u.id == id)
            .map(Some)
            .ok_or(ReportsError::NotFound),
    }
}

/// `GET /api/reports/summary`: of a region, or of one unit in it.
pub async fn summary(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<ReportSummary, ReportsError> {
    actor.office()?;
    settle_marked(state).await?;
    let mut conn = state.db.read().await?;
    let t = target(&mut conn, actor, region).await?;
    let policy = report_year(&mut conn, state, year).await?;
    let pattern = format!("{}%", t.path);
    let all = regions::list(&mut conn).await?;
    let units = store::units(&mut conn, &pattern).await?;
    let only = narrowed(&units, unit)?;
    let tallies: Vec<(i64, Option<Grade>, Tally)> = tallies(&mut conn, state, &pattern, &policy)
        .await?
        .into_iter()
        .filter(|t| only.is_none_or(|u| u.id == t.0))
        .collect();
    let unit_of: HashMap<i64, &store::Unit> = units.iter().map(|u| (u.id, u)).collect();

    let mut total = Tally::default();
    let mut by_region: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_unit: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut by_grade: HashMap<Grade, Tally> = HashMap::new();
    for (unit_id, grade, c) in &tallies {
        total.add(c);
        if let Some(u) = unit_of.get(unit_id) {
            by_region
                .entry(child_code(&t.path, &u.region_path))
                .or_default()
                .add(c);
        }
        by_unit.entry(*unit_id).or_default().add(c);
        if let Some(g) = grade {
            by_grade.entry(*g).or_default().add(c);
        }
    }
    let name_of = |code: &str| {
        all.iter()
            .find(|r| r.code == code)
            .map(|r| {
                if code == t.region.code {
                    format!("{}（本级）", r.name)
                } else {
                    r.name.clone()
                }
            })
            .unwrap_or_default()
    };
    let by_region = by_region
        .into_iter()
        .map(|(code, c)| c.row(code.clone(), name_of(&code)))
        .collect();
    let by_unit = by_unit
        .into_iter()
        .map(|(id, c)| {
            let name = unit_of.get(&id).map(|u| u.name.clone()).unwrap_or_default();
            c.row(id.to_string(), name)
        })
        .collect();
    let by_grade = Grade::ALL
        .iter()
        .filter_map(|g| {
            by_grade
                .get(g)
                .map(|c| c.row(g.as_str().to_owned(), g.label().to_owned()))
        })
        .collect();
    let parent = match &t.region.parent_code {
        Some(code) => {
            let path = region_path(&mut conn, code).await?;
            path.filter(|p| t.scope.contains_region(p))
                .map(|_| code.clone())
        }
        None => None,
    };
    Ok(ReportSummary {
        year: policy.year,
        region: t.region.code.clone(),
        region_name: t.region.name.clone(),
        parent,
        unit: only.map(|u| ReportUnit {
            id: u.id,
            name: u.name.clone(),
        }),
        trainees: total.trainees,
        registered: total.registered,
        paid: total.paid,
        completed: total.completed,
        by_region,
        by_unit,
        by_grade,
    })
}

/// A trainee who has not completed the year, with what is missing.
#[derive(Debug, Clone)]
pub struct NonCompleter {
    pub name: String,
    pub id_number: String,
    pub unit: String,
    pub region_code: String,
    pub grade: Option<Grade>,
    pub paid: bool,
    pub credited_secs: i64,
    pub required_secs: i64,
}

/// Everyone of the region (or of one unit in it) who has not completed the year (the
/// summary's standings), by region, unit and name; and the year's settings.
pub async fn non_completers(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<(Vec<NonCompleter>, PolicyYear), ReportsError> {
    actor.office()?;
    settle_marked(state).await?;
    let mut conn = state.db.read().await?;
    let t = target(&mut conn, actor, region).await?;
    let policy = report_year(&mut conn, state, year).await?;
    let pattern = format!("{}%", t.path);
    let units = store::units(&mut conn, &pattern).await?;
    let only = narrowed(&units, unit)?;
    let unit_of: HashMap<i64, &store::Unit> = units.iter().map(|u| (u.id, u)).collect();
    let grade_of = |g: Option<&str>| g.and_then(Grade::from_wire);
    let unit_fields = |id: i64| {
        let unit = unit_of.get(&id);
        (
            unit.map(|u| u.name.clone()).unwrap_or_default(),
            unit.map(|u| u.region_code.clone()).unwrap_or_default(),
        )
    };
    let mut out: Vec<NonCompleter> = Vec::new();
    for o in store_standings::open(&mut conn, &pattern, policy.year).await? {
        if only.is_some_and(|u| u.id != o.unit_id) {
            continue;
        }
        let (unit, region_code) = unit_fields(o.unit_id);
        out.push(NonCompleter {
            required_secs: o
                .required_secs
                .unwrap_or_else(|| standings::required_secs(&policy, o.grade.as_deref())),
            grade: grade_of(o.grade.as_deref()),
            name: o.name,
            id_number: o.id_number,
            unit,
            region_code,
            paid: o.paid,
            credited_secs: o.credited_secs,
        });
    }
    for l in live_standings(&mut conn, state, &pattern, &policy).await? {
        let y = l.standing;
        if y.completed || only.is_some_and(|u| u.id != l.unit_id) {
            continue;
        }
        let (unit, region_code) = unit_fields(l.unit_id);
        out.push(NonCompleter {
            name: l.name,
            id_number: l.id_number,
            unit,
            region_code,
            grade: grade_of(y.grade.as_deref()),
            paid: y.paid,
            credited_secs: y.credited_secs,
            required_secs: y.required_secs,
        });
    }
    out.sort_by(|a, b| (&a.region_code, &a.unit, &a.name).cmp(&(&b.region_code, &b.unit, &b.name)));
    Ok((out, policy))
}

/// The non-completers' export columns, with their XLSX widths.
const NON_COMPLETER_COLUMNS: [(&str, f64); 9] = [
    ("姓名", 10.0),
    ("身份证号", 22.0),
    ("单位", 28.0),
    ("地区", 24.0),
    ("等级", 10.0),
    ("已缴费", 8.0),
    ("已获学时", 10.0),
    ("要求学时", 10.0),
    ("还差学时", 10.0),
];

/// The non-completers as the exports' rows: one a person, 身份证号 masked.
async fn non_completer_rows(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<[String; 9]>, ReportsError> {
    let (people, policy) = non_completers(state, actor, year, region, unit).await?;
    let all = {
        let mut conn = state.db.read().await?;
        regions::list(&mut conn).await?
    };
    let hours = |secs: i64| format_hours(secs, policy.minutes_per_hour);
    // Each region's full name once, not once a person: a province lists a hundred thousand.
    let mut region_names: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(people.len());
    for p in people {
        let region = region_names
            .entry(p.region_code)
            .or_insert_with_key(|code| regions::full_name(&all, code))
            .clone();
        rows.push([
            p.name,
            mask_id_number(&p.id_number),
            p.unit,
            region,
            p.grade.map_or("", Grade::label).to_owned(),
            if p.paid { "是" } else { "否" }.to_owned(),
            hours(p.credited_secs),
            hours(p.required_secs),
            hours((p.required_secs - p.credited_secs).max(0)),
        ]);
    }
    Ok(rows)
}

/// `GET /api/reports/non-completers.csv`: one row a person, 身份证号 masked, no row limit.
pub async fn non_completers_csv(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<u8>, ReportsError> {
    let labels: Vec<&str> = NON_COMPLETER_COLUMNS.iter().map(|(l, _)| *l).collect();
    let mut out = CsvOut::new(&labels);
    for row in non_completer_rows(state, actor, year, region, unit).await? {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.row(&cells)?;
    }
    Ok(out.finish()?)
}

/// `GET /api/reports/non-completers.xlsx`: the same rows as the CSV, as an XLSX workbook.
pub async fn non_completers_xlsx(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    region: Option<&str>,
    unit: Option<i64>,
) -> Result<Vec<u8>, ReportsError> {
    let rows = non_completer_rows(state, actor, year, region, unit).await?;
    Ok(tokio::task::spawn_blocking(move || {
        let mut out = XlsxOut::new("未完成人员", &NON_COMPLETER_COLUMNS)?;
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            out.row(&cells)?;
        }
        out.finish()
    })
    .await
    .map_err(|e| AppError::Internal(format!("non-completers XLSX task: {e}")))??)
}
