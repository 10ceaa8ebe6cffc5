//! 我的学习: this year's credited 学时 against the requirement, the trainee's courses with
//! their progress, and the whole catalogue, so that every lesson is one tap away.

use crate::api;
use crate::components::dom::{attr, el, link, text, Bar};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use qinxue_core::api::{Course, CourseProgress, StudyProgress};
use qinxue_core::catalogue::format_hours;
use qinxue_core::ledger::LessonKind;
use std::rc::Rc;
use web_sys::Node;

/// The page at `/study`.
#[component]
pub fn StudyPage() -> impl IntoView {
    let text = t();
    set_page_title(text.study_title);
    let session = use_session();
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let (progress, courses) = (api::study_progress().await?, api::courses().await?);
            study_content(&page, &progress, courses);
            Ok(())
        })
    });
    // Paying comes with registration; until then studying earns nothing, which people must
    // know before they spend an hour on a lesson.
    let not_enrolled = move || match session.state() {
        SessionState::SignedIn(me) => me.year.filter(|y| !y.enrolled).map(|y| y.year),
        _ => None,
    };
    view! {
        <h1>{text.study_title}</h1>
        <p class="notice notice-warn" data-testid="not-enrolled" hidden=move || not_enrolled().is_none()>
            {move || not_enrolled().map(text.not_enrolled)}
        </p>
        {load_into(fill)}
    }
}

/// The year's progress, then the trainee's courses, then the rest of the catalogue.
fn study_content(page: &Node, progress: &StudyProgress, courses: Vec<Course>) {
    let words = t();
    let mph = progress.minutes_per_hour;
    let year = el(page, "section", "card");
    Bar::new(&year, "year-hours", &(words.year_hours)(progress.year)).set(
        progress.credited_secs,
        i64::from(progress.required_hours) * i64::from(mph) * 60,
        &(words.hours_done)(&progress.credited_hours, progress.required_hours),
    );
    let (mine, others): (Vec<Course>, Vec<Course>) = courses
        .into_iter()
        .partition(|c| progress.courses.iter().any(|p| p.course_id == c.id));
    text(page, "h2", "", words.my_courses);
    if mine.is_empty() {
        text(page, "p", "notice", words.my_courses_empty);
    }
    let list = el(page, "div", "courses");
    for course in &mine {
        let credit = progress.courses.iter().find(|p| p.course_id == course.id);
        course_card(&list, course, credit, mph);
    }
    text(page, "h2", "", words.all_courses);
    let list = el(page, "div", "courses");
    for course in &others {
        course_card(&list, course, None, mph);
    }
}

/// A course: cover, title, category, 学时, its lessons as links to the player, and, for the
/// trainee's own courses, what is done.
fn course_card(parent: &Node, course: &Course, credit: Option<&CourseProgress>, mph: u32) {
    let words = t();
    let card = el(parent, "article", "card course");
    let cover = el(&card, "img", "");
    attr(&cover, "src", &course.cover);
    attr(&cover, "alt", "");
    attr(&cover, "width", "640");
    attr(&cover, "height", "360");
    attr(&cover, "loading", "lazy");
    let body = el(&card, "div", "");
    text(&body, "h3", "", &course.title);
    let meta = format!(
        "{} · {}",
        course.category.label(),
        (words.hours_value)(course.hours)
    );
    text(&body, "p", "course-meta", &meta);
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
}
