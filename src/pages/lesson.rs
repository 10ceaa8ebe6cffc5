//! The lesson player at `/lessons/:id`: loads the lesson and the year's progress, then hands
//! the page to the study player (`crate::study`), which shows the lesson and runs the study
//! session that earns 学时. A practice lesson's questions are in its content
//! (`pages::practice`), so practising earns time like reading.

use crate::api;
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::pages::practice;
use crate::study::player::{Place, Player};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
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
                player.run();
                Ok(())
            })
        });
        load_into(fill)
    }
}
