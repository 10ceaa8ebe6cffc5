//! Form fields that carry their label, hint and error together, wired for screen readers:
//! the control's id is the API field name, its error is the element `err-<name>`, and the
//! control points at both hint and error with `aria-describedby`.

use leptos::prelude::*;

/// A labelled text input.
#[component]
pub fn TextField(
    /// The API field name, used as the control's `id` and `name`.
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// The field's text, two-way bound.
    value: RwSignal<String>,
    /// The message to show under the field; `None` when the field is fine or not yet checked.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Called when the person leaves the field: that is when it is first checked.
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The browser's autofill hint.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Which on-screen keyboard phones should show.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// An example of what to type.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// A line of advice between the label and the control.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let described_by = described_by(name, hint.is_some());
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=name>{label}</label>
            <FieldHint name hint />
            <input
                id=name
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                placeholder=placeholder
                bind:value=value
                aria-invalid=move || aria_invalid(error)
                aria-describedby=described_by
                on:blur=move |_| {
                    if let Some(on_blur) = on_blur {
                        on_blur.run(());
                    }
                }
            />
            <FieldError name error />
        </div>
    }
}

/// A labelled drop-down list: easier than typing for people who rarely use computers, and it
/// can only send values the server knows.
#[component]
pub fn SelectField(
    /// The API field name, used as the control's `id` and `name`.
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// The chosen option's value; empty while nothing is chosen.
    value: RwSignal<String>,
    /// `(value, label)` of each option, in display order.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// The text of the empty first option.
    placeholder: &'static str,
    /// The message to show under the field; filters that cannot be wrong leave it out.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// Called when the person leaves the field.
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
    /// Called after the person picks an option, with its value.
    #[prop(optional)]
    on_pick: Option<Callback<String>>,
    /// A line of advice between the label and the control.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let described_by = described_by(name, hint.is_some());
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=name>{label}</label>
            <FieldHint name hint />
            <select
                id=name
                name=name
                aria-invalid=move || aria_invalid(error)
                aria-describedby=described_by
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    value.set(picked.clone());
                    if let Some(on_pick) = on_pick {
                        on_pick.run(picked);
                    }
                }
                on:blur=move |_| {
                    if let Some(on_blur) = on_blur {
                        on_blur.run(());
                    }
                }
            >
                <option value="" prop:selected=move || value.with(String::is_empty)>
                    {placeholder}
                </option>
                // The lists are short, so they are simply redrawn when they change; a keyed
                // <For> would cost more in download size than it saves in work.
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let chosen = option.clone();
                            view! {
                                <option
                                    value=option
                                    prop:selected=move || value.with(|v| *v == chosen)
                                >
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <FieldError name error />
        </div>
    }
}

#[component]
fn FieldHint(name: &'static str, hint: Option<String>) -> impl IntoView {
    hint.map(|hint| view! { <p class="field-hint" id=format!("hint-{name}")>{hint}</p> })
}

#[component]
fn FieldError(name: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    // Always in the page, so that screen readers announce a message when it appears.
    view! {
        <p class="field-error" id=format!("err-{name}") aria-live="polite">
            {move || error.get()}
        </p>
    }
}

fn described_by(name: &str, has_hint: bool) -> String {
    if has_hint {
        format!("hint-{name} err-{name}")
    } else {
        format!("err-{name}")
    }
}

fn aria_invalid(error: Signal<Option<String>>) -> &'static str {
    if error.with(Option::is_some) {
        "true"
    } else {
        "false"
    }
}
