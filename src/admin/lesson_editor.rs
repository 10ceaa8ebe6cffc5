//! A course's lessons: the list in order, with moving, editing, deleting and video upload,
//! and the form for a new or changed lesson with a preview of its text as trainees see it.
//! The practice lesson is made from the questions and only shown.

use crate::admin::course_items::{apply, ItemActions, Open};
use crate::admin::courses_api::{self as api, UploadLimits};
use crate::admin::courses_text as text;
use crate::admin::form::{
    error_for, focus_first_error, refusal, Choice, NumberField, Outcome, TextArea,
};
use crate::admin::upload::{FileUpload, Send};
use crate::components::field::TextField;
use crate::study::markdown;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::admin::{AdminCourse, AdminLesson, LessonInput};
use qinxue_core::api::FieldError;
use qinxue_core::ledger::LessonKind;
use qinxue_core::ErrorCode;
use std::rc::Rc;

/// The lesson form's fields in order: API name and the control's id.
const FIELDS: [(&str, &str); 6] = [
    ("title", "lesson_title"),
    ("kind", "lesson_kind-text"),
    ("duration_secs", "lesson_minutes"),
    ("body", "lesson_body"),
    ("video", "lesson_video"),
    ("transcript", "lesson_transcript"),
];

fn kind_label(kind: LessonKind) -> &'static str {
    match kind {
        LessonKind::Text => text::KIND_TEXT,
        LessonKind::Video => text::KIND_VIDEO,
        LessonKind::Practice => text::KIND_PRACTICE,
    }
}

#[component]
pub fn LessonsSection(
    course: RwSignal<Option<AdminCourse>>,
    limits: Signal<Option<UploadLimits>>,
) -> impl IntoView {
    let open = RwSignal::new(Open::Nothing);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let list = move || {
        let Some(c) = course.get() else {
            return ().into_any();
        };
        if c.lessons.is_empty() {
            return view! { <p>{text::NO_LESSONS}</p> }.into_any();
        }
        let written: Vec<i64> = c
            .lessons
            .iter()
            .filter(|l| l.kind != LessonKind::Practice)
            .map(|l| l.id)
            .collect();
        let rows = c
            .lessons
            .iter()
            .enumerate()
            .map(|(i, l)| {
                view! {
                    <LessonRow
                        number=i + 1
                        lesson=l.clone()
                        written=written.clone()
                        course
                        open
                        outcome
                        limits
                    />
                }
            })
            .collect_view();
        view! { <ol class="admin-list">{rows}</ol> }.into_any()
    };
    view! {
        <section class="card" aria-labelledby="lessons-title">
            <h2 id="lessons-title">{text::LESSONS_TITLE}</h2>
            {list}
            <Outcome outcome />
            {move || (open.get() == Open::New).then(|| view! { <LessonForm lesson=None course open outcome limits /> })}
            <p hidden=move || open.get() == Open::New>
                <button type="button" class="button" on:click=move |_| {
                    outcome.set(None);
                    open.set(Open::New);
                }>
                    {text::ADD_LESSON}
                </button>
            </p>
        </section>
    }
}

#[component]
fn LessonRow(
    number: usize,
    lesson: AdminLesson,
    /// The written lessons' ids in order: what moving reorders.
    written: Vec<i64>,
    course: RwSignal<Option<AdminCourse>>,
    open: RwSignal<Open>,
    outcome: RwSignal<Option<Result<String, String>>>,
    limits: Signal<Option<UploadLimits>>,
) -> impl IntoView {
    let id = lesson.id;
    let course_id = course.with_untracked(|c| c.as_ref().map_or(0, |c| c.id));
    let meta = format!(
        "{} · {} · {}",
        kind_label(lesson.kind),
        text::minutes(lesson.duration_secs),
        text::studied_by(lesson.studied_by)
    );
    let title = format!("{number}. {}", lesson.title);
    if lesson.kind == LessonKind::Practice {
        return view! {
            <li class="admin-item">
                <h3>{title}</h3>
                <p class="lesson-meta">{meta}</p>
            </li>
        }
        .into_any();
    }
    let at = written.iter().position(|w| *w == id).unwrap_or(0);
    let last = written.len().saturating_sub(1);
    let moved = move |to: usize| {
        let mut ids = written.clone();
        let item = ids.remove(at);
        ids.insert(to, item);
        apply(course, outcome, api::reorder_lessons(course_id, ids));
    };
    let video = (lesson.kind == LessonKind::Video)
        .then(|| view! { <p>{video_state(lesson.video.clone())}</p> });
    let name = lesson.title.clone();
    let form_lesson = lesson.clone();
    view! {
        <li class="admin-item" data-testid="lesson">
            <h3>{title}</h3>
            <p class="lesson-meta">{meta}</p>
            {video}
            <ItemActions
                kind="lesson"
                id
                at
                last
                name=name
                on_move=Callback::new(moved)
                on_edit=Callback::new(move |_| {
                    outcome.set(None);
                    open.set(Open::Edit(id));
                })
                on_delete=Callback::new(move |_| apply(course, outcome, api::delete_lesson(course_id, id)))
            />
            {move || (open.get() == Open::Edit(id)).then(|| {
                view! { <LessonForm lesson=Some(form_lesson.clone()) course open outcome limits /> }
            })}
        </li>
    }
    .into_any()
}

/// A link to a video lesson's file, or a note that it has none yet.
fn video_state(video: Option<String>) -> AnyView {
    match video {
        Some(url) => view! { <a href=url target="_blank">{text::VIDEO_FILE}</a> }.into_any(),
        None => view! { <span class="badge badge-pending">{text::VIDEO_MISSING}</span> }.into_any(),
    }
}

/// A new or changed lesson. A video is uploaded from here before the lesson is saved, which
/// then names it: so a video lesson can join a published course with its video.
#[component]
fn LessonForm(
    lesson: Option<AdminLesson>,
    course: RwSignal<Option<AdminCourse>>,
    open: RwSignal<Open>,
    outcome: RwSignal<Option<Result<String, String>>>,
    limits: Signal<Option<UploadLimits>>,
) -> impl IntoView {
    let course_id = course.with_untracked(|c| c.as_ref().map_or(0, |c| c.id));
    let lesson_id = lesson.as_ref().map(|l| l.id);
    let title = RwSignal::new(lesson.as_ref().map(|l| l.title.clone()).unwrap_or_default());
    let kind = RwSignal::new(
        lesson
            .as_ref()
            .map_or(LessonKind::Text, |l| l.kind)
            .as_str()
            .to_owned(),
    );
    let secs = lesson.as_ref().map_or(0, |l| l.duration_secs);
    let minutes = RwSignal::new(if lesson.is_some() {
        (secs / 60).to_string()
    } else {
        String::new()
    });
    let seconds = RwSignal::new((secs % 60).to_string());
    let body = RwSignal::new(lesson.as_ref().map(|l| l.body.clone()).unwrap_or_default());
    let transcript = RwSignal::new(
        lesson
            .as_ref()
            .and_then(|l| l.transcript.clone())
            .unwrap_or_default(),
    );
    let current_video = lesson.as_ref().and_then(|l| l.video.clone());
    // The file uploaded in this form, which saving gives the lesson.
    let new_video = RwSignal::new(None::<String>);
    // The uploaded clip's length, which becomes the lesson's duration.
    let clip_secs = RwSignal::new(None::<i64>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let is_video = move || kind.get() == "video";
    let send_video: Send = Rc::new(move |file| {
        Box::pin(async move {
            let uploaded = api::upload_video_file(&file).await?;
            new_video.set(Some(uploaded.url));
            clip_secs.set(uploaded.duration_secs);
            if let Some(secs) = uploaded.duration_secs {
                minutes.set((secs / 60).to_string());
                seconds.set((secs % 60).to_string());
            }
            Ok(())
        })
    });
    let video_now = move || match new_video.get() {
        Some(_) => view! {
            <span class="badge">{text::VIDEO_READY}</span>
            " "
            {clip_secs.get().map(text::clip_length)}
        }
        .into_any(),
        None => video_state(current_video.clone()),
    };

    let preview = NodeRef::<Div>::new();
    Effect::new(move || {
        let text_ = body.get();
        if let Some(place) = preview.get() {
            place.set_text_content(None);
            markdown::render(&place, &text_);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<i64>().ok();
        let video = is_video();
        let input = LessonInput {
            title: title.get_untracked(),
            kind: if video {
                LessonKind::Video
            } else {
                LessonKind::Text
            },
            duration_secs: match (number(minutes), number(seconds).or(Some(0))) {
                (Some(m), Some(s)) if (0..60).contains(&s) && m >= 0 => m * 60 + s,
                _ => -1,
            },
            body: body.get_untracked(),
            transcript: video.then(|| transcript.get_untracked()),
            video: if video {
                new_video.get_untracked()
            } else {
                None
            },
        };
        if let Err(found) = input.validate() {
            focus_first_error(&found, &FIELDS);
            errors.set(found);
            form_outcome.set(Some(Err(ErrorCode::ValidationFailed
                .default_message()
                .to_owned())));
            return;
        }
        errors.set(vec![]);
        busy.set(true);
        spawn_local(async move {
            let saved = match lesson_id {
                Some(lesson) => api::update_lesson(course_id, lesson, &input).await,
                None => api::add_lesson(course_id, &input).await,
            };
            busy.set(false);
            match saved {
                Ok(saved) => {
                    open.set(Open::Nothing);
                    outcome.set(Some(Ok(text::SAVED.into())));
                    course.set(Some(saved));
                }
                Err(e) => {
                    let (fields, message) = refusal(&e);
                    focus_first_error(&fields, &FIELDS);
                    errors.set(fields);
                    form_outcome.set(Some(Err(message)));
                }
            }
        });
    };
    let heading = if lesson_id.is_some() {
        text::EDIT_LESSON
    } else {
        text::ADD_LESSON
    };
    view! {
        <form class="form-card admin-form" on:submit=submit novalidate>
            <h3>{heading}</h3>
            <TextField name="lesson_title" label=text::FIELD_LESSON_TITLE value=title error=error_for(errors, "title") />
            <Choice
                name="lesson_kind"
                label=text::FIELD_KIND
                options=vec![("text", text::KIND_TEXT), ("video", text::KIND_VIDEO)]
                value=kind
                error=error_for(errors, "kind")
            />
            <div class="field-row">
                <NumberField
                    name="lesson_minutes"
                    label=text::FIELD_MINUTES
                    hint=text::DURATION_HINT
                    value=minutes
                    error=error_for(errors, "duration_secs")
                />
                <NumberField name="lesson_seconds" label=text::FIELD_SECONDS value=seconds error=Signal::derive(|| None::<String>) />
            </div>
            <TextArea
                name="lesson_body"
                label=Signal::derive(move || if is_video() { text::FIELD_SUMMARY } else { text::FIELD_BODY })
                hint=text::BODY_HINT
                value=body
                error=error_for(errors, "body")
                rows=10
            />
            <div class="lesson-text admin-preview">
                <p class="field-hint">{text::PREVIEW}</p>
                <div node_ref=preview></div>
            </div>
            <div hidden=move || !is_video()>
                <p>{video_now}</p>
                <FileUpload
                    name="lesson_video"
                    label=text::VIDEO_FILE
                    hint=text::VIDEO_HINT
                    accept="video/mp4,video/webm"
                    what=text::KIND_VIDEO
                    limit=Signal::derive(move || limits.get().map(|l| l.max_video_bytes))
                    send=send_video
                />
                <p class="field-error" id="err-lesson_video" aria-live="polite">
                    {move || error_for(errors, "video").get()}
                </p>
                <TextArea
                    name="lesson_transcript"
                    label=text::FIELD_TRANSCRIPT
                    hint=text::TRANSCRIPT_HINT
                    value=transcript
                    error=error_for(errors, "transcript")
                    rows=5
                />
            </div>
            <Outcome outcome=form_outcome />
            <div class="form-footer actions">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {text::SAVE}
                </button>
                <button type="button" class="button" on:click=move |_| open.set(Open::Nothing)>
                    {text::CANCEL}
                </button>
            </div>
        </form>
    }
}
