//! `/admin/courses/:id`: one course with everything about it on one page: its fields, its
//! cover, whether it is published, its lessons, its questions and the CSV import. Every
//! change answers the whole course, which replaces the page's copy.

use crate::admin::course_form::CourseForm;
use crate::admin::courses_api::{self as api, UploadLimits};
use crate::admin::courses_text as text;
use crate::admin::form::{focus_soon, Outcome};
use crate::admin::lesson_editor::LessonsSection;
use crate::admin::question_editor::QuestionsSection;
use crate::admin::question_import::CsvImport;
use crate::admin::upload::FileUpload;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qinxue_core::admin::AdminCourse;
use std::rc::Rc;

#[component]
pub fn CourseEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let loaded = LocalResource::new(move || api::course(id()));
    let limits = LocalResource::new(api::upload_limits);
    let limits = Signal::derive(move || limits.get().and_then(Result::ok));
    let course = RwSignal::new(None::<AdminCourse>);
    view! {
        <p>
            <A href="/admin/courses" attr:class="touch-link">
                {text::BACK_TO_LIST}
            </A>
        </p>
        {move || match loaded.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => {
                let retry = Callback::new(move |_| loaded.refetch());
                view! { <ErrorNotice message=e.message() on_retry=retry /> }.into_any()
            }
            Some(Ok(initial)) => {
                set_page_title(&initial.title);
                course.set(Some(initial.clone()));
                view! { <Editor initial course limits /> }.into_any()
            }
        }}
    }
}

#[component]
fn Editor(
    initial: AdminCourse,
    course: RwSignal<Option<AdminCourse>>,
    limits: Signal<Option<UploadLimits>>,
) -> impl IntoView {
    let title = move || course.with(|c| c.as_ref().map(|c| c.title.clone()).unwrap_or_default());
    let id = initial.id;
    // The form keeps what is typed: it is drawn once, from the course as first loaded.
    let on_saved = Callback::new(move |saved: AdminCourse| course.set(Some(saved)));
    let form = view! { <CourseForm course=Some(initial) on_saved /> };
    let send_cover: crate::admin::upload::Send = Rc::new(move |file| {
        Box::pin(async move {
            let saved = api::upload_cover(id, &file).await?;
            course.set(Some(saved));
            Ok(())
        })
    });
    let cover = move || course.with(|c| c.as_ref().map(|c| c.cover.clone()).unwrap_or_default());
    view! {
        <h1>{title}</h1>
        <PublishSection course />
        <section class="card" aria-labelledby="info-title">
            <h2 id="info-title">{text::INFO_TITLE}</h2>
            {form}
        </section>
        <section class="card" aria-labelledby="cover-title">
            <h2 id="cover-title">{text::COVER_TITLE}</h2>
            <img class="admin-cover" src=cover alt=text::COVER_ALT width="320" height="180" />
            <FileUpload
                name="cover-file"
                label=text::CHOOSE_FILE
                hint=text::COVER_HINT
                accept="image/png,image/jpeg,image/webp"
                what=text::COVER_TITLE
                limit=Signal::derive(move || limits.get().map(|l| l.max_cover_bytes))
                send=send_cover
            />
        </section>
        <LessonsSection course limits />
        <QuestionsSection course />
        <CsvImport course />
    }
}

/// Published or not, and the button to change it, which asks first.
#[component]
fn PublishSection(course: RwSignal<Option<AdminCourse>>) -> impl IntoView {
    let published = move || course.with(|c| c.as_ref().is_some_and(|c| c.published));
    let selected = move || course.with(|c| c.as_ref().map_or(0, |c| c.selected_by));
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let change = move |_| {
        let Some((id, now)) = course.with_untracked(|c| c.as_ref().map(|c| (c.id, c.published)))
        else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::set_published(id, !now).await;
            busy.set(false);
            confirming.set(false);
            focus_soon("publish-toggle".into());
            match result {
                Ok(saved) => {
                    let message = if saved.published {
                        text::IS_PUBLISHED
                    } else {
                        text::IS_UNPUBLISHED
                    };
                    outcome.set(Some(Ok(message.into())));
                    course.set(Some(saved));
                }
                Err(e) => outcome.set(Some(Err(e.message()))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="status-title">
            <h2 id="status-title">{text::STATUS_TITLE}</h2>
            <p data-testid="publish-status">
                <span class=move || if published() { "badge" } else { "badge badge-pending" }>
                    {move || if published() { text::PUBLISHED } else { text::UNPUBLISHED }}
                </span>
                " "
                {move || if published() { text::IS_PUBLISHED } else { text::IS_UNPUBLISHED }}
            </p>
            <p>{move || text::selected_by(selected())}</p>
            <Outcome outcome />
            <div class="actions" hidden=move || confirming.get()>
                <button
                    type="button"
                    class="button button-primary"
                    id="publish-toggle"
                    on:click=move |_| {
                        outcome.set(None);
                        confirming.set(true);
                        focus_soon("publish-confirm".into());
                    }
                >
                    {move || if published() { text::UNPUBLISH } else { text::PUBLISH }}
                </button>
            </div>
            <div class="notice notice-warn" role="alertdialog" aria-labelledby="confirm-publish" hidden=move || !confirming.get()>
                <p id="confirm-publish">
                    {move || if published() { text::CONFIRM_UNPUBLISH } else { text::CONFIRM_PUBLISH }}
                </p>
                <div class="actions">
                    <button type="button" class="button button-primary" id="publish-confirm" disabled=move || busy.get() on:click=change>
                        {move || if published() { text::CONFIRM_UNPUBLISH_BUTTON } else { text::CONFIRM_PUBLISH_BUTTON }}
                    </button>
                    <button type="button" class="button" on:click=move |_| {
                        confirming.set(false);
                        focus_soon("publish-toggle".into());
                    }>
                        {text::CANCEL}
                    </button>
                </div>
            </div>
        </section>
    }
}
