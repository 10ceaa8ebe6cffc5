//! Completion of a trainee's policy years (闽人社文〔2017〕132号, sections 二 and 七): which
//! credits count for which year, whether each year's required 学时 are reached, and when.
//!
//! Credits come from several sources ([`Source`]): online study and practice (the study-time
//! ledger's lessons), supervised group sessions and approved supplementary activities. Each is
//! recorded under the year it was earned in. [`settle`] then applies the policy's rule that
//! those who did not finish an earlier year go on studying until it is done:
//!
//! **A credit counts first for the earliest paid year that is still unfinished**, in the
//! order the credits were earned; whatever that year does not need goes on to the next
//! unfinished paid year, up to the year the credit was recorded under, and what is left stays
//! with that year. A year that was never paid receives nothing from other years (its own
//! credits stay with it, shown but not completing it until it is paid).
//!
//! The rule is applied when completion is read, never when credit is written: the recorded
//! credits stay exactly what was studied when, and a change of the rule changes no stored row.
//!
//! The moment a year is reached is the moment of the credit that crossed its requirement. A
//! credit is a run of seconds earned at the rate of the clock up to its `at` (study time is
//! credited as it passes), so when only part of it was needed the year was reached that many
//! seconds before `at`.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Where credited time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Reading and watching lessons online (网络学习).
    Online,
    /// Practice exercises inside a study session (课后练习).
    Practice,
    /// Supervised group sessions in a computer room (集中学习).
    Group,
    /// Supplementary lectures and skill exchanges filed with the province (补充活动).
    Activity,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Online,
        Source::Practice,
        Source::Group,
        Source::Activity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Online => "online",
            Source::Practice => "practice",
            Source::Group => "group",
            Source::Activity => "activity",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Source::Online => "网络学习",
            Source::Practice => "课后练习",
            Source::Group => "集中学习",
            Source::Activity => "补充活动",
        }
    }
}

/// Credited seconds by source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BySource {
    pub online: i64,
    pub practice: i64,
    pub group: i64,
    pub activity: i64,
}

impl BySource {
    pub fn get(&self, source: Source) -> i64 {
        match source {
            Source::Online => self.online,
            Source::Practice => self.practice,
            Source::Group => self.group,
            Source::Activity => self.activity,
        }
    }

    pub fn add(&mut self, source: Source, secs: i64) {
        let slot = match source {
            Source::Online => &mut self.online,
            Source::Practice => &mut self.practice,
            Source::Group => &mut self.group,
            Source::Activity => &mut self.activity,
        };
        *slot += secs;
    }

    pub fn total(&self) -> i64 {
        Source::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// Seconds credited from one source, recorded under one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    /// The year the credit was recorded under (the year in force when it was earned).
    pub year: i32,
    pub source: Source,
    pub secs: i64,
    /// When its last second was credited (Unix seconds).
    pub at: i64,
}

/// What a year asks of the trainee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearTerms {
    pub year: i32,
    /// Registered and paid: only such a year can be completed or receive other years' credit.
    pub enrolled: bool,
    /// The year's required 学时 for the trainee's grade, in seconds.
    pub required_secs: i64,
}

/// A year's completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearOutcome {
    pub year: i32,
    pub enrolled: bool,
    pub required_secs: i64,
    /// The seconds that count for this year, by source.
    pub credited: BySource,
    pub completed: bool,
    /// When the requirement was reached (Unix seconds); `None` while unfinished, and for a
    /// year that required nothing.
    pub completed_at: Option<i64>,
}

impl YearOutcome {
    /// Seconds still missing (zero once completed).
    pub fn missing_secs(&self) -> i64 {
        if self.completed {
            0
        } else {
            (self.required_secs - self.credited.total()).max(0)
        }
    }
}

/// Seconds in one 学时 of a year whose 学时 is `minutes_per_hour` minutes.
pub fn secs_per_hour(minutes_per_hour: u32) -> i64 {
    i64::from(minutes_per_hour) * 60
}

/// Applies the crediting rule (module comment) to every year: one outcome per year in `years`,
/// in ascending year order. Credits recorded under a year that is not listed count only for
/// the listed unfinished paid years before it.
pub fn settle(years: &[YearTerms], credits: &[Credit]) -> Vec<YearOutcome> {
    let mut out: Vec<YearOutcome> = years
        .iter()
        .map(|t| YearOutcome {
            year: t.year,
            enrolled: t.enrolled,
            required_secs: t.required_secs.max(0),
            credited: BySource::default(),
            completed: t.enrolled && t.required_secs <= 0,
            completed_at: None,
        })
        .collect();
    out.sort_by_key(|y| y.year);
    out.dedup_by_key(|y| y.year);
    let mut order: Vec<&Credit> = credits.iter().filter(|c| c.secs > 0).collect();
    // Earned order; ties (one instant) keep a fixed order so the outcome never depends on
    // how the caller listed them.
    order.sort_by_key(|c| (c.at, c.year, c.source));
    for credit in order {
        let mut left = credit.secs;
        for y in out.iter_mut().take_while(|y| y.year <= credit.year) {
            if left == 0 {
                break;
            }
            if !y.enrolled || y.completed {
                continue;
            }
            let take = left.min(y.required_secs - y.credited.total());
            y.credited.add(credit.source, take);
            left -= take;
            if y.credited.total() >= y.required_secs {
                y.completed = true;
                // The seconds this year did not need were the credit's last ones.
                y.completed_at = Some(credit.at - left);
            }
        }
        if left > 0 {
            if let Some(own) = out.iter_mut().find(|y| y.year == credit.year) {
                own.credited.add(credit.source, left);
            }
        }
    }
    out
}

/// Online study as credits: the ledger keeps each year's exact credit by lesson kind
/// (`online`, `practice`) and, apart from it, the trainee's credit per Shanghai day (`days`:
/// when each day's last second was credited, and how many), which says when it was earned but
/// not on which kind. The day series is scaled to the year's exact total and each day is split
/// between the two kinds in the year's proportion, so that the credits add up to the exact
/// figures and keep the days' order. A year with credit but no day (none recorded) gets one
/// credit at `fallback_at`.
pub fn lesson_credits(
    year: i32,
    online: i64,
    practice: i64,
    days: &[(i64, i64)],
    fallback_at: i64,
) -> Vec<Credit> {
    let (online, practice) = (online.max(0), practice.max(0));
    let total = online + practice;
    if total == 0 {
        return Vec::new();
    }
    let mut days: Vec<(i64, i64)> = days.iter().copied().filter(|d| d.1 > 0).collect();
    days.sort_unstable();
    let series: i64 = days.iter().map(|d| d.1).sum();
    if series == 0 {
        days = vec![(fallback_at, total)];
    }
    let series = i128::from(series.max(1));
    let scaled = |cum: i64| -> i64 {
        if days.len() == 1 {
            return total;
        }
        i64::try_from(i128::from(cum) * i128::from(total) / series).unwrap_or(total)
    };
    let practice_part = |cum: i64| -> i64 {
        i64::try_from(i128::from(cum) * i128::from(practice) / i128::from(total)).unwrap_or(0)
    };
    let mut out = Vec::with_capacity(days.len() * 2);
    let (mut cum, mut before) = (0i64, 0i64);
    let last = days.len() - 1;
    for (i, (at, secs)) in days.iter().enumerate() {
        cum += secs;
        let upto = if i == last {
            total
        } else {
            scaled(cum).min(total)
        };
        let practice_secs = practice_part(upto) - practice_part(before);
        let online_secs = upto - before - practice_secs;
        for (source, secs) in [
            (Source::Online, online_secs),
            (Source::Practice, practice_secs),
        ] {
            if secs > 0 {
                out.push(Credit {
                    year,
                    source,
                    secs,
                    at: *at,
                });
            }
        }
        before = upto;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 45 * 60;
    const DAY: i64 = 86_400;

    fn paid(year: i32, hours: i64) -> YearTerms {
        YearTerms {
            year,
            enrolled: true,
            required_secs: hours * H,
        }
    }

    fn unpaid(year: i32, hours: i64) -> YearTerms {
        YearTerms {
            enrolled: false,
            ..paid(year, hours)
        }
    }

    fn credit(year: i32, source: Source, hours: i64, at: i64) -> Credit {
        Credit {
            year,
            source,
            secs: hours * H,
            at,
        }
    }

    #[test]
    fn a_year_is_completed_by_the_credit_that_reaches_its_requirement() {
        let credits = [
            credit(2026, Source::Online, 20, 10 * DAY),
            credit(2026, Source::Practice, 2, 11 * DAY),
            credit(2026, Source::Online, 30, 20 * DAY),
        ];
        let [y] = settle(&[paid(2026, 42)], &credits)[..] else {
            panic!("one year")
        };
        assert!(y.completed);
        // 22 h before the last credit; it needed 20 of its 30 h, so its last 10 h came after.
        assert_eq!(y.completed_at, Some(20 * DAY - 10 * H));
        assert_eq!(y.credited.online, 50 * H);
        assert_eq!(y.credited.practice, 2 * H);
        assert_eq!(y.missing_secs(), 0);
    }

    #[test]
    fn every_source_counts_towards_the_same_requirement() {
        for mix in 0..16u8 {
            let sources: Vec<Source> = Source::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| mix & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect();
            let credits: Vec<Credit> = sources
                .iter()
                .enumerate()
                .map(|(i, s)| credit(2026, *s, 6, i64::try_from(i).unwrap() * DAY))
                .collect();
            let [y] = settle(&[paid(2026, 24)], &credits)[..] else {
                panic!("one year")
            };
            assert_eq!(
                y.credited.total(),
                6 * H * credits.len() as i64,
                "{sources:?}"
            );
            for s in Source::ALL {
                let expected = if sources.contains(&s) { 6 * H } else { 0 };
                assert_eq!(y.credited.get(s), expected, "{s:?} in {sources:?}");
            }
            assert_eq!(y.completed, sources.len() == 4, "{sources:?}");
            assert_eq!(y.completed_at, (sources.len() == 4).then_some(3 * DAY));
            assert_eq!(y.missing_secs(), (24 - 6 * sources.len() as i64) * H);
        }
    }

    #[test]
    fn an_unfinished_paid_year_takes_later_credit_first_and_the_rest_goes_on() {
        let years = [paid(2025, 42), paid(2026, 42)];
        let credits = [
            credit(2025, Source::Online, 30, 100 * DAY),
            credit(2026, Source::Group, 8, 400 * DAY),
            credit(2026, Source::Online, 10, 401 * DAY),
            credit(2026, Source::Activity, 3, 402 * DAY),
        ];
        let [last, this] = settle(&years, &credits)[..] else {
            panic!("two years")
        };
        assert!(last.completed);
        assert_eq!(last.completed_at, Some(401 * DAY - 6 * H));
        assert_eq!(
            last.credited,
            BySource {
                online: 34 * H,
                group: 8 * H,
                ..BySource::default()
            }
        );
        assert!(!this.completed);
        assert_eq!(this.credited.online, 6 * H);
        assert_eq!(this.credited.activity, 3 * H);
        assert_eq!(this.missing_secs(), 33 * H);
    }

    #[test]
    fn the_earliest_of_several_unfinished_years_is_filled_first() {
        let years = [paid(2024, 24), paid(2025, 24), paid(2026, 24)];
        let credits = [
            credit(2024, Source::Online, 20, DAY),
            credit(2025, Source::Online, 10, 400 * DAY),
            credit(2026, Source::Online, 30, 800 * DAY),
        ];
        let out = settle(&years, &credits);
        assert_eq!(
            out.iter()
                .map(|y| y.credited.total() / H)
                .collect::<Vec<_>>(),
            [24, 24, 12]
        );
        assert_eq!(out[0].completed_at, Some(400 * DAY - 6 * H));
        assert_eq!(out[1].completed_at, Some(800 * DAY - 12 * H));
        assert!(!out[2].completed);
    }

    #[test]
    fn an_unpaid_year_keeps_its_own_credit_gets_no_other_and_is_never_completed() {
        let years = [unpaid(2025, 24), paid(2026, 24)];
        let credits = [
            credit(2025, Source::Activity, 30, DAY),
            credit(2026, Source::Online, 24, 400 * DAY),
        ];
        let [before, this] = settle(&years, &credits)[..] else {
            panic!("two years")
        };
        assert!(!before.completed);
        assert_eq!(before.credited.activity, 30 * H);
        assert_eq!(before.missing_secs(), 0, "nothing missing but the payment");
        assert!(this.completed);
        assert_eq!(this.credited.total(), 24 * H);
    }

    #[test]
    fn credit_never_flows_back_to_a_later_year() {
        let years = [paid(2025, 24), paid(2026, 24)];
        let credits = [credit(2025, Source::Online, 40, DAY)];
        let [before, this] = settle(&years, &credits)[..] else {
            panic!("two years")
        };
        assert_eq!(before.credited.online, 40 * H);
        assert_eq!(before.completed_at, Some(DAY - 16 * H));
        assert_eq!(this.credited.total(), 0);
    }

    #[test]
    fn the_outcome_does_not_depend_on_the_order_credits_are_listed_in() {
        let years = [paid(2025, 24), paid(2026, 42)];
        let mut credits = vec![
            credit(2026, Source::Practice, 5, 500 * DAY),
            credit(2025, Source::Online, 10, 10 * DAY),
            credit(2026, Source::Online, 20, 450 * DAY),
            credit(2026, Source::Group, 20, 500 * DAY),
        ];
        let first = settle(&years, &credits);
        credits.reverse();
        assert_eq!(settle(&years, &credits), first);
        assert_eq!(first[0].completed_at, Some(450 * DAY - 6 * H));
        assert_eq!(first[1].credited.total(), 31 * H);
    }

    #[test]
    fn a_year_without_credit_is_open_with_everything_missing() {
        let [y] = settle(&[paid(2026, 42)], &[])[..] else {
            panic!("one year")
        };
        assert!(!y.completed);
        assert_eq!(y.completed_at, None);
        assert_eq!(y.missing_secs(), 42 * H);
    }

    #[test]
    fn lesson_credits_add_up_to_the_exact_totals_in_the_order_of_the_days() {
        let days = [(3 * DAY, 1000), (DAY, 2000), (2 * DAY, 0), (5 * DAY, 1001)];
        let credits = lesson_credits(2026, 3000, 1000, &days, 9 * DAY);
        let sum = |s: Source| -> i64 {
            credits
                .iter()
                .filter(|c| c.source == s)
                .map(|c| c.secs)
                .sum()
        };
        assert_eq!(sum(Source::Online), 3000);
        assert_eq!(sum(Source::Practice), 1000);
        let ats: Vec<i64> = credits.iter().map(|c| c.at).collect();
        assert!(ats.windows(2).all(|w| w[0] <= w[1]), "{ats:?}");
        assert_eq!(ats.first(), Some(&DAY));
        assert!(credits.iter().all(|c| c.year == 2026 && c.secs > 0));
    }

    #[test]
    fn lesson_credits_without_days_fall_back_to_one_credit() {
        let credits = lesson_credits(2026, 500, 0, &[], 7);
        assert_eq!(
            credits,
            [Credit {
                year: 2026,
                source: Source::Online,
                secs: 500,
                at: 7
            }]
        );
        assert!(lesson_credits(2026, 0, 0, &[(1, 100)], 7).is_empty());
    }
}
