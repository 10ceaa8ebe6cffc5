//! The player's timing rules, apart from the browser so that they are tested on the host:
//! heartbeat sequence numbers, retries and visibility; where the trainee is in a lesson; how
//! far a video may be sought. The server decides what any of it earns (`qinxue_core::ledger`);
//! these rules only make sure an honest trainee's reports are the ones it credits.

use qinxue_core::api::HeartbeatReply;
use qinxue_core::ledger::BeatVerdict;

/// The longest wait between two tries of one heartbeat, in seconds.
pub const MAX_BACKOFF_SECS: u32 = 30;

/// A page hidden less than this long before `pagehide` was hidden by the closing itself, so
/// the last interval still counts as visible (milliseconds).
const JUST_HIDDEN_MS: f64 = 1_000.0;

/// How far past the furthest point watched a video may be sought (seconds): timer jitter.
const SEEK_SLACK_SECS: f64 = 1.0;

/// A heartbeat to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    pub seq: i64,
    /// The page was visible throughout the interval this heartbeat closes.
    pub visible: bool,
}

/// The heartbeats of one study session.
///
/// `seq` starts at 1 and goes up by one per new heartbeat; a heartbeat that got no answer is
/// sent again with the same `seq`, so that if the first try did reach the server the retry is
/// a replay and earns nothing twice. One heartbeat is on its way at a time. A hidden spell is
/// remembered until a heartbeat saying `visible: false` has been answered, so that the
/// interval containing it earns nothing.
#[derive(Debug, Default)]
pub struct Beats {
    /// The last `seq` handed out.
    last_seq: i64,
    /// The `seq` sent but not answered yet (on its way, or waiting for a retry).
    unanswered: Option<i64>,
    in_flight: bool,
    failures: u32,
    /// When the page was first hidden since the last `visible: false` heartbeat was sent
    /// (milliseconds since the epoch).
    hidden_since: Option<f64>,
    /// The hidden spell that the heartbeat on its way reports.
    hidden_in_flight: Option<f64>,
}

impl Beats {
    pub fn new() -> Self {
        Self::default()
    }

    /// The heartbeat to send now, or none while one is on its way.
    pub fn send(&mut self) -> Option<Beat> {
        if self.in_flight {
            return None;
        }
        self.in_flight = true;
        let seq = match self.unanswered {
            Some(seq) => seq,
            None => {
                self.last_seq += 1;
                self.last_seq
            }
        };
        self.unanswered = Some(seq);
        self.hidden_in_flight = self.hidden_since.take();
        Some(Beat {
            seq,
            visible: self.hidden_in_flight.is_none(),
        })
    }

    /// The server answered the heartbeat on its way (whatever it credited).
    pub fn answered(&mut self) {
        self.in_flight = false;
        self.unanswered = None;
        self.failures = 0;
        self.hidden_in_flight = None;
    }

    /// The heartbeat on its way got no answer; it goes again, unchanged in `seq` and in
    /// visibility, after the returned number of seconds: 1, 2, 4, 8, 16, then 30.
    pub fn failed(&mut self) -> u32 {
        self.in_flight = false;
        if let Some(at) = self.hidden_in_flight.take() {
            self.hidden_since = Some(self.hidden_since.map_or(at, |h| h.min(at)));
        }
        self.failures += 1;
        backoff_secs(self.failures)
    }

    /// The page was hidden at `now_ms`.
    pub fn hid(&mut self, now_ms: f64) {
        self.hidden_since.get_or_insert(now_ms);
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// The last report, sent with `/end` when the page goes away at `now_ms`: the unanswered
    /// heartbeat again, or the next one. It is visible unless the page was hidden before the
    /// closing began.
    pub fn last(&self, now_ms: f64) -> Beat {
        let hidden = match (self.hidden_since, self.hidden_in_flight) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Beat {
            seq: self.unanswered.unwrap_or(self.last_seq + 1),
            visible: hidden.is_none_or(|at| now_ms - at < JUST_HIDDEN_MS),
        }
    }
}

/// Seconds to wait before the `failures`-th retry: doubling from 1, at most 30.
pub fn backoff_secs(failures: u32) -> u32 {
    1u32.checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(MAX_BACKOFF_SECS)
}

/// The position a text lesson reports: how far down the page the reader is, as seconds of
/// the lesson's nominal duration, so that another device can scroll back there.
pub fn text_position(scroll_top: f64, scroll_range: f64, duration_secs: i64) -> i64 {
    if scroll_range <= 0.0 || !scroll_top.is_finite() {
        return 0;
    }
    let fraction = (scroll_top / scroll_range).clamp(0.0, 1.0);
    ((fraction * duration_secs as f64) as i64).clamp(0, duration_secs.max(0))
}

/// Where to scroll to resume a text lesson at `position_secs`.
pub fn text_scroll_top(position_secs: i64, duration_secs: i64, scroll_range: f64) -> f64 {
    if duration_secs <= 0 {
        return 0.0;
    }
    let fraction = (position_secs as f64 / duration_secs as f64).clamp(0.0, 1.0);
    fraction * scroll_range.max(0.0)
}

/// The position a video lesson reports: its playback time in whole seconds.
pub fn video_position(current_time: f64, duration_secs: i64) -> i64 {
    if !current_time.is_finite() {
        return 0;
    }
    (current_time as i64).clamp(0, duration_secs.max(0))
}

/// Keeps a video from being sought beyond the furthest point watched.
///
/// `furthest` is the larger of what the server knows (`furthest_secs`) and what this page has
/// seen played continuously at no more than 1×. Playing on at a faster rate is allowed (the
/// server credits 1× only), so steady playback is never pulled back; a jump past the furthest
/// point is.
#[derive(Debug, Clone, Copy)]
pub struct SeekGuard {
    furthest: f64,
    /// The playback time at the previous `timeupdate` or allowed seek.
    last: f64,
}

impl SeekGuard {
    pub fn new(furthest_secs: i64) -> Self {
        Self {
            furthest: furthest_secs.max(0) as f64,
            last: 0.0,
        }
    }

    /// The furthest point watched, in seconds.
    #[cfg(test)]
    pub fn furthest(&self) -> f64 {
        self.furthest
    }

    /// The server reports the furthest point it has credited.
    pub fn reached(&mut self, furthest_secs: i64) {
        self.furthest = self.furthest.max(furthest_secs as f64);
    }

    /// Where resuming at `position_secs` may start: not beyond the furthest point.
    pub fn resume_at(&mut self, position_secs: i64) -> f64 {
        self.last = (position_secs.max(0) as f64).min(self.furthest);
        self.last
    }

    /// A `seeking` to `time`: where to go back to when it is beyond the furthest point.
    pub fn seek(&mut self, time: f64) -> Option<f64> {
        if time > self.furthest + SEEK_SLACK_SECS {
            self.last = self.furthest;
            return Some(self.furthest);
        }
        self.last = time;
        None
    }

    /// A `timeupdate` at `time`, playing at `rate`: where to go back to when the time jumped
    /// beyond the furthest point (a seek the `seeking` event did not stop).
    pub fn played(&mut self, time: f64, rate: f64) -> Option<f64> {
        let step = time - self.last;
        // Browsers report every 15–250 ms; a second and a half of media per update and
        // rate is a jump, not playback.
        let steady = (0.0..=1.5 * rate.max(1.0)).contains(&step);
        if !steady && time > self.furthest + SEEK_SLACK_SECS {
            self.last = self.furthest;
            return Some(self.furthest);
        }
        if steady && rate <= 1.0 {
            self.furthest = self.furthest.max(time);
        }
        self.last = time;
        None
    }
}

/// What the server's answer to a heartbeat says about crediting, as the player tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crediting {
    /// Nothing known yet (no answer since the session began, since playing started or since
    /// the page came back into view).
    Unknown,
    /// The last interval was credited.
    Counting,
    /// A check is open, or a missed one blocks crediting: it must be answered first.
    CheckOpen,
    /// The lesson has all the time it can earn.
    LessonFull,
    /// The day's cap is reached.
    DayCapped,
    /// The video is not playing.
    NotPlaying,
    /// The video plays a part already watched, which earns nothing again.
    Rewatching,
}

/// What the page knows of a video at the heartbeat it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoAt {
    pub playing: bool,
    pub position_secs: i64,
}

/// What a heartbeat's answer means for the trainee; `None` when it says nothing new (early,
/// replayed or out of sequence: the interval stays open). The server credits an interval only
/// when the page was visible, no check is open or missed, the lesson and the day have room,
/// and (video) new ground was played (`qinxue_core::ledger::heartbeat`): a `credited` answer
/// that earned nothing is told apart by which of those failed.
pub fn crediting(
    reply: &HeartbeatReply,
    duration_secs: i64,
    video: Option<VideoAt>,
) -> Option<Crediting> {
    if reply.check.is_some() {
        return Some(Crediting::CheckOpen);
    }
    match reply.verdict {
        BeatVerdict::Held | BeatVerdict::Blocked => return Some(Crediting::CheckOpen),
        // The page is in view again (the player knows when it is not): the next answer says.
        BeatVerdict::Hidden => return Some(Crediting::Unknown),
        BeatVerdict::Early | BeatVerdict::Replayed | BeatVerdict::OutOfSequence => return None,
        BeatVerdict::Credited => {}
    }
    Some(if reply.lesson_credited_secs >= duration_secs {
        Crediting::LessonFull
    } else if reply.credited_secs > 0 {
        Crediting::Counting
    } else {
        match video {
            Some(v) if !v.playing => Crediting::NotPlaying,
            // Behind the furthest point by more than the server's seek slack.
            Some(v) if v.position_secs + 2 < reply.furthest_secs => Crediting::Rewatching,
            // Visible, no check, room in the lesson, new ground: only the day's cap is left.
            _ => Crediting::DayCapped,
        }
    })
}

/// Whole seconds left until `deadline_ms`, never negative.
pub fn seconds_left(deadline_ms: f64, now_ms: f64) -> i64 {
    ((deadline_ms - now_ms) / 1000.0).ceil().max(0.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_start_at_one_and_go_up_by_one_per_answered_heartbeat() {
        let mut beats = Beats::new();
        for seq in 1..=3 {
            let beat = beats.send().unwrap();
            assert_eq!(beat, Beat { seq, visible: true });
            beats.answered();
        }
    }

    #[test]
    fn a_retry_repeats_the_sequence_number_with_growing_waits() {
        let mut beats = Beats::new();
        beats.send();
        beats.answered();
        let first = beats.send().unwrap();
        let waits: Vec<u32> = (0..7)
            .map(|_| {
                let wait = beats.failed();
                assert_eq!(
                    beats.send().unwrap(),
                    first,
                    "a retry is the same heartbeat"
                );
                wait
            })
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        beats.answered();
        assert_eq!(beats.send().unwrap().seq, first.seq + 1);
        assert_eq!(beats.failed(), 1, "the waits start afresh");
    }

    #[test]
    fn only_one_heartbeat_is_on_its_way_at_a_time() {
        let mut beats = Beats::new();
        assert!(beats.send().is_some());
        assert!(beats.in_flight());
        assert_eq!(beats.send(), None);
        beats.answered();
        assert!(!beats.in_flight());
        assert!(beats.send().is_some());
    }

    #[test]
    fn after_a_hidden_spell_one_heartbeat_says_not_visible() {
        let mut beats = Beats::new();
        beats.send();
        beats.answered();
        beats.hid(1_000.0);
        assert_eq!(
            beats.send().unwrap(),
            Beat {
                seq: 2,
                visible: false
            }
        );
        beats.answered();
        assert_eq!(
            beats.send().unwrap(),
            Beat {
                seq: 3,
                visible: true
            }
        );
    }

    #[test]
    fn a_failed_not_visible_heartbeat_is_retried_as_not_visible() {
        let mut beats = Beats::new();
        beats.hid(1_000.0);
        let beat = beats.send().unwrap();
        assert!(!beat.visible);
        beats.failed();
        assert_eq!(beats.send().unwrap(), beat);
    }

    #[test]
    fn hiding_while_a_visible_heartbeat_is_on_its_way_makes_the_next_one_not_visible() {
        let mut beats = Beats::new();
        assert!(beats.send().unwrap().visible);
        beats.hid(5_000.0);
        beats.answered();
        assert!(!beats.send().unwrap().visible);
    }

    #[test]
    fn the_last_report_repeats_an_unanswered_heartbeat_or_takes_the_next_number() {
        let mut beats = Beats::new();
        beats.send();
        beats.answered();
        assert_eq!(
            beats.last(0.0),
            Beat {
                seq: 2,
                visible: true
            }
        );
        beats.send();
        assert_eq!(beats.last(0.0).seq, 2, "on its way");
        beats.failed();
        assert_eq!(beats.last(0.0).seq, 2, "waiting for a retry");
    }

    #[test]
    fn the_last_report_is_visible_only_when_the_closing_itself_hid_the_page() {
        let mut beats = Beats::new();
        beats.hid(10_000.0);
        assert!(beats.last(10_050.0).visible, "hidden by the closing");
        assert!(!beats.last(70_000.0).visible, "hidden a minute before");
        beats.send();
        assert!(
            !beats.last(70_000.0).visible,
            "its not-visible report is unanswered"
        );
        beats.hid(69_990.0);
        beats.failed();
        assert!(!beats.last(70_000.0).visible, "the earlier spell is kept");
    }

    #[test]
    fn text_positions_map_scrolling_to_seconds_and_back() {
        assert_eq!(text_position(0.0, 2_000.0, 5_400), 0);
        assert_eq!(text_position(1_000.0, 2_000.0, 5_400), 2_700);
        assert_eq!(text_position(2_500.0, 2_000.0, 5_400), 5_400);
        assert_eq!(text_position(-30.0, 2_000.0, 5_400), 0, "iOS overscroll");
        assert_eq!(text_position(10.0, 0.0, 5_400), 0, "nothing to scroll");
        assert_eq!(text_scroll_top(2_700, 5_400, 3_000.0), 1_500.0);
        assert_eq!(text_scroll_top(9_999, 5_400, 3_000.0), 3_000.0);
        assert_eq!(text_scroll_top(100, 0, 3_000.0), 0.0);
        let top = text_scroll_top(text_position(777.0, 2_000.0, 5_400), 5_400, 2_000.0);
        assert!((top - 777.0).abs() < 1.0);
    }

    #[test]
    fn video_positions_are_whole_seconds_within_the_lesson() {
        assert_eq!(video_position(12.9, 46), 12);
        assert_eq!(video_position(46.4, 46), 46);
        assert_eq!(video_position(f64::NAN, 46), 0);
    }

    #[test]
    fn seeking_beyond_the_furthest_point_goes_back_to_it() {
        let mut guard = SeekGuard::new(20);
        assert_eq!(guard.seek(10.0), None, "back is always allowed");
        assert_eq!(guard.seek(20.8), None, "within a second");
        assert_eq!(guard.seek(40.0), Some(20.0));
        assert_eq!(
            guard.played(40.0, 1.0),
            Some(20.0),
            "a jump seen by timeupdate"
        );
    }

    #[test]
    fn playing_at_normal_speed_moves_the_furthest_point() {
        let mut guard = SeekGuard::new(0);
        for tenth in 1..=120 {
            assert_eq!(guard.played(f64::from(tenth) * 0.25, 1.0), None);
        }
        assert_eq!(guard.furthest(), 30.0);
        assert_eq!(guard.seek(30.5), None);
    }

    #[test]
    fn fast_playback_plays_on_but_moves_nothing() {
        let mut guard = SeekGuard::new(10);
        guard.resume_at(10);
        for step in 1..=40 {
            assert_eq!(guard.played(10.0 + f64::from(step) * 0.5, 2.0), None);
        }
        assert_eq!(guard.furthest(), 10.0);
        assert_eq!(guard.seek(25.0), Some(10.0));
    }

    #[test]
    fn the_server_can_move_the_furthest_point_and_resuming_stays_within_it() {
        let mut guard = SeekGuard::new(10);
        guard.reached(30);
        guard.reached(5);
        assert_eq!(guard.furthest(), 30.0);
        assert_eq!(guard.resume_at(45), 30.0);
        assert_eq!(guard.resume_at(12), 12.0);
    }

    fn reply(
        verdict: BeatVerdict,
        credited_secs: i64,
        lesson_credited_secs: i64,
    ) -> HeartbeatReply {
        HeartbeatReply {
            credited_secs,
            verdict,
            lesson_credited_secs,
            year_credited_secs: 0,
            furthest_secs: 300,
            check: None,
        }
    }

    #[test]
    fn only_a_credited_interval_is_counting_and_every_other_answer_says_why_not() {
        let playing = Some(VideoAt {
            playing: true,
            position_secs: 300,
        });
        let c = |r: &HeartbeatReply, v| crediting(r, 600, v);
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 20, 100), None),
            Some(Crediting::Counting)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 20, 100), playing),
            Some(Crediting::Counting)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Held, 0, 100), None),
            Some(Crediting::CheckOpen)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Blocked, 0, 100), None),
            Some(Crediting::CheckOpen)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 0, 600), None),
            Some(Crediting::LessonFull)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 5, 600), playing),
            Some(Crediting::LessonFull)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 0, 100), None),
            Some(Crediting::DayCapped)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 0, 100), playing),
            Some(Crediting::DayCapped)
        );
        let paused = Some(VideoAt {
            playing: false,
            position_secs: 300,
        });
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 0, 100), paused),
            Some(Crediting::NotPlaying)
        );
        let behind = Some(VideoAt {
            playing: true,
            position_secs: 120,
        });
        assert_eq!(
            c(&reply(BeatVerdict::Credited, 0, 100), behind),
            Some(Crediting::Rewatching)
        );
        assert_eq!(
            c(&reply(BeatVerdict::Hidden, 0, 100), None),
            Some(Crediting::Unknown)
        );
        for said_nothing in [
            BeatVerdict::Early,
            BeatVerdict::Replayed,
            BeatVerdict::OutOfSequence,
        ] {
            assert_eq!(c(&reply(said_nothing, 0, 100), None), None);
        }
    }

    #[test]
    fn an_open_check_comes_first_even_with_an_early_answer() {
        let mut r = reply(BeatVerdict::Early, 0, 100);
        r.check = Some(qinxue_core::api::CheckPrompt {
            id: "c".into(),
            prompt: "3 + 4 = ?".into(),
            options: vec!["7".into()],
            expires_at: chrono::DateTime::UNIX_EPOCH,
            kind: Default::default(),
        });
        assert_eq!(crediting(&r, 600, None), Some(Crediting::CheckOpen));
    }

    #[test]
    fn seconds_left_round_up_and_stop_at_zero() {
        assert_eq!(seconds_left(60_000.0, 0.0), 60);
        assert_eq!(seconds_left(60_000.0, 500.0), 60);
        assert_eq!(seconds_left(60_000.0, 59_001.0), 1);
        assert_eq!(seconds_left(60_000.0, 61_000.0), 0);
    }
}
