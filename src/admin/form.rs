//! Form pieces the course pages share, in the style of `crate::components::field`: every
//! control has its visible label, hint and error, tied together for screen readers.

use crate::api::ApiError;
use crate::components::focus::focus_element;
use leptos::prelude::*;
use qinxue_core::api::FieldError;

/// The message for `field` among a form's errors, as a signal for a field component.
pub fn error_for(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|all| {
            let messages: Vec<&str> = all
                .iter()
                .filter(|e| e.field == field)
                .map(|e| e.message.as_str())
                .collect();
            (!messages.is_empty()).then(|| messages.join("；"))
        })
    })
}

/// What a save answered, for a form: its fields' errors, and the message to show above them
/// when the server refused for a reason that is not one field's.
pub fn refusal(e: &ApiError) -> (Vec<FieldError>, String) {
    (e.field_errors().to_vec(), e.message())
}

/// After a refused save, moves the focus to the first field at fault, in form order:
/// `fields` pairs each API field name with the id of the control that edits it.
pub fn focus_first_error(errors: &[FieldError], fields: &[(&str, &str)]) {
    if let Some((_, id)) = fields
        .iter()
        .find(|(field, _)| errors.iter().any(|e| e.field == *field))
    {
        focus_element(id);
    }
}

/// Focuses the element with `id` once the browser has drawn the change that shows it (a
/// confirmation's button, or the button that opened it once it closes).
pub fn focus_soon(id: String) {
    request_animation_frame(move || focus_element(&id));
}

fn described_by(name: &str, has_hint: bool) -> String {
    if has_hint {
        format!("hint-{name} err-{name}")
    } else {
        format!("err-{name}")
    }
}

#[component]
fn Hint(name: &'static str, hint: Option<&'static str>) -> impl IntoView {
    hint.map(|hint| view! { <p class="field-hint" id=format!("hint-{name}")>{hint}</p> })
}

#[component]
fn Error(name: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("err-{name}") aria-live="polite">
            {move || error.get()}
        </p>
    }
}

/// A labelled multi-line text box.
#[component]
pub fn TextArea(
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=name>{label}</label>
            <Hint name hint />
            <textarea
                id=name
                name=name
                rows=rows
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(name, hint.is_some())
            ></textarea>
            <Error name error />
        </div>
    }
}

/// A labelled whole-number box (large, with the numeric keyboard on tablets).
#[component]
pub fn NumberField(
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field field-number" class:field-invalid=move || error.with(Option::is_some)>
            <label for=name>{label}</label>
            <Hint name hint />
            <input
                id=name
                name=name
                type="text"
                inputmode="numeric"
                bind:value=value
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(name, hint.is_some())
            />
            <Error name error />
        </div>
    }
}

/// One choice among a few, as large radio buttons in a fieldset.
#[component]
pub fn Choice(
    name: &'static str,
    label: &'static str,
    /// `(value, label)` of each choice.
    options: Vec<(&'static str, &'static str)>,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let choices = options
        .into_iter()
        .map(|(option, text)| {
            let id = format!("{name}-{option}");
            let label_for = id.clone();
            view! {
                <label class="choice" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name=name
                        value=option
                        prop:checked=move || value.with(|v| v == option)
                        on:change=move |_| value.set(option.to_owned())
                    />
                    {text}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field choices" class:field-invalid=move || error.with(Option::is_some)>
            <legend>{label}</legend>
            {choices}
            <Error name error />
        </fieldset>
    }
}

/// Several choices, as large check boxes in a fieldset.
#[component]
pub fn Checks(
    name: &'static str,
    label: &'static str,
    options: Vec<String>,
    chosen: RwSignal<Vec<String>>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let id = format!("{name}-{i}");
            let label_for = id.clone();
            let this = option.clone();
            let toggled = option.clone();
            view! {
                <label class="choice" for=label_for>
                    <input
                        type="checkbox"
                        id=id
                        prop:checked=move || chosen.with(|c| c.contains(&this))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|t| *t != toggled);
                                if on {
                                    c.push(toggled.clone());
                                }
                            });
                        }
                    />
                    {option}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="field choices choices-wrap"
            class:field-invalid=move || error.with(Option::is_some)
        >
            <legend>{label}</legend>
            <Hint name hint />
            {boxes}
            <Error name error />
        </fieldset>
    }
}

/// The outcome of the last action of a form: a success line, or a refusal as an alert.
#[component]
pub fn Outcome(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Ok(message) => {
                view! { <p class="notice notice-ok" role="status">{message}</p> }.into_any()
            }
            Err(message) => {
                view! { <p class="notice notice-error" role="alert">{message}</p> }.into_any()
            }
        })
    }
}
