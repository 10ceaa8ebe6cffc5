//! The study-time ledger (DESIGN.md §3): how much of a trainee's time the server credits.
//!
//! The browser only reports; this state machine decides. It is pure — time and randomness
//! come in as arguments — so that the server applies it to the rows it loads inside one
//! transaction, the property tests drive it through any sequence of events, and the front end
//! can show the same arithmetic.
//!
//! A study session reports a heartbeat every `heartbeat_secs`. Each accepted heartbeat closes
//! the interval since the previous one and credits at most `heartbeat_secs + grace_secs` of it,
//! and only when the page was visible. Anti-idle checks arrive at random intervals: time
//! credited while a check is open is held back, released when it is answered in time, and
//! forfeited (with everything after it, until a later check is answered) when it is not.
//!
//! A session at a seat of a proctored group session (DESIGN.md §3) opens no checks of its own:
//! the proctor's roll calls ([`roll_call`]) take their place and are held, answered, missed and
//! blocking exactly as checks are.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Settings of the ledger; the defaults are those of DESIGN.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerConfig {
    /// The client reports this often while the page is visible.
    pub heartbeat_secs: i64,
    /// Network slack added to `heartbeat_secs` for the most one heartbeat may credit.
    pub grace_secs: i64,
    /// A heartbeat this much earlier than `heartbeat_secs` after the previous one is early.
    pub early_tolerance_secs: i64,
    /// Random interval between anti-idle checks: at least this …
    pub check_min_secs: i64,
    /// … and at most this.
    pub check_max_secs: i64,
    /// Time to answer a check.
    pub check_window_secs: i64,
    /// Reported inactivity (no input on a reading page, no playback on a video) this long
    /// brings a check forward.
    pub idle_check_secs: i64,
    /// The most one trainee is credited per Shanghai calendar day.
    pub daily_cap_secs: i64,
    /// Video positions may run this far ahead of the wall clock (timer jitter).
    pub seek_tolerance_secs: i64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            heartbeat_secs: 20,
            grace_secs: 10,
            early_tolerance_secs: 5,
            check_min_secs: 5 * 60,
            check_max_secs: 15 * 60,
            check_window_secs: 60,
            idle_check_secs: 3 * 60,
            daily_cap_secs: 480 * 60,
            seek_tolerance_secs: 2,
        }
    }
}

/// The ledger's settings that a policy year sets (DESIGN.md §8, `PolicyYear`): the daily cap
/// and the interval of anti-idle checks. The rest (heartbeat period, grace, check window) are
/// the protocol's and the same every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRules {
    pub daily_cap_secs: i64,
    pub check_min_secs: i64,
    pub check_max_secs: i64,
}

impl LedgerConfig {
    /// These settings under a year's own: its cap and check interval replace these. Applied to
    /// what is credited from now on; what a day or a lesson has already been credited stays
    /// (a cap lowered below a day's credit credits nothing more that day, takes nothing back).
    pub fn with_year(self, year: YearRules) -> Self {
        Self {
            daily_cap_secs: year.daily_cap_secs,
            check_min_secs: year.check_min_secs,
            check_max_secs: year.check_max_secs,
            ..self
        }
    }

    /// The delay before the next check, from a random draw.
    pub fn check_delay(&self, draw: u64) -> i64 {
        let span = (self.check_max_secs - self.check_min_secs).max(0) as u64 + 1;
        self.check_min_secs + (draw % span) as i64
    }
}

/// What kind of content a lesson is; videos are credited by the new ground actually played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LessonKind {
    Text,
    Video,
    /// A course's practice questions (one per course, made from its questions): time spent
    /// practising in a study session is credited like reading, within the same caps.
    Practice,
}

impl LessonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LessonKind::Text => "text",
            LessonKind::Video => "video",
            LessonKind::Practice => "practice",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "text" => Some(LessonKind::Text),
            "video" => Some(LessonKind::Video),
            "practice" => Some(LessonKind::Practice),
            _ => None,
        }
    }
}

/// An open anti-idle check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCheck {
    pub issued_at: i64,
    pub expires_at: i64,
}

/// The live part of a study session (one row per session). Instants are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The last accepted heartbeat's sequence number (0 when none yet).
    pub seq: i64,
    /// When the last credited interval ended: the session start or the last accepted heartbeat
    /// that was not early.
    pub last_beat: i64,
    pub ended: bool,
    /// When the next scheduled check is due.
    pub next_check_at: i64,
    pub check: Option<OpenCheck>,
    /// Credit earned while the open check waits for its answer.
    pub held_secs: i64,
    /// A check went unanswered: nothing is credited until a later one is answered.
    pub blocked: bool,
    /// Start of the current stretch without reported activity.
    pub inactive_since: Option<i64>,
    /// At a seat of a proctored group session: its checks are the roll calls only.
    #[serde(default)]
    pub proctored: bool,
}

impl Session {
    /// A session opened at `now`; `draw` is a random number for the first check's time.
    pub fn open(now: i64, cfg: &LedgerConfig, draw: u64) -> Self {
        Self {
            seq: 0,
            last_beat: now,
            ended: false,
            next_check_at: now + cfg.check_delay(draw),
            check: None,
            held_secs: 0,
            blocked: false,
            inactive_since: None,
            proctored: false,
        }
    }

    /// A session opened at `now` at a seat of a proctored group session.
    pub fn proctored(now: i64) -> Self {
        Self {
            seq: 0,
            last_beat: now,
            ended: false,
            // Never due: roll calls are its checks.
            next_check_at: i64::MAX,
            check: None,
            held_secs: 0,
            blocked: false,
            inactive_since: None,
            proctored: true,
        }
    }
}

/// A trainee's standing on one lesson (one row per trainee and lesson).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    pub kind: LessonKind,
    /// The lesson's nominal length: it never earns more.
    pub duration_secs: i64,
    pub credited_secs: i64,
    /// Video: the furthest point reached by playing at no more than 1×.
    pub furthest_secs: i64,
    /// Where the trainee was last, to resume there.
    pub position_secs: i64,
}

impl LessonProgress {
    pub fn new(kind: LessonKind, duration_secs: i64) -> Self {
        Self {
            kind,
            duration_secs,
            credited_secs: 0,
            furthest_secs: 0,
            position_secs: 0,
        }
    }
}

/// A trainee's credit on one Shanghai calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    pub day: NaiveDate,
    pub credited_secs: i64,
}

/// What the client reports with each heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beat {
    pub seq: i64,
    /// The page was visible throughout the interval this heartbeat closes.
    pub visible: bool,
    /// Position in the lesson (video: playback time; text: scroll position in seconds of
    /// reading, used only to resume).
    pub position_secs: i64,
    /// There was input (reading) or playback (video) during the interval.
    pub active: bool,
}

/// Why a heartbeat earned what it earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BeatVerdict {
    /// Credited (possibly 0 because a cap is reached).
    Credited,
    /// Credit held until the open check is answered.
    Held,
    /// An earlier check went unanswered; answer the current one to resume.
    Blocked,
    /// The page was hidden.
    Hidden,
    /// Sooner than `heartbeat_secs` after the previous one.
    Early,
    /// A sequence number already accepted (a retry): nothing new.
    Replayed,
    /// A sequence number that skips ahead.
    OutOfSequence,
}

/// Why a heartbeat or answer was refused outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("学习会话已结束")]
    SessionEnded,
    #[error("没有待回答的在线验证")]
    NoOpenCheck,
    #[error("在线验证已超时")]
    CheckExpired,
}

/// The outcome of a heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeatOutcome {
    pub verdict: BeatVerdict,
    /// Seconds added to the lesson and the day by this heartbeat.
    pub credited_secs: i64,
    /// A check was opened by this heartbeat; the caller makes up its question.
    pub check_opened: Option<OpenCheck>,
}

/// The outcome of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerOutcome {
    pub correct: bool,
    /// Held seconds released to the lesson and the day.
    pub credited_secs: i64,
}

/// Credits `secs` to the lesson and the day within both caps; returns what was credited.
fn credit(secs: i64, lesson: &mut LessonProgress, day: &mut DayTotal, cfg: &LedgerConfig) -> i64 {
    let room_lesson = (lesson.duration_secs - lesson.credited_secs).max(0);
    let room_day = (cfg.daily_cap_secs - day.credited_secs).max(0);
    let c = secs.max(0).min(room_lesson).min(room_day);
    lesson.credited_secs += c;
    day.credited_secs += c;
    c
}

/// Forfeits the held credit and blocks crediting until a later check is answered.
fn fail_check(session: &mut Session, now: i64) {
    session.check = None;
    session.held_secs = 0;
    session.blocked = true;
    session.next_check_at = now;
}

/// Opens a check at `now`, to be answered within the window.
fn open_check(session: &mut Session, now: i64, cfg: &LedgerConfig) -> OpenCheck {
    let check = OpenCheck {
        issued_at: now,
        expires_at: now + cfg.check_window_secs,
    };
    session.check = Some(check);
    session.inactive_since = None;
    check
}

/// Applies one heartbeat at `now`. `day` must be the trainee's total for the Shanghai day of
/// `now`. The state is changed only where the outcome says so; an `Err` changes nothing.
pub fn heartbeat(
    session: &mut Session,
    lesson: &mut LessonProgress,
    day: &mut DayTotal,
    beat: Beat,
    now: i64,
    cfg: &LedgerConfig,
) -> Result<BeatOutcome, LedgerError> {
    if session.ended {
        return Err(LedgerError::SessionEnded);
    }
    let nothing = |verdict| {
        Ok(BeatOutcome {
            verdict,
            credited_secs: 0,
            check_opened: None,
        })
    };
    if beat.seq <= session.seq {
        return nothing(BeatVerdict::Replayed);
    }
    if beat.seq != session.seq + 1 {
        return nothing(BeatVerdict::OutOfSequence);
    }
    session.seq = beat.seq;
    let elapsed = (now - session.last_beat).max(0);
    if beat.visible && elapsed < cfg.heartbeat_secs - cfg.early_tolerance_secs {
        // The interval stays open: the next heartbeat closes it, so early ones gain nothing.
        // But a failed check (a wrong answer, or one left to run out) is followed by the next
        // one at once: the player asks early for it, and nothing is credited until it is
        // answered anyway, so nobody waits a whole interval to resume.
        if session.check.is_some_and(|c| now > c.expires_at) {
            fail_check(session, now);
        }
        let check_opened = (session.blocked && session.check.is_none() && !session.proctored)
            .then(|| open_check(session, now, cfg));
        return Ok(BeatOutcome {
            verdict: BeatVerdict::Early,
            credited_secs: 0,
            check_opened,
        });
    }

    let most = cfg.heartbeat_secs + cfg.grace_secs;
    let mut earned = if !beat.visible {
        0
    } else if session.proctored && elapsed > most {
        // A seat that fell silent was disconnected: it is credited the time it was heard
        // from, not the network's slack for the silence.
        0
    } else {
        elapsed.min(most)
    };
    let position = beat.position_secs.clamp(0, lesson.duration_secs);
    if lesson.kind == LessonKind::Video {
        // Only new ground played at up to 1× counts; a jump ahead moves nothing.
        let reachable = lesson.furthest_secs + elapsed + cfg.seek_tolerance_secs;
        let furthest = if beat.visible {
            position.min(reachable).max(lesson.furthest_secs)
        } else {
            lesson.furthest_secs
        };
        earned = earned.min(furthest - lesson.furthest_secs);
        lesson.furthest_secs = furthest;
    }
    lesson.position_secs = position;
    session.last_beat = now;

    if let Some(check) = session.check {
        if now > check.expires_at {
            fail_check(session, now);
        }
    }
    session.inactive_since = if beat.active {
        None
    } else {
        session.inactive_since.or(Some(now - elapsed))
    };

    let (verdict, credited_secs) = if !beat.visible {
        (BeatVerdict::Hidden, 0)
    } else if session.blocked {
        (BeatVerdict::Blocked, 0)
    } else if session.check.is_some() {
        session.held_secs += earned;
        (BeatVerdict::Held, 0)
    } else {
        (BeatVerdict::Credited, credit(earned, lesson, day, cfg))
    };

    let idle_too_long = session
        .inactive_since
        .is_some_and(|since| now - since >= cfg.idle_check_secs);
    let check_opened = (!session.proctored
        && session.check.is_none()
        && (now >= session.next_check_at || idle_too_long || session.blocked))
        .then(|| open_check(session, now, cfg));
    Ok(BeatOutcome {
        verdict,
        credited_secs,
        check_opened,
    })
}

/// Applies an answer to the open check at `now`; `draw` schedules the next check.
pub fn answer(
    session: &mut Session,
    lesson: &mut LessonProgress,
    day: &mut DayTotal,
    correct: bool,
    now: i64,
    cfg: &LedgerConfig,
    draw: u64,
) -> Result<AnswerOutcome, LedgerError> {
    if session.ended {
        return Err(LedgerError::SessionEnded);
    }
    let check = session.check.ok_or(LedgerError::NoOpenCheck)?;
    if now > check.expires_at {
        fail_check(session, now);
        return Err(LedgerError::CheckExpired);
    }
    if !correct {
        fail_check(session, now);
        return Ok(AnswerOutcome {
            correct: false,
            credited_secs: 0,
        });
    }
    let held = std::mem::take(&mut session.held_secs);
    if session.blocked {
        // Crediting resumes from the answer: the blocked stretch before it earns nothing.
        session.last_beat = session.last_beat.max(now);
        session.blocked = false;
    }
    session.check = None;
    // A right answer is the person at the screen: whatever inactivity was reported before it
    // is over (a roll call's dialog stops the player's input, so it would otherwise linger).
    session.inactive_since = None;
    session.next_check_at = now + cfg.check_delay(draw);
    Ok(AnswerOutcome {
        correct: true,
        credited_secs: credit(held, lesson, day, cfg),
    })
}

/// Opens a roll call on a proctored session at `now`, to be answered by `expires_at`, as an
/// anti-idle check. A check left unanswered past its window fails first (the session is then
/// blocked until this one is answered); one still in its window is replaced, its held credit
/// waiting for this answer instead.
pub fn roll_call(
    session: &mut Session,
    now: i64,
    expires_at: i64,
) -> Result<OpenCheck, LedgerError> {
    if session.ended {
        return Err(LedgerError::SessionEnded);
    }
    if session.check.is_some_and(|c| now > c.expires_at) {
        fail_check(session, now);
    }
    let check = OpenCheck {
        issued_at: now,
        expires_at,
    };
    session.check = Some(check);
    Ok(check)
}

/// Credits `secs` of presence that no heartbeat reported (a lecture the proctor saw the
/// trainee attend) to a lesson and a day, within both caps; returns what was credited.
pub fn credit_presence(
    secs: i64,
    lesson: &mut LessonProgress,
    day: &mut DayTotal,
    cfg: &LedgerConfig,
) -> i64 {
    credit(secs, lesson, day, cfg)
}

/// Ends a session; later heartbeats are refused.
pub fn end(session: &mut Session) {
    session.ended = true;
    session.check = None;
    session.held_secs = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_790_000_000;

    fn day() -> DayTotal {
        DayTotal {
            day: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            credited_secs: 0,
        }
    }

    fn beat(seq: i64, position_secs: i64) -> Beat {
        Beat {
            seq,
            visible: true,
            position_secs,
            active: true,
        }
    }

    /// A session whose first check is far away, so that a test sees one rule at a time.
    fn quiet_session() -> Session {
        let mut s = Session::open(T0, &LedgerConfig::default(), 0);
        s.next_check_at = T0 + 1_000_000;
        s
    }

    #[test]
    fn a_heartbeat_on_time_credits_the_interval() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        let out = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        assert_eq!(
            (out.verdict, out.credited_secs),
            (BeatVerdict::Credited, 20)
        );
        assert_eq!((l.credited_secs, d.credited_secs), (20, 20));
    }

    #[test]
    fn a_late_heartbeat_credits_at_most_thirty_seconds() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        let out = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 600, &cfg).unwrap();
        assert_eq!(out.credited_secs, 30);
    }

    #[test]
    fn early_replayed_and_skipping_heartbeats_earn_nothing() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        let early = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 5, &cfg).unwrap();
        assert_eq!(
            (early.verdict, early.credited_secs),
            (BeatVerdict::Early, 0)
        );
        let replay = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        assert_eq!(
            (replay.verdict, replay.credited_secs),
            (BeatVerdict::Replayed, 0)
        );
        let skip = heartbeat(&mut s, &mut l, &mut d, beat(5, 0), T0 + 20, &cfg).unwrap();
        assert_eq!(
            (skip.verdict, skip.credited_secs),
            (BeatVerdict::OutOfSequence, 0)
        );
        // The interval the early beat left open is closed by the next one, once.
        let next = heartbeat(&mut s, &mut l, &mut d, beat(2, 0), T0 + 20, &cfg).unwrap();
        assert_eq!(next.credited_secs, 20);
        assert_eq!(l.credited_secs, 20);
    }

    #[test]
    fn after_a_failed_check_an_early_heartbeat_brings_the_next_check_at_once() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        s.next_check_at = T0 + 20;
        let opened = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        assert!(opened.check_opened.is_some());
        // A wrong answer, then at once a heartbeat: early, yet it opens the next check.
        answer(&mut s, &mut l, &mut d, false, T0 + 25, &cfg, 0).unwrap();
        let next = heartbeat(&mut s, &mut l, &mut d, beat(2, 0), T0 + 26, &cfg).unwrap();
        assert_eq!((next.verdict, next.credited_secs), (BeatVerdict::Early, 0));
        assert!(next.check_opened.is_some(), "the next check comes at once");
        // That check left to run out: the heartbeat sent right after brings another one.
        let expired = heartbeat(&mut s, &mut l, &mut d, beat(3, 0), T0 + 26 + 61, &cfg).unwrap();
        assert_eq!(expired.credited_secs, 0);
        assert!(s.blocked && expired.check_opened.is_some());
        let late = heartbeat(&mut s, &mut l, &mut d, beat(4, 0), T0 + 26 + 61 + 62, &cfg);
        let again = heartbeat(&mut s, &mut l, &mut d, beat(5, 0), T0 + 26 + 61 + 63, &cfg);
        assert!(late.unwrap().check_opened.is_some());
        assert_eq!(again.unwrap().check_opened, None, "one check at a time");
        assert_eq!(
            l.credited_secs, 20,
            "only the interval before the first check"
        );
        // An early heartbeat of a session that is not blocked opens nothing.
        let mut calm = quiet_session();
        let out = heartbeat(&mut calm, &mut l, &mut d, beat(1, 0), T0 + 5, &cfg).unwrap();
        assert_eq!(out.check_opened, None);
    }

    #[test]
    fn a_hidden_interval_earns_nothing() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        let hidden = Beat {
            visible: false,
            ..beat(1, 0)
        };
        let out = heartbeat(&mut s, &mut l, &mut d, hidden, T0 + 300, &cfg).unwrap();
        assert_eq!((out.verdict, out.credited_secs), (BeatVerdict::Hidden, 0));
        let out = heartbeat(&mut s, &mut l, &mut d, beat(2, 0), T0 + 320, &cfg).unwrap();
        assert_eq!(out.credited_secs, 20);
    }

    #[test]
    fn a_video_jumped_ahead_or_played_fast_earns_only_real_time_of_new_ground() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Video, 600),
            day(),
        );
        let jump = heartbeat(&mut s, &mut l, &mut d, beat(1, 590), T0 + 20, &cfg).unwrap();
        assert_eq!(jump.credited_secs, 20);
        assert_eq!(
            l.furthest_secs, 22,
            "the furthest point moves at 1× plus tolerance only"
        );
        let fast = heartbeat(&mut s, &mut l, &mut d, beat(2, 62), T0 + 40, &cfg).unwrap();
        assert_eq!(fast.credited_secs, 20);
        let rewatch = heartbeat(&mut s, &mut l, &mut d, beat(3, 10), T0 + 60, &cfg).unwrap();
        assert_eq!(
            rewatch.credited_secs, 0,
            "ground already covered earns nothing"
        );
        assert_eq!(l.position_secs, 10);
    }

    #[test]
    fn a_lesson_and_a_day_never_earn_beyond_their_caps() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 50),
            day(),
        );
        let mut t = T0;
        for seq in 1..=5 {
            t += 20;
            heartbeat(&mut s, &mut l, &mut d, beat(seq, 0), t, &cfg).unwrap();
        }
        assert_eq!(l.credited_secs, 50);
        let mut l2 = LessonProgress::new(LessonKind::Text, 100_000);
        d.credited_secs = cfg.daily_cap_secs - 7;
        t += 20;
        let out = heartbeat(&mut s, &mut l2, &mut d, beat(6, 0), t, &cfg).unwrap();
        assert_eq!(out.credited_secs, 7);
        assert_eq!(d.credited_secs, cfg.daily_cap_secs);
    }

    #[test]
    fn a_check_answered_in_time_releases_the_held_credit() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            Session::open(T0, &cfg, 0),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        assert_eq!(s.next_check_at, T0 + 300);
        let mut t = T0;
        let mut seq = 0;
        let mut opened = None;
        while opened.is_none() {
            t += 20;
            seq += 1;
            opened = heartbeat(&mut s, &mut l, &mut d, beat(seq, 0), t, &cfg)
                .unwrap()
                .check_opened;
        }
        assert_eq!(l.credited_secs, t - T0);
        t += 20;
        seq += 1;
        let held = heartbeat(&mut s, &mut l, &mut d, beat(seq, 0), t, &cfg).unwrap();
        assert_eq!((held.verdict, held.credited_secs), (BeatVerdict::Held, 0));
        let out = answer(&mut s, &mut l, &mut d, true, t + 5, &cfg, 0).unwrap();
        assert_eq!(out.credited_secs, 20);
        assert_eq!(l.credited_secs, t - T0);
    }

    #[test]
    fn an_unanswered_check_forfeits_everything_until_another_is_answered() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 100_000),
            day(),
        );
        s.next_check_at = T0 + 20;
        let first = heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        assert!(first.check_opened.is_some());
        assert_eq!(l.credited_secs, 20);
        let mut t = T0 + 20;
        for seq in 2..=4 {
            t += 20;
            heartbeat(&mut s, &mut l, &mut d, beat(seq, 0), t, &cfg).unwrap();
        }
        // The window closed at T0+80: the held 60 s are gone and a new check is open.
        t += 20;
        let out = heartbeat(&mut s, &mut l, &mut d, beat(5, 0), t, &cfg).unwrap();
        assert_eq!(out.verdict, BeatVerdict::Blocked);
        assert!(out.check_opened.is_some());
        assert!(
            !answer(&mut s, &mut l, &mut d, false, t + 1, &cfg, 0)
                .unwrap()
                .correct
        );
        assert_eq!(l.credited_secs, 20);
        t += 20;
        let next = heartbeat(&mut s, &mut l, &mut d, beat(6, 0), t, &cfg).unwrap();
        assert_eq!(next.verdict, BeatVerdict::Blocked);
        answer(&mut s, &mut l, &mut d, true, t + 3, &cfg, 0).unwrap();
        let resumed = heartbeat(&mut s, &mut l, &mut d, beat(7, 0), t + 23, &cfg).unwrap();
        assert_eq!(
            (resumed.verdict, resumed.credited_secs),
            (BeatVerdict::Credited, 20)
        );
        assert_eq!(l.credited_secs, 40);
    }

    #[test]
    fn a_late_answer_is_refused_and_blocks() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        s.next_check_at = T0 + 20;
        heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        assert_eq!(
            answer(&mut s, &mut l, &mut d, true, T0 + 81, &cfg, 0),
            Err(LedgerError::CheckExpired)
        );
        assert!(s.blocked);
        assert_eq!(
            answer(&mut s, &mut l, &mut d, true, T0 + 82, &cfg, 0),
            Err(LedgerError::NoOpenCheck)
        );
    }

    #[test]
    fn idleness_brings_a_check_forward() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        let mut t = T0;
        let mut opened_at = None;
        for seq in 1..=20 {
            t += 20;
            let idle = Beat {
                active: false,
                ..beat(seq, 0)
            };
            if heartbeat(&mut s, &mut l, &mut d, idle, t, &cfg)
                .unwrap()
                .check_opened
                .is_some()
            {
                opened_at = Some(t);
                break;
            }
        }
        assert_eq!(opened_at, Some(T0 + cfg.idle_check_secs));
    }

    #[test]
    fn a_proctored_session_opens_no_checks_of_its_own() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            Session::proctored(T0),
            LessonProgress::new(LessonKind::Text, 100_000),
            day(),
        );
        let mut t = T0;
        for seq in 1..=90 {
            t += 20;
            // Idle and past any check interval: an online session would have been asked.
            let idle = Beat {
                active: false,
                ..beat(seq, 0)
            };
            let out = heartbeat(&mut s, &mut l, &mut d, idle, t, &cfg).unwrap();
            assert_eq!(out.check_opened, None);
        }
        assert_eq!(l.credited_secs, 1800);
    }

    #[test]
    fn a_roll_call_is_held_answered_and_missed_like_a_check() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            Session::proctored(T0),
            LessonProgress::new(LessonKind::Text, 100_000),
            day(),
        );
        heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg).unwrap();
        roll_call(&mut s, T0 + 30, T0 + 90).unwrap();
        let held = heartbeat(&mut s, &mut l, &mut d, beat(2, 0), T0 + 40, &cfg).unwrap();
        assert_eq!((held.verdict, held.credited_secs), (BeatVerdict::Held, 0));
        let answered = answer(&mut s, &mut l, &mut d, true, T0 + 45, &cfg, 0).unwrap();
        assert_eq!(answered.credited_secs, 20);
        assert_eq!(l.credited_secs, 40);

        // Missed: the window closes at T0+150; the held 20 s and everything after are lost.
        roll_call(&mut s, T0 + 90, T0 + 150).unwrap();
        heartbeat(&mut s, &mut l, &mut d, beat(3, 0), T0 + 100, &cfg).unwrap();
        let mut t = T0 + 100;
        for seq in 4..=8 {
            t += 20;
            let out = heartbeat(&mut s, &mut l, &mut d, beat(seq, 0), t, &cfg).unwrap();
            assert_eq!(
                out.check_opened, None,
                "no check replaces the missed roll call"
            );
        }
        assert!(s.blocked);
        assert_eq!(l.credited_secs, 40);
        // The next roll call, answered, lets crediting resume from the answer.
        roll_call(&mut s, t + 5, t + 65).unwrap();
        answer(&mut s, &mut l, &mut d, true, t + 10, &cfg, 0).unwrap();
        let resumed = heartbeat(&mut s, &mut l, &mut d, beat(9, 0), t + 30, &cfg).unwrap();
        assert_eq!(
            (resumed.verdict, resumed.credited_secs),
            (BeatVerdict::Credited, 20)
        );
    }

    #[test]
    fn a_seat_silent_for_longer_than_a_heartbeat_and_its_grace_earns_nothing_for_the_silence() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            Session::proctored(T0),
            LessonProgress::new(LessonKind::Text, 100_000),
            day(),
        );
        heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 30, &cfg).unwrap();
        assert_eq!(l.credited_secs, 30, "a late beat within the grace counts");
        let back = heartbeat(&mut s, &mut l, &mut d, beat(2, 0), T0 + 90, &cfg).unwrap();
        assert_eq!(
            (back.verdict, back.credited_secs),
            (BeatVerdict::Credited, 0)
        );
        heartbeat(&mut s, &mut l, &mut d, beat(3, 0), T0 + 110, &cfg).unwrap();
        assert_eq!(l.credited_secs, 50);
    }

    #[test]
    fn a_roll_call_after_an_unanswered_one_blocks_first() {
        let mut s = Session::proctored(T0);
        roll_call(&mut s, T0 + 10, T0 + 70).unwrap();
        roll_call(&mut s, T0 + 400, T0 + 460).unwrap();
        assert!(s.blocked);
        assert_eq!(s.check.map(|c| c.expires_at), Some(T0 + 460));
        end(&mut s);
        assert_eq!(
            roll_call(&mut s, T0 + 500, T0 + 560),
            Err(LedgerError::SessionEnded)
        );
    }

    #[test]
    fn presence_is_credited_within_the_lesson_and_the_day() {
        let cfg = LedgerConfig {
            daily_cap_secs: 1000,
            ..LedgerConfig::default()
        };
        let mut l = LessonProgress::new(LessonKind::Video, 600);
        let mut d = day();
        assert_eq!(credit_presence(500, &mut l, &mut d, &cfg), 500);
        assert_eq!(credit_presence(500, &mut l, &mut d, &cfg), 100);
        let mut other = LessonProgress::new(LessonKind::Text, 5000);
        assert_eq!(credit_presence(900, &mut other, &mut d, &cfg), 400);
        assert_eq!(d.credited_secs, 1000);
    }

    #[test]
    fn an_ended_session_refuses_heartbeats() {
        let cfg = LedgerConfig::default();
        let (mut s, mut l, mut d) = (
            quiet_session(),
            LessonProgress::new(LessonKind::Text, 2700),
            day(),
        );
        end(&mut s);
        assert_eq!(
            heartbeat(&mut s, &mut l, &mut d, beat(1, 0), T0 + 20, &cfg),
            Err(LedgerError::SessionEnded)
        );
    }

    /// One step of a random trainee: any client, honest or not.
    #[derive(Debug, Clone)]
    enum Step {
        Wait(i64),
        Beat {
            session: usize,
            seq_shift: i64,
            visible: bool,
            active: bool,
            position: i64,
        },
        Answer {
            session: usize,
            correct: bool,
        },
        Open {
            lesson: usize,
            /// At a seat of a group session, whose checks are roll calls.
            proctored: bool,
        },
        /// The proctor calls the roll; proctored sessions take it as their check.
        RollCall,
    }

    /// Mostly a client that behaves, with every kind of misbehaviour mixed in.
    fn step() -> impl Strategy<Value = Step> {
        let seq_shift = prop_oneof![8 => Just(0i64), 1 => Just(-1i64), 1 => Just(1i64)];
        prop_oneof![
            4 => prop_oneof![3 => Just(20i64), 1 => 0i64..120].prop_map(Step::Wait),
            8 => (0usize..3, seq_shift, proptest::bool::weighted(0.85), proptest::bool::weighted(0.8), -10i64..700)
                .prop_map(|(session, seq_shift, visible, active, position)| {
                    Step::Beat { session, seq_shift, visible, active, position }
                }),
            3 => (0usize..3, proptest::bool::weighted(0.85)).prop_map(|(session, correct)| Step::Answer { session, correct }),
            1 => (0usize..3, proptest::bool::ANY).prop_map(|(lesson, proctored)| Step::Open { lesson, proctored }),
            1 => Just(Step::RollCall),
        ]
    }

    /// A trainee with three lessons, the sessions they opened, and every credit granted.
    struct Model {
        cfg: LedgerConfig,
        now: i64,
        lessons: Vec<LessonProgress>,
        day: DayTotal,
        /// (session, lesson index); the last one is the live one.
        sessions: Vec<(Session, usize)>,
        total: i64,
        first_open: Option<i64>,
    }

    impl Model {
        fn new(daily_cap_secs: i64) -> Self {
            let cfg = LedgerConfig {
                daily_cap_secs,
                check_min_secs: 60,
                check_max_secs: 240,
                ..Default::default()
            };
            Model {
                cfg,
                now: T0,
                lessons: vec![
                    LessonProgress::new(LessonKind::Text, 900),
                    LessonProgress::new(LessonKind::Video, 600),
                    LessonProgress::new(LessonKind::Text, 5400),
                ],
                day: day(),
                sessions: Vec::new(),
                total: 0,
                first_open: None,
            }
        }

        fn run(&mut self, step: &Step, draw: u64) -> Result<(), TestCaseError> {
            match *step {
                Step::Wait(secs) => self.now += secs,
                Step::Open { lesson, proctored } => {
                    // Opening a session ends every other one of the trainee.
                    for (s, _) in &mut self.sessions {
                        end(s);
                    }
                    let opened = if proctored {
                        Session::proctored(self.now)
                    } else {
                        Session::open(self.now, &self.cfg, draw)
                    };
                    self.sessions.push((opened, lesson));
                    self.first_open.get_or_insert(self.now);
                }
                Step::RollCall => {
                    let window = self.cfg.check_window_secs;
                    for (s, _) in self.sessions.iter_mut().filter(|(s, _)| s.proctored) {
                        let _ = roll_call(s, self.now, self.now + window);
                    }
                }
                Step::Beat {
                    session,
                    seq_shift,
                    visible,
                    active,
                    position,
                } => {
                    let live = self.sessions.len().saturating_sub(1);
                    let Some((s, lesson)) = self.sessions.get_mut(session) else {
                        return Ok(());
                    };
                    let seq = s.seq + 1 + seq_shift;
                    let b = Beat {
                        seq,
                        visible,
                        active,
                        position_secs: position,
                    };
                    match heartbeat(
                        s,
                        &mut self.lessons[*lesson],
                        &mut self.day,
                        b,
                        self.now,
                        &self.cfg,
                    ) {
                        Ok(out) => {
                            prop_assert!(session == live, "only the live session may be heard");
                            if matches!(
                                out.verdict,
                                BeatVerdict::Early
                                    | BeatVerdict::Replayed
                                    | BeatVerdict::OutOfSequence
                                    | BeatVerdict::Hidden
                            ) {
                                prop_assert_eq!(out.credited_secs, 0);
                            }
                            if seq_shift != 0 {
                                prop_assert!(matches!(
                                    out.verdict,
                                    BeatVerdict::Replayed | BeatVerdict::OutOfSequence
                                ));
                            }
                            self.total += out.credited_secs;
                        }
                        Err(e) => {
                            prop_assert_eq!(e, LedgerError::SessionEnded);
                            prop_assert!(session != live);
                        }
                    }
                }
                Step::Answer { session, correct } => {
                    let Some((s, lesson)) = self.sessions.get_mut(session) else {
                        return Ok(());
                    };
                    if let Ok(out) = answer(
                        s,
                        &mut self.lessons[*lesson],
                        &mut self.day,
                        correct,
                        self.now,
                        &self.cfg,
                        draw,
                    ) {
                        self.total += out.credited_secs;
                    }
                }
            }
            Ok(())
        }

        fn check_invariants(&self) -> Result<(), TestCaseError> {
            let lesson_sum: i64 = self.lessons.iter().map(|l| l.credited_secs).sum();
            prop_assert_eq!(
                lesson_sum,
                self.total,
                "the lessons add up to the trainee's total"
            );
            prop_assert_eq!(self.day.credited_secs, self.total);
            prop_assert!(self.total <= self.cfg.daily_cap_secs);
            for l in &self.lessons {
                prop_assert!(l.credited_secs <= l.duration_secs);
                prop_assert!(l.furthest_secs <= l.duration_secs);
                if l.kind == LessonKind::Video {
                    prop_assert!(
                        l.credited_secs <= l.furthest_secs,
                        "a video earns only ground played"
                    );
                }
            }
            let wall = self.first_open.map_or(0, |t| self.now - t);
            prop_assert!(
                self.total <= wall,
                "credited {} > wall time {}",
                self.total,
                wall
            );
            Ok(())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn no_client_can_earn_more_than_wall_time_caps_or_its_live_session_allow(
            steps in proptest::collection::vec((step(), any::<u64>()), 1..400),
            cap in prop_oneof![Just(480 * 60), 60i64..600],
        ) {
            let mut m = Model::new(cap);
            for (s, draw) in &steps {
                m.run(s, *draw)?;
                m.check_invariants()?;
            }
        }

        #[test]
        fn an_honest_learner_who_answers_every_check_is_credited_all_their_time(
            draws in proptest::collection::vec(any::<u64>(), 60),
            answer_after in 1i64..50,
        ) {
            let cfg = LedgerConfig::default();
            let mut s = Session::open(T0, &cfg, draws[0]);
            let mut l = LessonProgress::new(LessonKind::Text, 100_000);
            let mut d = day();
            let mut t = T0;
            for (i, draw) in draws.iter().enumerate() {
                t += cfg.heartbeat_secs;
                let out = heartbeat(&mut s, &mut l, &mut d, beat(i as i64 + 1, 0), t, &cfg).unwrap();
                if out.check_opened.is_some() {
                    // The answer comes in before the next heartbeat.
                    let wait = answer_after.min(cfg.heartbeat_secs - 1);
                    answer(&mut s, &mut l, &mut d, true, t + wait, &cfg, *draw).unwrap();
                }
            }
            prop_assert_eq!(l.credited_secs, t - T0);
        }
    }
}
