//! Trainees' standings in their policy years (`storage::year_standings`), settled by
//! `qinxue_core::completion` from the same credits `/api/me/years` settles: every year of the
//! trainee, as an earlier unfinished year takes later credit first. A year's lesson credit
//! counts as earned at that year's study deadline and an activity's at the end of its day:
//! the rule's outcome depends on the order of credits only across years, and a year's credit
//! is earned while it is in force.

use crate::services::completion;
use crate::storage::reports::{self as store, YearSecs};
use crate::storage::year_standings::{self as stored, Standing};
use chrono::{DateTime, Utc};
use qinxue_core::completion::{self as rule, secs_per_hour, Credit, Source, YearTerms};
use qinxue_core::{Grade, PolicyYear};
use sqlx::AnyConnection;
use std::collections::{BTreeSet, HashMap};

/// Trainees settled in one go: a few grouped reads for all of them.
const PER_ROUND: usize = stored::PER_STATEMENT;

/// A trainee with their standing in every year they have anything in.
#[derive(Debug, Clone)]
pub struct Settled {
    pub user_id: i64,
    pub unit_id: i64,
    pub profile_grade: Option<String>,
    pub years: Vec<Standing>,
}

impl Settled {
    /// The standing in `year`; nothing in it: the defaults of a year without a row.
    pub fn of_year(&self, year: i32, policy: &PolicyYear) -> Standing {
        self.years
            .iter()
            .find(|s| s.year == year)
            .cloned()
            .unwrap_or_else(|| Standing {
                user_id: self.user_id,
                year,
                grade: self.profile_grade.clone(),
                registered: false,
                paid: false,
                credited_secs: 0,
                required_secs: required_secs(policy, self.profile_grade.as_deref()),
                completed: false,
            })
    }
}

/// What `policy` requires of a trainee of `grade` (a wire name), in seconds.
pub fn required_secs(policy: &PolicyYear, grade: Option<&str>) -> i64 {
    grade.and_then(Grade::from_wire).map_or(0, |g| {
        i64::from(policy.required_hours(g)) * secs_per_hour(policy.minutes_per_hour)
    })
}

/// The standings of trainees `ids` at `now`; with `live`, counting what their live study
/// sessions carry beyond the stored credit.
pub async fn settle(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    ids: &[i64],
    live: bool,
) -> Result<Vec<Settled>, sqlx::Error> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(PER_ROUND) {
        out.extend(settle_round(conn, now, chunk, live).await?);
    }
    Ok(out)
}

async fn settle_round(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    ids: &[i64],
    live: bool,
) -> Result<Vec<Settled>, sqlx::Error> {
    let trainees = store::trainees(conn, ids).await?;
    let mut credits: HashMap<i64, Vec<(Source, YearSecs)>> = HashMap::new();
    for t in &trainees {
        for &(year, secs) in &t.lesson_secs {
            let c = YearSecs {
                user_id: t.id,
                year,
                secs,
                at: 0,
            };
            credits.entry(t.id).or_default().push((Source::Online, c));
        }
    }
    if live {
        for c in store::live_lesson_secs(conn, ids).await? {
            credits
                .entry(c.user_id)
                .or_default()
                .push((Source::Online, c));
        }
    }
    for c in store::activity_secs(conn, ids).await? {
        credits
            .entry(c.user_id)
            .or_default()
            .push((Source::Activity, c));
    }
    let mut years: BTreeSet<i32> = BTreeSet::new();
    years.extend(trainees.iter().flat_map(|t| &t.enrolments).map(|e| e.year));
    years.extend(trainees.iter().flat_map(|t| &t.ordered).copied());
    years.extend(credits.values().flatten().map(|c| c.1.year));
    let mut policies: HashMap<i32, PolicyYear> = HashMap::new();
    for y in years {
        policies.insert(y, completion::policy_of(conn, y).await?);
    }
    let none = Vec::new();
    Ok(trainees
        .into_iter()
        .map(|t| {
            let theirs = credits.get(&t.id).unwrap_or(&none);
            settle_one(t, theirs, &policies, now)
        })
        .collect())
}

fn settle_one(
    t: store::Trainee,
    theirs: &[(Source, YearSecs)],
    policies: &HashMap<i32, PolicyYear>,
    now: DateTime<Utc>,
) -> Settled {
    let mine = &t.enrolments;
    let mut own_years: BTreeSet<i32> = BTreeSet::new();
    own_years.extend(mine.iter().map(|e| e.year));
    own_years.extend(t.ordered.iter().copied());
    own_years.extend(theirs.iter().map(|c| c.1.year));
    let grade_of = |y: i32| -> Option<String> {
        mine.iter()
            .find(|e| e.year == y && Grade::from_wire(&e.grade).is_some())
            .map(|e| e.grade.clone())
            .or_else(|| t.grade.clone().filter(|g| Grade::from_wire(g).is_some()))
    };
    let terms: Vec<YearTerms> = own_years
        .iter()
        .filter_map(|y| {
            let p = policies.get(y)?;
            Some(YearTerms {
                year: *y,
                enrolled: mine.iter().any(|e| e.year == *y && e.active),
                required_secs: required_secs(p, grade_of(*y).as_deref()),
            })
        })
        .collect();
    let list: Vec<Credit> = theirs
        .iter()
        .filter_map(|(source, c)| {
            let at = match source {
                Source::Activity => c.at,
                _ => policies.get(&c.year)?.study_closes_at().timestamp(),
            };
            Some(Credit {
                year: c.year,
                source: *source,
                secs: c.secs,
                at: at.min(now.timestamp()),
            })
        })
        .collect();
    let years = rule::settle(&terms, &list)
        .into_iter()
        .map(|o| Standing {
            user_id: t.id,
            year: o.year,
            grade: grade_of(o.year),
            registered: t.ordered.contains(&o.year) || mine.iter().any(|e| e.year == o.year),
            paid: o.enrolled,
            credited_secs: o.credited.total(),
            required_secs: o.required_secs,
            completed: o.completed,
        })
        .collect();
    Settled {
        user_id: t.id,
        unit_id: t.unit_id,
        profile_grade: t.grade,
        years,
    }
}

/// The standing of a trainee in a live session, from their stored one of the session's year
/// and what the session carries beyond it (`live_secs`), without settling them again; `None`
/// when only a settlement can tell. Exact when the stored standing is the trainee's only one
/// and they have no activity credit in another year (`stored::Live::elsewhere`): every credit
/// is then of that one year, and `rule::settle` gives a year all of its own credit, whatever
/// their order (what its requirement does not take is the year's own), so the session adds
/// to the year's total, and a paid year is completed once the total reaches the requirement.
/// A report settles every live trainee on each request otherwise: tens of thousands a province.
pub fn with_live(live: &stored::Live) -> Option<Standing> {
    let s = live.standing.as_ref().filter(|_| !live.elsewhere)?;
    let credited_secs = s.credited_secs + live.live_secs.max(0);
    Some(Standing {
        credited_secs,
        completed: s.completed || (s.paid && credited_secs >= s.required_secs),
        ..s.clone()
    })
}

/// Settles up to one round of marked trainees and stores their standings; how many it
/// settled (fewer than a round: none are left that were marked before it began).
pub async fn settle_marked(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let marks = stored::marked(conn, PER_ROUND).await?;
    let ids: Vec<i64> = marks.iter().map(|m| m.0).collect();
    let rows: Vec<Standing> = settle(conn, now, &ids, false)
        .await?
        .into_iter()
        .flat_map(|s| s.years)
        .collect();
    stored::replace(conn, &marks, &rows).await?;
    Ok(marks.len())
}

/// Whether a round of [`settle_marked`] left marks behind.
pub fn more_left(settled: usize) -> bool {
    settled == PER_ROUND
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(required_secs: i64, enrolled: bool, credits: &[(Source, i64, i64)]) -> Standing {
        let terms = [YearTerms {
            year: 2026,
            enrolled,
            required_secs,
        }];
        let list: Vec<Credit> = credits
            .iter()
            .map(|&(source, secs, at)| Credit {
                year: 2026,
                source,
                secs,
                at,
            })
            .collect();
        let o = rule::settle(&terms, &list)[0];
        Standing {
            user_id: 7,
            year: 2026,
            grade: Some("intermediate".into()),
            registered: true,
            paid: o.enrolled,
            credited_secs: o.credited.total(),
            required_secs: o.required_secs,
            completed: o.completed,
        }
    }

    fn live(standing: Standing, live_secs: i64, elsewhere: bool) -> stored::Live {
        stored::Live {
            user_id: 7,
            unit_id: 1,
            name: "王建国".into(),
            id_number: String::new(),
            year: 2026,
            live_secs,
            standing: Some(standing),
            elsewhere,
        }
    }

    /// The shortcut gives what settling with the session's credit gives (as `settle` with
    /// `live` lists it: one more online credit of the year, now).
    #[test]
    fn a_live_session_adds_to_the_only_year_as_a_settlement_would() {
        let now = 2_000;
        for required in [0, 600, 3_000] {
            for enrolled in [true, false] {
                for stored in [
                    vec![],
                    vec![(Source::Online, 500, now)],
                    vec![(Source::Activity, 700, 100), (Source::Online, 2_000, now)],
                    vec![(Source::Online, 4_000, now)],
                ] {
                    for live_secs in [-30, 0, 90, 2_600] {
                        let before = settled(required, enrolled, &stored);
                        let mut all = stored.clone();
                        all.push((Source::Online, live_secs, now));
                        let want = settled(required, enrolled, &all);
                        let got = with_live(&live(before, live_secs, false));
                        assert_eq!(
                            got,
                            Some(want),
                            "{required} {enrolled} {stored:?} {live_secs}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn credit_that_may_go_to_another_year_is_left_to_a_settlement() {
        let before = settled(600, true, &[]);
        assert_eq!(with_live(&live(before.clone(), 60, true)), None);
        let mut none = live(before, 60, false);
        none.standing = None;
        assert_eq!(with_live(&none), None);
    }
}
