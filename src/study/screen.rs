//! What the lesson page shows, built straight into the DOM and updated by the player: the
//! lesson (text, or a video with its transcript), the lesson's and the year's progress, the
//! session's status, and the anti-idle check.
//!
//! Typed views would cost the first visit several times more download (see
//! `components::dom`); the page is one widget driven by one controller, so plain elements
//! updated in place are also the simpler design here.
//!
//! The check (防挂机) is a native `<dialog>` opened with `showModal()`: the rest of the page is
//! inert while it is open, focus moves into it and returns when it closes. It is an
//! `alertdialog` named by the question itself, which is text, so screen readers read it
//! aloud; the answers are real buttons, large enough for a finger (≥ 48 px), reachable by Tab
//! and pressed with Enter or Space. Escape does not dismiss it: it has to be answered.

use crate::components::dom::{attr, el, link, text, Bar};
use crate::i18n::t;
use crate::study::heartbeat::Crediting;
use crate::study::markdown;
use leptos::prelude::document;
use qinxue_core::api::{CheckPrompt, Lesson};
use qinxue_core::catalogue::format_hours;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlElement, HtmlVideoElement};

/// Where the session stands, as the page tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Starting,
    /// The session is open and in view: whether the server credits it, and if not, why.
    Live(Crediting),
    Hidden,
    /// A heartbeat got no answer; it goes again in this many seconds.
    Retrying(u32),
    /// Studying here earns nothing (not enrolled, study closed); the server's reason.
    NoCredit(String),
    /// The session stopped (another tab or device took over, or a failure); the server's
    /// reason. Studying can go on here in a new session.
    Stopped(String),
}

/// The lesson page's elements.
pub struct Screen {
    /// Everything, to be put in the page.
    pub root: Element,
    /// The "continue here" button, shown when the session stopped.
    pub restart: Element,
    /// The check dialog and its answer buttons' container.
    pub dialog: HtmlDialogElement,
    pub options: Element,
    pub video: Option<HtmlVideoElement>,
    /// The lesson's content; a practice lesson's questions go here (`pages::practice`).
    pub article: Element,
    lesson_bar: Bar,
    /// Absent at a seat of a group session, whose credential does not read the year.
    year_bar: Option<Bar>,
    status: Element,
    note: Element,
    fast: Element,
    prompt: Element,
    help: Element,
    left: Element,
    check_note: Element,
    duration: i64,
    minutes_per_hour: u32,
    required_hours: u32,
}

impl Screen {
    /// Builds the page of `lesson`, with a link back to `back` (`(href, label)`); `year`,
    /// when shown, asks for `required_hours` of `minutes_per_hour` minutes each.
    pub fn new(lesson: &Lesson, year: Option<(u32, u32)>, back: (&str, &str)) -> Self {
        let words = t();
        let root = document().create_element("div").unwrap();
        let (required_hours, minutes_per_hour) = year.unwrap_or((0, 0));

        let crumbs = el(&root, "p", "breadcrumb");
        link(&crumbs, back.0, back.1);
        let _ = crumbs.append_with_str_1(&format!(" › {}", lesson.course_title));
        text(&root, "h1", "", &lesson.title);

        let bar = el(&root, "section", "card study-bar");
        attr(&bar, "aria-label", words.lesson_credited_label);
        let lesson_bar = Bar::new(&bar, "lesson-credited", words.lesson_credited_label);
        let year_bar = year.map(|_| Bar::new(&bar, "year-credited", words.year_credited_label));
        let status = el(&bar, "p", "study-status");
        attr(&status, "role", "status");
        attr(&status, "data-testid", "study-status");
        let note = el(&bar, "p", "notice");
        attr(&note, "role", "alert");
        attr(&note, "data-testid", "study-note");
        let restart = text(&bar, "button", "button button-primary", words.continue_here);
        attr(&restart, "type", "button");

        let article = el(&root, "article", "card lesson");
        let fast = text(&article, "p", "notice", words.fast_playback);
        attr(&fast, "role", "status");
        let video = lesson.video.as_ref().map(|src| {
            let video: HtmlVideoElement = el(&article, "video", "lesson-video").unchecked_into();
            video.set_src(src);
            video.set_controls(true);
            video.set_preload("metadata");
            attr(&video, "playsinline", "");
            text(&video, "p", "", words.video_unsupported);
            video
        });
        markdown::render(&el(&article, "div", "lesson-text"), &lesson.body);
        if let Some(transcript) = &lesson.transcript {
            let section = el(&article, "section", "transcript");
            text(&section, "h2", "", words.transcript);
            text(&section, "p", "", transcript);
        }

        let dialog: HtmlDialogElement = el(&root, "dialog", "check-dialog").unchecked_into();
        attr(&dialog, "role", "alertdialog");
        attr(&dialog, "aria-modal", "true");
        attr(&dialog, "aria-labelledby", "check-prompt");
        attr(&dialog, "aria-describedby", "check-help");
        let prompt = el(&dialog, "p", "check-prompt");
        prompt.set_id("check-prompt");
        let help = el(&dialog, "p", "");
        help.set_id("check-help");
        let left = el(&dialog, "p", "check-left");
        attr(&left, "data-testid", "check-left");
        let options = el(&dialog, "div", "check-options");
        let check_note = el(&dialog, "p", "form-alert");
        attr(&check_note, "role", "alert");

        let screen = Self {
            root,
            restart,
            dialog,
            options,
            video,
            article,
            lesson_bar,
            year_bar,
            status,
            note,
            fast,
            prompt,
            help,
            left,
            check_note,
            duration: lesson.duration_secs,
            minutes_per_hour,
            required_hours,
        };
        screen.fast(false);
        screen.status(&Status::Starting);
        screen.note(None);
        screen
    }

    /// Shows the session's status; the "continue here" button only once it stopped.
    pub fn status(&self, status: &Status) {
        let words = t();
        // `state` names what is shown for the end-to-end tests; `class` how it looks: only
        // counting is shown as good news.
        let live = |state, class, message: &str| (state, class, message.to_owned());
        let (state, class, message) = match status {
            Status::Starting => live("starting", "", words.status_starting),
            Status::Live(c) => match c {
                Crediting::Unknown => live("confirming", "", words.status_confirming),
                Crediting::Counting => live("counting", "notice-ok", words.status_running),
                Crediting::CheckOpen => live("check", "notice-warn", words.status_check),
                Crediting::LessonFull => {
                    live("lesson-full", "notice-warn", words.status_lesson_full)
                }
                Crediting::DayCapped => live("day-capped", "notice-warn", words.status_day_capped),
                Crediting::NotPlaying => {
                    live("not-playing", "notice-warn", words.status_press_play)
                }
                Crediting::Rewatching => live("rewatching", "notice-warn", words.status_rewatching),
            },
            Status::Hidden => live("hidden", "notice-warn", words.status_hidden),
            Status::Retrying(secs) => {
                live("offline", "notice-warn", &(words.status_retrying)(*secs))
            }
            Status::NoCredit(why) => live(
                "no-credit",
                "notice-warn",
                &format!("{why}。{}", words.no_credit),
            ),
            Status::Stopped(why) => live("stopped", "notice-error", why),
        };
        attr(&self.status, "data-state", state);
        self.status.set_class_name(&format!("study-status {class}"));
        self.status.set_text_content(Some(&message));
        show(&self.restart, matches!(status, Status::Stopped(_)));
    }

    /// A message about the last check or the video; `None` hides it.
    pub fn note(&self, message: Option<&str>) {
        self.note.set_text_content(message);
        show(&self.note, message.is_some());
    }

    /// Credited seconds of the lesson.
    pub fn lesson_secs(&self, secs: i64) {
        let figures = (t().lesson_credited)(secs, self.duration);
        self.lesson_bar.set(secs, self.duration, &figures);
    }

    /// Credited seconds of the year.
    pub fn year_secs(&self, secs: i64) {
        let Some(year_bar) = &self.year_bar else {
            return;
        };
        let mph = self.minutes_per_hour;
        let required = i64::from(self.required_hours) * i64::from(mph) * 60;
        let figures = (t().hours_done)(&format_hours(secs, mph), self.required_hours);
        year_bar.set(secs, required, &figures);
    }

    /// The video plays faster than 1×: say that it earns nothing extra.
    pub fn fast(&self, on: bool) {
        show(&self.fast, on);
    }

    /// Opens the dialog for `check`, to be answered within `window_secs`, and puts the focus
    /// on the first answer, so that Tab and Enter work at once.
    pub fn open_check(&self, check: &CheckPrompt, window_secs: i64) {
        self.prompt.set_text_content(Some(&check.prompt));
        self.help
            .set_text_content(Some(&(t().check_help)(window_secs)));
        self.check_left(window_secs);
        self.check_note(None);
        self.options.set_text_content(None);
        for option in &check.options {
            let button = text(&self.options, "button", "button check-option", option);
            attr(&button, "type", "button");
        }
        if !self.dialog.open() {
            let _ = self.dialog.show_modal();
        }
        if let Some(first) = self.options.first_element_child() {
            let _ = first.unchecked_into::<HtmlElement>().focus();
        }
    }

    pub fn close_check(&self) {
        if self.dialog.open() {
            self.dialog.close();
        }
    }

    /// The countdown; at zero, what to do instead.
    pub fn check_left(&self, secs: i64) {
        let words = t();
        let left = match secs {
            0 => words.check_timed_out.to_owned(),
            secs => (words.check_left)(secs),
        };
        self.left.set_text_content(Some(&left));
    }

    /// A message inside the dialog (e.g. no network); `None` clears it.
    pub fn check_note(&self, message: Option<&str>) {
        self.check_note.set_text_content(message);
    }
}

fn show(element: &Element, on: bool) {
    let _ = element.toggle_attribute_with_force("hidden", !on);
}
