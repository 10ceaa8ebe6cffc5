//! A course's practice questions: the list with answers and explanations, moving, editing
//! and deleting, and the form for a new or changed question.

use crate::admin::course_items::{apply, ItemActions, Open};
use crate::admin::courses_api as api;
use crate::admin::courses_text as text;
use crate::admin::form::{error_for, focus_first_error, refusal, Choice, Outcome, TextArea};
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::admin::{
    kind_label, option_letter, AdminCourse, AdminQuestion, QuestionInput, MAX_OPTIONS,
};
use qinxue_core::api::FieldError;
use qinxue_core::catalogue::{QuestionKind, TRUE_FALSE_OPTIONS};
use qinxue_core::ErrorCode;

/// The question form's fields in order: API name and the control's id.
const FIELDS: [(&str, &str); 4] = [
    ("stem", "q_stem"),
    ("options", "q_option_a"),
    ("answer", "q_answer"),
    ("explanation", "q_explanation"),
];

/// The options as shown: true/false questions have 正确 and 错误.
fn shown_options(q: &AdminQuestion) -> Vec<String> {
    if q.kind == QuestionKind::TrueFalse {
        TRUE_FALSE_OPTIONS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        q.options.clone()
    }
}

#[component]
pub fn QuestionsSection(course: RwSignal<Option<AdminCourse>>) -> impl IntoView {
    let open = RwSignal::new(Open::Nothing);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let list = move || {
        let Some(c) = course.get() else {
            return ().into_any();
        };
        if c.questions.is_empty() {
            return view! { <p>{text::NO_QUESTIONS}</p> }.into_any();
        }
        let ids: Vec<i64> = c.questions.iter().map(|q| q.id).collect();
        let rows = c
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                view! { <QuestionRow at=i question=q.clone() ids=ids.clone() course open outcome /> }
            })
            .collect_view();
        view! { <ol class="admin-list">{rows}</ol> }.into_any()
    };
    view! {
        <section class="card" aria-labelledby="questions-title">
            <h2 id="questions-title">{text::QUESTIONS_TITLE}</h2>
            {list}
            <Outcome outcome />
            {move || (open.get() == Open::New).then(|| view! { <QuestionForm question=None course open outcome /> })}
            <p hidden=move || open.get() == Open::New>
                <button type="button" class="button" on:click=move |_| {
                    outcome.set(None);
                    open.set(Open::New);
                }>
                    {text::ADD_QUESTION}
                </button>
            </p>
        </section>
    }
}

#[component]
fn QuestionRow(
    at: usize,
    question: AdminQuestion,
    ids: Vec<i64>,
    course: RwSignal<Option<AdminCourse>>,
    open: RwSignal<Open>,
    outcome: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let id = question.id;
    let course_id = course.with_untracked(|c| c.as_ref().map_or(0, |c| c.id));
    let last = ids.len().saturating_sub(1);
    let moved = move |to: usize| {
        let mut order = ids.clone();
        let item = order.remove(at);
        order.insert(to, item);
        apply(course, outcome, api::reorder_questions(course_id, order));
    };
    let letters: String = question.answer.iter().map(|a| option_letter(*a)).collect();
    let options = shown_options(&question)
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let right = question.answer.contains(&i);
            view! {
                <li class:practice-right=right>
                    {format!("{}. {o}", option_letter(i))}
                </li>
            }
        })
        .collect_view();
    let stem: String = question.stem.chars().take(20).collect();
    let form_question = question.clone();
    view! {
        <li class="admin-item" data-testid="question">
            <h3>{format!("{}. 【{}】{}", at + 1, kind_label(question.kind), question.stem)}</h3>
            <ul class="admin-options">{options}</ul>
            <p>{text::answer_is(&letters)}</p>
            <p class="field-hint">{format!("{}：{}", text::FIELD_EXPLANATION, question.explanation)}</p>
            <p class="lesson-meta">{text::answered(question.answered)}</p>
            <ItemActions
                kind="question"
                id
                at
                last
                name=stem
                on_move=Callback::new(moved)
                on_edit=Callback::new(move |_| {
                    outcome.set(None);
                    open.set(Open::Edit(id));
                })
                on_delete=Callback::new(move |_| apply(course, outcome, api::delete_question(course_id, id)))
            />
            {move || (open.get() == Open::Edit(id)).then(|| {
                view! { <QuestionForm question=Some(form_question.clone()) course open outcome /> }
            })}
        </li>
    }
}

const OPTION_IDS: [&str; MAX_OPTIONS] = [
    "q_option_a",
    "q_option_b",
    "q_option_c",
    "q_option_d",
    "q_option_e",
    "q_option_f",
];

#[component]
fn QuestionForm(
    question: Option<AdminQuestion>,
    course: RwSignal<Option<AdminCourse>>,
    open: RwSignal<Open>,
    outcome: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let course_id = course.with_untracked(|c| c.as_ref().map_or(0, |c| c.id));
    let question_id = question.as_ref().map(|q| q.id);
    let kind = RwSignal::new(
        question
            .as_ref()
            .map_or(QuestionKind::Single, |q| q.kind)
            .as_str()
            .to_owned(),
    );
    let stem = RwSignal::new(
        question
            .as_ref()
            .map(|q| q.stem.clone())
            .unwrap_or_default(),
    );
    let options: [RwSignal<String>; MAX_OPTIONS] = std::array::from_fn(|i| {
        RwSignal::new(
            question
                .as_ref()
                .filter(|q| q.kind != QuestionKind::TrueFalse)
                .and_then(|q| q.options.get(i).cloned())
                .unwrap_or_default(),
        )
    });
    let answer = RwSignal::new(
        question
            .as_ref()
            .map(|q| q.answer.clone())
            .unwrap_or_default(),
    );
    let explanation = RwSignal::new(
        question
            .as_ref()
            .map(|q| q.explanation.clone())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let kind_now = move || QuestionKind::from_wire(&kind.get()).unwrap_or(QuestionKind::Single);
    // A kind with one answer keeps at most one when switched to.
    Effect::new(move || {
        if kind_now() != QuestionKind::Multiple {
            answer.update(|a| a.truncate(1));
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind = kind_now();
        let mut texts: Vec<String> = if kind == QuestionKind::TrueFalse {
            vec![]
        } else {
            options
                .iter()
                .map(|o| o.get_untracked().trim().to_owned())
                .collect()
        };
        while texts.last().is_some_and(String::is_empty) {
            texts.pop();
        }
        let mut chosen = answer.get_untracked();
        chosen.sort_unstable();
        let input = QuestionInput {
            kind,
            stem: stem.get_untracked(),
            options: texts,
            answer: chosen,
            explanation: explanation.get_untracked(),
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
            let saved = match question_id {
                Some(q) => api::update_question(course_id, q, &input).await,
                None => api::add_question(course_id, &input).await,
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

    let option_fields = (0..MAX_OPTIONS)
        .map(|i| {
            let id = OPTION_IDS[i];
            let value = options[i];
            view! {
                <div class="option-field">
                    <label for=id>{format!("{} {}", text::FIELD_OPTIONS, option_letter(i))}</label>
                    <input id=id type="text" bind:value=value />
                </div>
            }
        })
        .collect_view();
    // The right answer: letters of the filled options (radio for one answer, boxes for
    // several), or 正确/错误.
    let answer_choices = move || {
        let kind = kind_now();
        let labels: Vec<(usize, String)> = if kind == QuestionKind::TrueFalse {
            vec![(0, text::TRUE.to_owned()), (1, text::FALSE.to_owned())]
        } else {
            (0..MAX_OPTIONS)
                .filter(|i| !options[*i].with(|o| o.trim().is_empty()))
                .map(|i| (i, option_letter(i).to_string()))
                .collect()
        };
        let input_type = if kind == QuestionKind::Multiple {
            "checkbox"
        } else {
            "radio"
        };
        labels
            .into_iter()
            .map(|(i, label)| {
                let id = format!("q_answer_{i}");
                let label_for = id.clone();
                view! {
                    <label class="choice" for=label_for>
                        <input
                            type=input_type
                            id=id
                            name="q_answer"
                            prop:checked=move || answer.with(|a| a.contains(&i))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                answer.update(|a| {
                                    if kind != QuestionKind::Multiple {
                                        a.clear();
                                    }
                                    a.retain(|x| *x != i);
                                    if on {
                                        a.push(i);
                                    }
                                });
                            }
                        />
                        {label}
                    </label>
                }
            })
            .collect_view()
    };
    let answer_hint = move || match kind_now() {
        QuestionKind::Multiple => text::ANSWER_HINT_MULTIPLE,
        _ => text::ANSWER_HINT_SINGLE,
    };
    let answer_error = error_for(errors, "answer");
    let options_error = error_for(errors, "options");
    let heading = if question_id.is_some() {
        text::EDIT_QUESTION
    } else {
        text::ADD_QUESTION
    };
    view! {
        <form class="form-card admin-form" on:submit=submit novalidate>
            <h3>{heading}</h3>
            <Choice
                name="q_kind"
                label=text::FIELD_QUESTION_KIND
                options=vec![
                    ("single", kind_label(QuestionKind::Single)),
                    ("multiple", kind_label(QuestionKind::Multiple)),
                    ("true_false", kind_label(QuestionKind::TrueFalse)),
                ]
                value=kind
            />
            <TextArea name="q_stem" label=text::FIELD_STEM value=stem error=error_for(errors, "stem") rows=3 />
            <fieldset class="field" hidden=move || kind_now() == QuestionKind::TrueFalse class:field-invalid=move || options_error.with(Option::is_some)>
                <legend>{text::FIELD_OPTIONS}</legend>
                <p class="field-hint">{text::OPTIONS_HINT}</p>
                {option_fields}
                <p class="field-error" aria-live="polite">{move || options_error.get()}</p>
            </fieldset>
            <fieldset class="field choices" id="q_answer" tabindex="-1" class:field-invalid=move || answer_error.with(Option::is_some)>
                <legend>{text::FIELD_ANSWER}</legend>
                <p class="field-hint">{answer_hint}</p>
                {answer_choices}
                <p class="field-error" aria-live="polite">{move || answer_error.get()}</p>
            </fieldset>
            <TextArea
                name="q_explanation"
                label=text::FIELD_EXPLANATION
                hint=text::EXPLANATION_HINT
                value=explanation
                error=error_for(errors, "explanation")
                rows=3
            />
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
