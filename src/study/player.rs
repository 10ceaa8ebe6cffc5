//! The study session behind the lesson page: opens it, sends the heartbeats, follows the
//! page's visibility and the reader's input, answers checks, and sends the last report when
//! the page goes away. The rules it follows are in [`super::heartbeat`]; what it shows is
//! [`super::screen`]; the server alone decides what is credited.

use crate::api::{self, ApiError};
use crate::i18n::t;
use crate::study::heartbeat::{
    crediting, seconds_left, text_position, text_scroll_top, video_position, Beats, Crediting,
    SeekGuard, VideoAt,
};
use crate::study::screen::{Screen, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::{CheckPrompt, HeartbeatReply, HeartbeatRequest, Lesson, StudyProgress};
use qinxue_core::ErrorCode;
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::js_sys::Date;
use web_sys::{Event, EventTarget, VisibilityState};

/// Where a lesson is studied.
pub enum Place<'a> {
    /// On the trainee's own account: the year's progress beside the lesson, and the way back
    /// to 我的学习.
    Account(&'a StudyProgress),
    /// At a seat of a group session (the kiosk): no year (the seat's credential reads only
    /// the session's course), and the way back to the seat's page.
    Seat { back: &'a str, label: &'a str },
}

/// One lesson's study session, shared by the page's event handlers and timers.
pub struct Player {
    lesson_id: i64,
    duration: i64,
    /// Where to resume, from the lesson's progress.
    resume_secs: i64,
    pub screen: Screen,
    session: Cell<Option<i64>>,
    heartbeat_secs: Cell<u32>,
    check_window_secs: Cell<i64>,
    beats: RefCell<Beats>,
    guard: RefCell<SeekGuard>,
    /// The heartbeat timer's generation: a timer that fires after a newer one was set, or
    /// after it was stopped, does nothing. (Timers are not cleared by their handle: under
    /// test clocks their ids do not fit the `i32` that web-sys hands back.)
    timer: Cell<u32>,
    /// The same for the check's countdown, which ticks while its check is open.
    countdown: Cell<u32>,
    /// When the open check's time runs out, in the browser's clock (ms).
    check_deadline: Cell<f64>,
    /// The open check's id.
    check: RefCell<Option<String>>,
    /// The last check answered or given up on: replies still on their way may carry it.
    settled_check: RefCell<Option<String>>,
    answering: Cell<bool>,
    /// The last check was answered wrong or let run out: the next one says it is new.
    failed_check: Cell<bool>,
    /// What the server's last answer said about crediting.
    crediting: Cell<Crediting>,
    /// The heartbeat got no answer and goes again in this many seconds.
    offline: Cell<Option<u32>>,
    year_secs: Cell<i64>,
    /// Input (reading) or playback (video) since the last heartbeat was sent.
    active: Cell<bool>,
    /// The page is still shown; replies that come later are dropped.
    mounted: Cell<bool>,
    /// `pagehide` ended the session; a page restored from the back-forward cache starts anew.
    left: Cell<bool>,
}

impl Player {
    /// The player of `lesson`, studied at `place`.
    pub fn new(lesson: &Lesson, place: Place) -> Rc<Self> {
        let (year, back, year_secs) = match place {
            Place::Account(p) => (
                Some((p.required_hours, p.minutes_per_hour)),
                ("/study", t().nav_study),
                p.credited_secs,
            ),
            Place::Seat { back, label } => (None, (back, label), 0),
        };
        let screen = Screen::new(lesson, year, back);
        screen.lesson_secs(lesson.progress.credited_secs);
        screen.year_secs(year_secs);
        Rc::new(Self {
            lesson_id: lesson.id,
            duration: lesson.duration_secs,
            resume_secs: lesson.progress.position_secs,
            screen,
            session: Cell::new(None),
            heartbeat_secs: Cell::new(20),
            check_window_secs: Cell::new(60),
            beats: RefCell::new(Beats::new()),
            guard: RefCell::new(SeekGuard::new(lesson.progress.furthest_secs)),
            timer: Cell::new(0),
            countdown: Cell::new(0),
            check_deadline: Cell::new(0.0),
            check: RefCell::new(None),
            settled_check: RefCell::new(None),
            answering: Cell::new(false),
            failed_check: Cell::new(false),
            crediting: Cell::new(Crediting::Unknown),
            offline: Cell::new(None),
            year_secs: Cell::new(year_secs),
            active: Cell::new(false),
            mounted: Cell::new(true),
            left: Cell::new(false),
        })
    }

    /// Wires the page's events and opens the session. Call while the page's owner is current:
    /// the listeners go, and the last report is sent, when the page is cleaned up.
    pub fn run(self: &Rc<Self>) {
        // One handler for every event of the page, told apart by type: each distinct Rust
        // closure handed to JavaScript costs its own glue code.
        let this = Rc::clone(self);
        let handler = Closure::<dyn FnMut(Event)>::new(move |event: Event| this.on_event(&event))
            .into_js_value();
        let screen = &self.screen;
        let mut wired: Vec<(EventTarget, &'static str)> = Vec::new();
        let mut on = |target: &EventTarget, events: &[&'static str]| {
            for &event in events {
                let _ = target.add_event_listener_with_callback(event, handler.unchecked_ref());
                wired.push((target.clone(), event));
            }
        };
        on(&document(), &["visibilitychange"]);
        on(&window(), &["pagehide", "pageshow"]);
        on(&screen.restart, &["click"]);
        on(&screen.options, &["click"]);
        on(&screen.dialog, &["cancel", "close"]);
        match &screen.video {
            Some(video) => on(
                video,
                &[
                    "loadedmetadata",
                    "seeking",
                    "timeupdate",
                    "ratechange",
                    "play",
                    "pause",
                    "ended",
                ],
            ),
            None => {
                let input = [
                    "scroll",
                    "keydown",
                    "pointerdown",
                    "pointermove",
                    "touchstart",
                    "wheel",
                ];
                on(&document(), &input);
                // Scroll back to where the reader left off, once the text is laid out.
                let (resume, duration) = (self.resume_secs, self.duration);
                request_animation_frame(move || {
                    let top = text_scroll_top(resume, duration, scroll_range());
                    if top > 0.0 {
                        window().scroll_to_with_x_and_y(0.0, top);
                    }
                });
            }
        }
        let this = SendWrapper::new((Rc::clone(self), wired, handler));
        on_cleanup(move || {
            let (this, wired, handler) = this.take();
            for (target, event) in wired {
                let _ = target.remove_event_listener_with_callback(event, handler.unchecked_ref());
            }
            this.leave();
            this.mounted.set(false);
            this.close_check();
        });
        self.start();
    }

    fn on_event(self: &Rc<Self>, event: &Event) {
        let kind = event.type_();
        match kind.as_str() {
            "visibilitychange" if hidden() => self.hide(),
            "visibilitychange" => self.show(),
            "pagehide" => self.leave(),
            "pageshow" => {
                if self.left.replace(false) {
                    self.start();
                }
            }
            "click" => {
                let target = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                match target {
                    Some(t) if t == self.screen.restart => self.start(),
                    // An answer button of the check.
                    Some(t) if t.tag_name() == "BUTTON" => {
                        self.answer(t.text_content().unwrap_or_default())
                    }
                    _ => {}
                }
            }
            "cancel" => event.prevent_default(),
            "close" => {
                if self.check.borrow().is_some() {
                    // Closed by the browser (a repeated Escape) while unanswered: open it again.
                    let _ = self.screen.dialog.show_modal();
                }
            }
            "play" => {
                // Playing again: whether it is credited, the next answer says (a full lesson
                // or day stays full).
                if !matches!(
                    self.crediting.get(),
                    Crediting::LessonFull | Crediting::DayCapped | Crediting::CheckOpen
                ) {
                    self.crediting.set(Crediting::Unknown);
                }
                self.show_status();
            }
            "pause" | "ended" => self.show_status(),
            "loadedmetadata" | "seeking" | "timeupdate" | "ratechange" => self.on_video(&kind),
            // Reading: any input counts as activity.
            _ => self.active.set(true),
        }
    }

    /// Opens a new study session (also "continue here" after another device took over).
    fn start(self: &Rc<Self>) {
        self.stop_timer();
        self.close_check();
        self.screen.note(None);
        self.screen.status(&Status::Starting);
        let this = Rc::clone(self);
        spawn_local(async move {
            let started = api::start_study(this.lesson_id).await;
            if !this.mounted.get() {
                return;
            }
            match started {
                Ok(session) => {
                    *this.beats.borrow_mut() = Beats::new();
                    this.session.set(Some(session.session_id));
                    let beat_secs = session.heartbeat_secs.clamp(5, 300);
                    this.heartbeat_secs
                        .set(u32::try_from(beat_secs).unwrap_or(20));
                    this.check_window_secs.set(session.check_window_secs.max(1));
                    this.screen.lesson_secs(session.progress.credited_secs);
                    this.guard
                        .borrow_mut()
                        .reached(session.progress.furthest_secs);
                    this.crediting.set(Crediting::Unknown);
                    this.offline.set(None);
                    if hidden() {
                        this.hide();
                    } else {
                        this.show_status();
                        this.schedule(this.heartbeat_secs.get());
                    }
                }
                Err(error) => this.refused(&error),
            }
        });
    }

    /// Sends the next heartbeat after `secs`, unless the page is hidden or the session over.
    fn schedule(self: &Rc<Self>, secs: u32) {
        self.stop_timer();
        if self.session.get().is_none() || hidden() {
            return;
        }
        let this = Rc::clone(self);
        let generation = self.timer.get();
        let fire = move || {
            if this.timer.get() == generation {
                this.beat();
            }
        };
        set_timeout(fire, Duration::from_secs(u64::from(secs)));
    }

    fn stop_timer(&self) {
        self.timer.set(self.timer.get().wrapping_add(1));
    }

    /// Sends a heartbeat now (the next one, or the unanswered one again).
    fn beat(self: &Rc<Self>) {
        let Some(session) = self.session.get() else {
            return;
        };
        let Some(beat) = self.beats.borrow_mut().send() else {
            return;
        };
        let active = self.active.replace(false) || self.playing();
        let request = HeartbeatRequest {
            seq: beat.seq,
            visible: beat.visible,
            position_secs: self.position(),
            active,
        };
        let video = self.screen.video.as_ref().map(|_| VideoAt {
            playing: self.playing(),
            position_secs: request.position_secs,
        });
        let this = Rc::clone(self);
        spawn_local(async move {
            let reply = api::heartbeat(session, &request).await;
            if !this.mounted.get() || this.session.get() != Some(session) {
                return;
            }
            match reply {
                Ok(reply) => {
                    this.beats.borrow_mut().answered();
                    this.offline.set(None);
                    this.apply(reply, video);
                    this.schedule(this.heartbeat_secs.get());
                }
                Err(error) if error.is_transient() => {
                    let wait = this.beats.borrow_mut().failed();
                    this.active.set(this.active.get() || active);
                    this.offline.set(Some(wait));
                    this.show_status();
                    this.schedule(wait);
                }
                // The server took the heartbeat; only its answer was unreadable.
                Err(ApiError::Decode) => {
                    this.beats.borrow_mut().answered();
                    this.schedule(this.heartbeat_secs.get());
                }
                Err(error) => this.refused(&error),
            }
        });
    }

    /// Shows what a heartbeat earned, and the check it brought; `video` is the video's state
    /// when the heartbeat was sent.
    fn apply(self: &Rc<Self>, reply: HeartbeatReply, video: Option<VideoAt>) {
        if let Some(c) = crediting(&reply, self.duration, video) {
            self.crediting.set(c);
        }
        self.screen.lesson_secs(reply.lesson_credited_secs);
        self.set_year_secs(reply.year_credited_secs);
        self.guard.borrow_mut().reached(reply.furthest_secs);
        match reply.check {
            Some(check) if self.settled_check.borrow().as_ref() == Some(&check.id) => {}
            Some(check) if self.check.borrow().as_ref() == Some(&check.id) => {}
            Some(check) => self.open_check(check),
            None => self.close_check(),
        }
        self.show_status();
    }

    /// Says whether time is being credited now, and if not, why and what to do: what the page
    /// knows itself (hidden, offline, a check open, the video paused) comes before what the
    /// server's last answer said.
    fn show_status(&self) {
        if self.session.get().is_none() {
            return;
        }
        let said = self.crediting.get();
        let status = if hidden() {
            Status::Hidden
        } else if let Some(wait) = self.offline.get() {
            Status::Retrying(wait)
        } else if self.check.borrow().is_some() {
            Status::Live(Crediting::CheckOpen)
        } else if matches!(said, Crediting::LessonFull | Crediting::DayCapped) {
            Status::Live(said)
        } else if self.screen.video.is_some() && !self.playing() {
            Status::Live(Crediting::NotPlaying)
        } else {
            Status::Live(said)
        };
        self.screen.status(&status);
    }

    fn set_year_secs(&self, secs: i64) {
        self.year_secs.set(secs);
        self.screen.year_secs(secs);
    }

    /// Shows a check with a countdown. `expires_at` is in the server's clock, which need not
    /// agree with the device's, so the window is counted from the check's arrival.
    fn open_check(self: &Rc<Self>, check: CheckPrompt) {
        let window_secs = self.check_window_secs.get();
        self.check_deadline
            .set(Date::now() + (window_secs * 1000) as f64);
        self.screen.note(None);
        self.screen.open_check(&check, window_secs);
        if self.failed_check.replace(false) {
            self.screen.check_note(Some(t().check_new));
        }
        *self.check.borrow_mut() = Some(check.id);
        self.countdown.set(self.countdown.get().wrapping_add(1));
        self.tick(self.countdown.get());
        self.show_status();
    }

    /// Shows the seconds left, then again a second later, while the same check is open.
    fn tick(self: &Rc<Self>, generation: u32) {
        if self.countdown.get() != generation || !self.mounted.get() {
            return;
        }
        let left = seconds_left(self.check_deadline.get(), Date::now());
        self.screen.check_left(left);
        let this = Rc::clone(self);
        if left > 0 {
            set_timeout(move || this.tick(generation), Duration::from_secs(1));
        } else {
            // Run out: ask for the next check at once, a moment after the server's own
            // deadline (whole seconds there) has passed too.
            self.failed_check.set(true);
            set_timeout(
                move || {
                    if this.countdown.get() == generation {
                        this.beat();
                    }
                },
                Duration::from_millis(1_500),
            );
        }
    }

    fn close_check(&self) {
        self.countdown.set(self.countdown.get().wrapping_add(1));
        if self.check.borrow_mut().take().is_some() {
            self.screen.close_check();
        }
    }

    /// Answers the open check with `option`.
    fn answer(self: &Rc<Self>, option: String) {
        let Some(check_id) = self.check.borrow().clone() else {
            return;
        };
        if self.answering.replace(true) {
            return;
        }
        self.screen.check_note(None);
        let this = Rc::clone(self);
        spawn_local(async move {
            let result = api::answer_check(&check_id, option).await;
            this.answering.set(false);
            if !this.mounted.get() {
                return;
            }
            match result {
                Ok(passed) => {
                    this.crediting.set(Crediting::Unknown);
                    this.settle(check_id, t().check_passed);
                    this.screen.lesson_secs(passed.lesson_credited_secs);
                    this.set_year_secs(this.year_secs.get() + passed.credited_secs);
                    this.show_status();
                }
                Err(error) if error.code() == Some(ErrorCode::SessionEnded) => this.refused(&error),
                // Already replaced by a newer check, which a heartbeat brings at once.
                Err(error) if error.code() == Some(ErrorCode::NotFound) => {
                    this.next_check(check_id, t().check_timed_out)
                }
                // Wrong or too late: crediting waits for the next check, asked for at once.
                Err(error) if matches!(error, ApiError::Refused(_)) => {
                    this.next_check(check_id, &error.message())
                }
                Err(error) => this.screen.check_note(Some(&error.message())),
            }
        });
    }

    fn settle(&self, check_id: String, message: &str) {
        *self.settled_check.borrow_mut() = Some(check_id);
        self.close_check();
        self.screen.note(Some(message));
    }

    /// A check failed: say why, and ask the server for the next one now (it answers an early
    /// heartbeat after a failed check with the next check).
    fn next_check(self: &Rc<Self>, check_id: String, message: &str) {
        self.settle(check_id, message);
        self.crediting.set(Crediting::CheckOpen);
        self.failed_check.set(true);
        self.show_status();
        self.beat();
    }

    /// The server refused the session or a heartbeat: say why and stop.
    fn refused(self: &Rc<Self>, error: &ApiError) {
        self.session.set(None);
        self.stop_timer();
        self.close_check();
        self.pause_video();
        let message = error.message();
        self.screen.status(&match error.code() {
            Some(ErrorCode::NotEnrolled | ErrorCode::StudyClosed | ErrorCode::Forbidden) => {
                Status::NoCredit(message)
            }
            _ => Status::Stopped(message),
        });
    }

    fn hide(self: &Rc<Self>) {
        self.beats.borrow_mut().hid(Date::now());
        self.stop_timer();
        self.pause_video();
        if self.session.get().is_some() {
            self.screen.status(&Status::Hidden);
        }
    }

    /// Back in view: one heartbeat closes the hidden interval (it earns nothing), then the
    /// usual rhythm resumes. A heartbeat still on its way schedules the next one itself.
    fn show(self: &Rc<Self>) {
        if self.session.get().is_none() {
            return;
        }
        if self.crediting.get() == Crediting::Counting {
            self.crediting.set(Crediting::Unknown);
        }
        self.show_status();
        if !self.beats.borrow().in_flight() {
            self.beat();
        }
    }

    /// The page goes away: the last report, by beacon, and the session ends.
    fn leave(&self) {
        self.stop_timer();
        if let Some(session) = self.session.take() {
            let beat = self.beats.borrow().last(Date::now());
            let last = HeartbeatRequest {
                seq: beat.seq,
                visible: beat.visible,
                position_secs: self.position(),
                active: self.active.get() || self.playing(),
            };
            api::end_study_beacon(session, Some(last));
            self.left.set(true);
        }
    }

    /// Seconds into the lesson: the video's time, or how far down the text the reader is.
    fn position(&self) -> i64 {
        match &self.screen.video {
            Some(video) => video_position(video.current_time(), self.duration),
            None => text_position(
                window().scroll_y().unwrap_or(0.0),
                scroll_range(),
                self.duration,
            ),
        }
    }

    fn playing(&self) -> bool {
        (self.screen.video.as_ref()).is_some_and(|v| !v.paused() && !v.ended())
    }

    fn pause_video(&self) {
        if let Some(video) = &self.screen.video {
            let _ = video.pause();
        }
    }

    /// Video events: resume where the trainee left off (not beyond what was watched), keep
    /// seeking within what was watched, count playback as activity, and say when a faster
    /// rate earns nothing extra.
    fn on_video(&self, kind: &str) {
        let Some(video) = &self.screen.video else {
            return;
        };
        let time = video.current_time();
        let mut guard = self.guard.borrow_mut();
        let back = match kind {
            "loadedmetadata" => {
                let at = guard.resume_at(self.resume_secs);
                if at > 0.0 {
                    video.set_current_time(at);
                }
                None
            }
            "seeking" => guard.seek(time),
            "timeupdate" => {
                if !video.paused() {
                    self.active.set(true);
                }
                guard.played(time, video.playback_rate())
            }
            _ => {
                self.screen.fast(video.playback_rate() > 1.0);
                None
            }
        };
        drop(guard);
        if let Some(to) = back {
            video.set_current_time(to);
            self.screen.note(Some(t().seek_blocked));
        }
    }
}

fn hidden() -> bool {
    document().visibility_state() == VisibilityState::Hidden
}

/// How far the page can scroll, in CSS pixels.
fn scroll_range() -> f64 {
    let page = document()
        .document_element()
        .map_or(0.0, |e| f64::from(e.scroll_height()));
    let view = window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    page - view
}
