//! A course as a card, shared by 选课 (the catalogue) and 我的学习: cover, title, category,
//! 学时 and trades, description, and the lessons with the practice last, each a link to the
//! player. Built straight into the DOM (see `components::dom`).

use crate::components::dom::{attr, el, link, text};
use crate::i18n::t;
use qinxue_core::api::{Course, CourseProgress};
use qinxue_core::catalogue::format_hours;
use qinxue_core::ledger::LessonKind;
use web_sys::{Element, Node};

/// Appends the card of `course` to `parent`, with what is done when `credit` is given (at
/// `mph` minutes a 学时). Answers the card's action row, for the page's buttons; the card
/// carries `data-course="<id>"`.
pub fn course_card(
    parent: &Node,
    course: &Course,
    credit: Option<&CourseProgress>,
    mph: u32,
) -> Element {
    let words = t();
    // The first two covers may be on the first screen, the largest thing painted there: they
    // load at once, the rest when scrolled near.
    let lazy = parent
        .first_child()
        .and_then(|c| c.next_sibling())
        .is_some();
    let card = el(parent, "article", "card course");
    attr(&card, "data-course", &course.id.to_string());
    let cover = el(&card, "img", "");
    attr(&cover, "src", &course.cover);
    attr(&cover, "alt", "");
    attr(&cover, "width", "640");
    attr(&cover, "height", "360");
    if lazy {
        attr(&cover, "loading", "lazy");
    }
    let body = el(&card, "div", "");
    text(&body, "h3", "", &course.title);
    let meta = format!(
        "{} · {}",
        course.category.label(),
        (words.hours_value)(course.hours)
    );
    text(&body, "p", "course-meta", &meta);
    // A line of its own: a group's general course lists ten trades.
    if !course.trades.is_empty() {
        let trades = (words.for_trades)(&course.trades.join("、"));
        attr(
            &text(&body, "p", "course-meta", &trades),
            "data-testid",
            "course-trades",
        );
    }
    text(&body, "p", "", &course.description);
    if let Some(credit) = credit {
        let done = (words.hours_done)(&format_hours(credit.credited_secs, mph), course.hours);
        text(&body, "p", "course-done", &done);
    }
    let lessons = el(&body, "ol", "lessons");
    for lesson in &course.lessons {
        let item = el(&lessons, "li", "");
        link(&item, &format!("/lessons/{}", lesson.id), &lesson.title);
        let kind = match lesson.kind {
            LessonKind::Text => words.lesson_kind_text,
            LessonKind::Video => words.lesson_kind_video,
            LessonKind::Practice => words.lesson_kind_practice,
        };
        let mut meta = format!("{kind} · {}", (words.duration)(lesson.duration_secs));
        let done = credit
            .and_then(|c| c.lessons.iter().find(|l| l.lesson_id == lesson.id))
            .filter(|l| l.credited_secs > 0);
        if let Some(done) = done {
            meta.push_str(" · ");
            meta.push_str(&(words.lesson_done)(
                done.credited_secs * 100 / done.duration_secs.max(1),
            ));
        }
        text(&item, "span", "lesson-meta", &meta);
    }
    el(&body, "div", "course-actions")
}
