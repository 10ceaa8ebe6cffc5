//! The lesson player at `/lessons/:id`: loads the lesson and the year's progress, then hands
//! the page to the study player (`crate::study`), which shows the lesson and runs the study
//! session that earns 学时. A practice lesson's questions are in its content
//! (`pages::practice`), so practising earns time like reading.

use crate::api;
use crate::components::dom::{el, link};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::pages::practice;
use crate::study::player::{Place, Player};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use qinxue_core::api::StudyProgress;
use qinxue_core::ledger::LessonKind;
use std::rc::Rc;

#[derive(Params, Debug, Clone, PartialEq)]
struct LessonParams {
    id: Option<i64>,
}

/// The page at `/lessons/:id`. The study session ends (with a last report) when the page is
/// left.
#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params::<LessonParams>();
    // A new lesson is a new page: its own load, player and session.
    move || {
        let id = params
            .with(|p| p.as_ref().ok().and_then(|p| p.id))
            .unwrap_or(0);
        let fill: Fill = Rc::new(move |page| {
            Box::pin(async move {
                let (lesson, progress) = (api::lesson(id).await?, api::study_progress().await?);
                set_page_title(&lesson.title);
                let player = Player::new(&lesson, Place::Account(&progress));
                if lesson.kind == LessonKind::Practice {
                    practice::mount(&player.screen.article, lesson.course_id);
                }
                let _ = page.append_child(&player.screen.root);
                next_lesson(&player.screen.root, &progress, lesson.course_id, lesson.id);
                player.run();
                Ok(())
            })
        });
        load_into(fill)
    }
}

/// The way on at the end of the lesson: the course's next lesson (the year's progress lists a
/// studied course's lessons in order), or back to 我的学习 after its last.
fn next_lesson(root: &web_sys::Element, progress: &StudyProgress, course_id: i64, lesson_id: i64) {
    let words = t();
    let next = progress
        .courses
        .iter()
        .find(|c| c.course_id == course_id)
        .and_then(|c| {
            let at = c.lessons.iter().position(|l| l.lesson_id == lesson_id)?;
            c.lessons.get(at + 1)
        });
    let nav = el(root, "nav", "lesson-next");
    let _ = nav.set_attribute("aria-label", words.next_lesson);
    let a = match next {
        Some(l) => link(
            &nav,
            &format!("/lessons/{}", l.lesson_id),
            words.next_lesson,
        ),
        None => link(&nav, "/study", words.course_finished),
    };
    a.set_class_name("button button-primary");
    let _ = a.set_attribute("data-testid", "next-lesson");
}
