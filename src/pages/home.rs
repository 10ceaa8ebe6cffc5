//! The home page: a welcome for visitors, this year's requirement for a trainee, and a short
//! note for administrators.

use crate::api;
use crate::components::dom::{attr, el, link, text};
use crate::components::group_sessions::group_sessions_section;
use crate::components::load::{load_into, Fill};
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use crate::components::years::years_section;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qinxue_core::api::{LessonCredit, Me, StudyProgress, YearInfo};
use qinxue_core::money::format_yuan;
use qinxue_core::time::format_local_datetime;
use qinxue_core::Role;
use std::rc::Rc;

/// The page at `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    set_page_title(t().nav_home);
    let session = use_session();
    move || match session.state() {
        SessionState::Loading => view! { <Loading /> }.into_any(),
        SessionState::SignedOut => view! { <Welcome /> }.into_any(),
        SessionState::Failed(error) => {
            let message = format!("{}：{}", t().session_failed, error.message());
            let retry = Callback::new(move |_| spawn_local(session.reload()));
            view! { <ErrorNotice message on_retry=retry /> }.into_any()
        }
        SessionState::SignedIn(me) if me.role == Role::Trainee => {
            view! { <TraineeHome me=*me /> }.into_any()
        }
        SessionState::SignedIn(me) => view! { <AdminHome me=*me /> }.into_any(),
    }
}

/// The page at `/` in the visitors' bundle (`crate::welcome_app`): the welcome alone. Should the
/// person turn out to be signed in, the page is loaded again, and the server then sends the
/// trainee app, whose home this is not.
#[component]
pub fn VisitorHomePage() -> impl IntoView {
    set_page_title(t().nav_home);
    let session = use_session();
    move || match session.state() {
        SessionState::Loading => view! { <Loading /> }.into_any(),
        SessionState::SignedOut => view! { <Welcome /> }.into_any(),
        SessionState::Failed(error) => {
            let message = format!("{}：{}", t().session_failed, error.message());
            let retry = Callback::new(move |_| spawn_local(session.reload()));
            view! { <ErrorNotice message on_retry=retry /> }.into_any()
        }
        SessionState::SignedIn(_) => {
            crate::welcome_app::load_from_server();
            view! { <Loading /> }.into_any()
        }
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let text = t();
    view! {
        <section class="card welcome">
            <h1>{text.welcome_title}</h1>
            <p>{text.welcome_text}</p>
            <p class="actions">
                <A href="/login" attr:class="button button-primary">{text.nav_login}</A>
                <A href="/register" attr:class="button">{text.welcome_register}</A>
            </p>
        </section>
        {year_steps()}
    }
}

/// The year's steps for a visitor, register → pay → choose → study → certificate, with the
/// 学时, fees and deadlines of the year in force (`GET /api/policy-year`, which the help page
/// answers from too). Built into the DOM like the other loaded content (`components::load`).
fn year_steps() -> impl IntoView {
    let fill: Fill = Rc::new(|place| {
        Box::pin(async move {
            let year = api::policy_year().await?;
            let words = t();
            let card = el(&place, "section", "card year-steps");
            attr(&card, "aria-labelledby", "steps-title");
            text(&card, "h2", "", &(words.steps_title)(year.year)).set_id("steps-title");
            let list = el(&card, "ol", "steps");
            attr(&list, "data-testid", "year-steps");
            for step in words.steps {
                let item = el(&list, "li", "");
                text(&item, "strong", "", step.title);
                text(&item, "p", "", &(step.detail)(&year));
            }
            Ok(())
        })
    });
    load_into(fill)
}

#[component]
fn TraineeHome(me: Me) -> impl IntoView {
    let text = t();
    let profile = [
        (text.your_grade, me.grade.map(|g| g.label().to_owned())),
        (text.your_id_number, me.id_number),
        (text.your_unit, me.unit.map(|u| u.name)),
        (text.your_trade, me.trade),
    ];
    // Until the fee is paid, studying earns nothing: paying comes first.
    let unpaid = me.year.as_ref().filter(|y| !y.enrolled).map(|y| y.year);
    view! {
        <h1>{(text.greeting)(&me.name)}</h1>
        {unpaid.map(|year| view! { <p class="notice notice-warn">{(text.enrol_needed)(year)}</p> })}
        <YearCard year=me.year />
        {group_sessions_section()}
        {years_section()}
        <p class="actions">
            {unpaid
                .map(|_| view! { <A href="/enrol" attr:class="button button-primary">{text.go_enrol}</A> })}
            <A href="/study" attr:class="button">
                {text.go_study}
            </A>
        </p>
        {unpaid.is_none().then(continue_study)}
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">{text.your_profile}</h2>
            <dl class="facts">
                {profile
                    .into_iter()
                    .filter_map(|(label, value)| value.map(|value| (label, value)))
                    .map(|(label, value)| {
                        view! {
                            <div>
                                <dt>{label}</dt>
                                <dd>{value}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// 继续学习: straight back into the lesson where the trainee left off, once the year's
/// progress says which (nothing when every lesson is done). Built into the DOM like the
/// other loaded content (`components::load`): a typed view of it costs the first visit more.
fn continue_study() -> impl IntoView {
    let fill: Fill = Rc::new(|place| {
        Box::pin(async move {
            let progress = api::study_progress().await?;
            if let Some((lesson, course)) = where_to_continue(&progress) {
                let words = t();
                let go = link(&place, &format!("/lessons/{lesson}"), words.continue_study);
                go.set_class_name("button button-primary");
                attr(&go, "data-testid", "continue-study");
                attr(
                    &go,
                    "aria-label",
                    &format!("{}：{course}", words.continue_study),
                );
                let _ = place.append_with_str_1(" ");
                text(&place, "span", "", &(words.continue_in)(&course));
            }
            Ok(())
        })
    });
    view! { <div class="continue-study">{load_into(fill)}</div> }
}

/// The lesson to continue with, and its course's title: one begun but not finished, else the
/// next unfinished lesson of a course begun, else the first unfinished lesson of the plan.
fn where_to_continue(progress: &StudyProgress) -> Option<(i64, String)> {
    let unfinished = |l: &&LessonCredit| l.credited_secs < l.duration_secs;
    let lessons = || {
        progress
            .courses
            .iter()
            .flat_map(|c| c.lessons.iter().map(move |l| (c, l)))
    };
    let pick = lessons()
        .find(|(_, l)| l.credited_secs > 0 && unfinished(l))
        .or_else(|| lessons().find(|(c, l)| c.credited_secs > 0 && unfinished(l)))
        .or_else(|| lessons().find(|(_, l)| unfinished(l)));
    pick.map(|(c, l)| (l.lesson_id, c.title.clone()))
}

#[component]
fn AdminHome(me: Me) -> impl IntoView {
    let text = t();
    // Who they are and where they may act is on the admin app's home; here only the way there.
    view! {
        <h1>{(text.greeting)(&me.name)}</h1>
        <section class="card">
            <p>{format!("{}：{}", text.your_role, me.role.label())}</p>
            <p class="actions">
                <a href="/admin/" rel="external" class="button button-primary">
                    {text.to_admin}
                </a>
            </p>
        </section>
        <YearCard year=me.year />
    }
}

/// This year's requirement and deadlines; the hours and fee only appear for trainees, whose
/// grade decides them.
#[component]
fn YearCard(year: Option<YearInfo>) -> impl IntoView {
    let text = t();
    let Some(year) = year else {
        return view! { <p class="notice">{text.no_year}</p> }.into_any();
    };
    let deadline = |at, open: bool| {
        let mut shown = format_local_datetime(at);
        if !open {
            shown.push_str(text.closed);
        }
        shown
    };
    view! {
        <section class="card" aria-labelledby="year-title">
            <h2 id="year-title">{(text.year_title)(year.year)}</h2>
            <dl class="facts facts-large">
                {year
                    .required_hours
                    .map(|hours| {
                        view! {
                            <div>
                                <dt>{text.required_hours}</dt>
                                <dd data-testid="required-hours">{(text.hours_value)(hours)}</dd>
                            </div>
                        }
                    })}
                {year
                    .fee_fen
                    .map(|fen| {
                        view! {
                            <div>
                                <dt>{text.fee}</dt>
                                <dd data-testid="fee">{(text.yuan_value)(&format_yuan(fen))}</dd>
                            </div>
                        }
                    })}
                <div>
                    <dt>{text.registration_deadline}</dt>
                    <dd data-testid="registration-deadline">
                        {deadline(year.registration_deadline, year.registration_open)}
                    </dd>
                </div>
                <div>
                    <dt>{text.study_deadline}</dt>
                    <dd data-testid="study-deadline">
                        {deadline(year.study_deadline, year.study_open)}
                    </dd>
                </div>
            </dl>
        </section>
    }
    .into_any()
}
