//! 我的学习: this year's credited 学时 against the requirement, the 选课计划 (planned 学时
//! against it, courses not yet studied can be taken out), and the trainee's courses with their
//! progress, every lesson and practice one tap away. Choosing courses is 选课 (`/courses`).

use crate::api;
use crate::components::course::course_card;
use crate::components::dom::{attr, el, link, text, Bar};
use crate::components::load::{both, load_into, Fill};
use crate::components::plan::{path_note, PlanBar};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qinxue_core::api::{Course, StudyProgress};
use qinxue_core::path_to_requirement::PathToRequirement;
use qinxue_core::practice::Plan;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{Element, Event, Node};

/// The page at `/study`.
#[component]
pub fn StudyPage() -> impl IntoView {
    let text = t();
    set_page_title(text.study_title);
    let session = use_session();
    let fill: Fill = Rc::new(move |page| {
        Box::pin(async move {
            // Everything the page may need, asked at once (the catalogue serves the path to
            // the requirement and the courses studied outside the plan); the trade comes
            // from the session once it has answered.
            let signed_in = match session.state_untracked() {
                SessionState::SignedIn(me) => Some(me.trade),
                _ => None,
            };
            let trade = async move {
                match signed_in {
                    Some(trade) => Ok(trade),
                    None => api::me().await.map(|me| me.trade),
                }
            };
            let ((progress, plan), (all, trade)) = both(
                both(api::study_progress(), api::plan()),
                both(api::courses(""), trade),
            )
            .await;
            let (progress, plan, mut all) = (progress?, plan?, all?);
            // While the plan falls short, which courses reach the requirement for this trade.
            let path = if plan.registration_open && !plan.complete() {
                Some(PathToRequirement::new(
                    &all,
                    trade?.as_deref(),
                    plan.required_hours,
                ))
            } else {
                None
            };
            // The courses studied outside the plan (their time counts all the same).
            let unplanned = |id: i64| !plan.courses.iter().any(|c| c.id == id);
            all.retain(|c| unplanned(c.id) && progress.courses.iter().any(|p| p.course_id == c.id));
            let studied = all;
            study_content(&page, &progress, &plan, path.as_ref(), studied);
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
            " "
            <A href="/enrol">{text.go_enrol}</A>
        </p>
        {load_into(fill)}
    }
}

/// The year's credited time, the plan, then the trainee's courses: those planned, and any
/// other they have studied (its time counts all the same).
fn study_content(
    page: &Node,
    progress: &StudyProgress,
    plan: &Plan,
    path: Option<&PathToRequirement>,
    studied: Vec<Course>,
) {
    let words = t();
    let mph = progress.minutes_per_hour;
    let year = el(page, "section", "card");
    Bar::new(&year, "year-hours", &(words.year_hours)(progress.year)).set(
        progress.credited_secs,
        i64::from(progress.required_hours) * i64::from(mph) * 60,
        &(words.hours_done)(&progress.credited_hours, progress.required_hours),
    );
    let bar = Rc::new(PlanBar::new(&year, plan));
    if let Some(path) = path {
        path_note(&year, path);
    }
    link(&year, "/courses", words.go_select).set_class_name("button");
    text(page, "h2", "", words.my_courses);
    let list = el(page, "div", "courses");
    for (n, course) in plan.courses.iter().chain(&studied).enumerate() {
        let credit = progress.courses.iter().find(|p| p.course_id == course.id);
        let actions = course_card(&list, course, credit, mph);
        let started = credit.is_some_and(|c| c.credited_secs > 0);
        if plan.registration_open && !started && n < plan.courses.len() {
            let button = text(&actions, "button", "button", words.unselect_course);
            attr(&button, "type", "button");
            attr(&button, "data-unselect", &course.id.to_string());
            attr(&text(&actions, "p", "form-alert", ""), "role", "alert");
        }
    }
    // One listener for every 退选 button and its confirmation.
    let on_click = Closure::<dyn Fn(Event)>::new(move |event: Event| {
        let Some(button) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if button.has_attribute("data-unselect") {
            confirm(&button);
        } else if button.has_attribute("data-unselect-yes") {
            unselect(Rc::clone(&bar), button);
        } else if button.has_attribute("data-unselect-no") {
            if let Some(ask) = button.closest(".confirm").ok().flatten() {
                ask.remove();
            }
        }
    });
    let _ =
        list.add_event_listener_with_callback("click", on_click.into_js_value().unchecked_ref());
}

/// The course's title, from its card.
fn title_of(button: &Element) -> String {
    button
        .closest("article")
        .ok()
        .flatten()
        .and_then(|card| card.query_selector("h3").ok().flatten())
        .and_then(|h| h.text_content())
        .unwrap_or_default()
}

/// Asks before taking a course out of the plan: a question and two buttons under 退选, the
/// first of them focused (a mistaken tap on 退选 costs nothing).
fn confirm(button: &Element) {
    let Some(actions) = button.parent_element() else {
        return;
    };
    if actions.query_selector(".confirm").ok().flatten().is_some() {
        return;
    }
    let words = t();
    let ask = el(&actions, "div", "confirm");
    attr(&ask, "role", "group");
    let question = text(&ask, "p", "", &(words.unselect_confirm)(&title_of(button)));
    question.set_id("unselect-question");
    attr(&ask, "aria-labelledby", "unselect-question");
    let id = button.get_attribute("data-unselect").unwrap_or_default();
    let yes = text(&ask, "button", "button", words.unselect_yes);
    attr(&yes, "type", "button");
    attr(&yes, "data-unselect-yes", &id);
    let no = text(&ask, "button", "button button-primary", words.unselect_no);
    attr(&no, "type", "button");
    attr(&no, "data-unselect-no", "");
    let _ = no.unchecked_into::<web_sys::HtmlElement>().focus();
}

/// Takes a course out of the plan: its card gives way to a line saying so, the bar follows;
/// a refusal is said on the card.
fn unselect(bar: Rc<PlanBar>, button: Element) {
    let id = button
        .get_attribute("data-unselect-yes")
        .and_then(|id| id.parse().ok())
        .unwrap_or(0);
    let title = title_of(&button);
    let _ = button.set_attribute("disabled", "");
    spawn_local(async move {
        match api::unselect_course(id).await {
            Ok(plan) => {
                bar.show(&plan);
                if let Some(card) = button.closest("article").ok().flatten() {
                    let done = document().create_element("p").unwrap_throw();
                    done.set_class_name("notice notice-ok");
                    attr(&done, "role", "status");
                    attr(&done, "data-testid", "unselected");
                    done.set_text_content(Some(&(t().unselected)(&title)));
                    let _ = card.replace_with_with_node_1(&done);
                }
            }
            Err(error) => {
                let _ = button.remove_attribute("disabled");
                let alert = button
                    .closest(".course-actions")
                    .ok()
                    .flatten()
                    .and_then(|a| a.query_selector(".form-alert").ok().flatten());
                if let Some(alert) = alert {
                    alert.set_text_content(Some(&error.message()));
                }
            }
        }
    });
}
