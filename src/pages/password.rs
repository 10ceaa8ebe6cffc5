//! 设置新密码 at `/password`: a person who signed in with a one-time password (from the unit's
//! roster import, or a reset by the unit or the office) sets their own before anything else;
//! every other page leads here until then (`api::send`).

use crate::api;
use crate::components::field::TextField;
use crate::components::focus::focus_element;
use crate::components::title::set_page_title;
use crate::i18n::t;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use qinxue_core::api::FieldError;
use qinxue_core::office::PasswordChange;

/// The page at `/password`.
#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let text = t();
    set_page_title(text.new_password_title);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let mismatch = RwSignal::new(false);
    let done = RwSignal::new(false);
    let action = Action::new_local(move |request: &PasswordChange| {
        let request = request.clone();
        async move {
            api::change_password(&request).await?;
            done.set(true);
            // A full load: the session's pages start anew, now with everything open.
            let _ = window().location().assign("/");
            Ok::<(), api::ApiError>(())
        }
    });
    let failure = move || action.value().get().and_then(Result::err);
    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            failure().and_then(|e| {
                e.field_errors()
                    .iter()
                    .find(|f: &&FieldError| f.field == field)
                    .map(|f| f.message.clone())
            })
        })
    };
    let repeat_error = Signal::derive(move || {
        mismatch
            .get()
            .then(|| text.new_password_mismatch.to_owned())
    });
    let alert = move || {
        failure()
            .filter(|e| e.field_errors().is_empty())
            .map(|e| e.message())
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let differs = new.get_untracked() != repeat.get_untracked();
        mismatch.set(differs);
        if differs {
            focus_element("new_password_repeat");
            return;
        }
        action.dispatch_local(PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    view! {
        <section class="card form-card">
            <h1>{text.new_password_title}</h1>
            <p>{text.new_password_intro}</p>
            <form novalidate on:submit=on_submit>
                <p class="form-alert" role="alert">{alert}</p>
                <TextField
                    name="current_password"
                    label=text.current_password
                    value=current
                    error=field_error("current_password")
                    input_type="password"
                    autocomplete="current-password"
                />
                <TextField
                    name="new_password"
                    label=text.new_password
                    value=new
                    error=field_error("new_password")
                    input_type="password"
                    autocomplete="new-password"
                    hint=(text.password_hint)(qinxue_core::account::PASSWORD_MIN_CHARS)
                />
                <TextField
                    name="new_password_repeat"
                    label=text.new_password_repeat
                    value=repeat
                    error=repeat_error
                    input_type="password"
                    autocomplete="new-password"
                />
                <button
                    type="submit"
                    class="button button-primary button-block"
                    data-testid="new-password-submit"
                    disabled=move || action.pending().get() || done.get()
                >
                    {text.new_password_submit}
                </button>
                <p role="status">{move || done.get().then_some(text.new_password_done)}</p>
            </form>
        </section>
    }
}
