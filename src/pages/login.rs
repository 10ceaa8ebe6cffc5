//! Sign-in with 身份证号, phone number or an administrator's username.

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::components::focus::focus_element;
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, use_signed_in_navigate};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use qinxue_core::api::LoginRequest;

/// The page at `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let text = t();
    set_page_title(text.login_title);
    let session = use_session();
    let navigate = use_signed_in_navigate();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    // Sent here from a page whose sign-in had ended (`api::sign_in_url`): back there after.
    // The router's raw query string, not the window's: on a link inside the app the page is
    // drawn before the browser's address changes. (Its parsed query map costs the first visit
    // more, so the pairs are split here.)
    let search = use_location().search.get_untracked();
    let param = |key: &str| {
        search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| web_sys::js_sys::decode_uri_component(v).ok())
            .map(String::from)
    };
    let next = param("next").and_then(|n| api::safe_next(&n).map(str::to_owned));
    let ended = param("ended").is_some();

    let action = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        let navigate = navigate.clone();
        let next = next.clone();
        async move {
            api::login(&request).await?;
            session.reload().await;
            if session.is_admin() {
                // The admin app is the other bundle: a full page load.
                let to = next.filter(|n| n.starts_with("/admin"));
                let _ = window()
                    .location()
                    .assign(to.as_deref().unwrap_or("/admin/"));
            } else {
                let to = next.filter(|n| !n.starts_with("/admin"));
                navigate(to.as_deref().unwrap_or("/"));
            }
            Ok::<(), ApiError>(())
        }
    });

    // Only emptiness is checked here: what counts as a valid login is the server's business,
    // and it answers every wrong guess the same way.
    let required = move |value: RwSignal<String>, message: &'static str| {
        Signal::derive(move || {
            (submitted.get() && value.with(|v| v.trim().is_empty())).then(|| message.to_owned())
        })
    };
    let login_error = required(login, text.login_required);
    let password_error = required(password, text.password_required);
    let server_error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message())
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if login_error.with_untracked(Option::is_some) {
            focus_element("login");
        } else if password_error.with_untracked(Option::is_some) {
            focus_element("password");
        } else {
            action.dispatch_local(LoginRequest {
                login: login.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            });
        }
    };

    view! {
        <section class="card form-card">
            <h1>{text.login_title}</h1>
            <p class="notice notice-warn" role="status" data-testid="sign-in-again" hidden=!ended>
                {text.login_again}
            </p>
            <form novalidate on:submit=on_submit>
                <p class="form-alert" role="alert">{server_error}</p>
                <TextField
                    name="login"
                    label=text.login_field
                    value=login
                    error=login_error
                    placeholder=text.login_placeholder
                    autocomplete="username"
                />
                <TextField
                    name="password"
                    label=text.password
                    value=password
                    error=password_error
                    input_type="password"
                    autocomplete="current-password"
                />
                <button
                    type="submit"
                    class="button button-primary button-block"
                    disabled=move || action.pending().get()
                >
                    {move || {
                        if action.pending().get() { text.login_submitting } else { text.login_submit }
                    }}
                </button>
            </form>
            <p class="form-footer">
                {text.login_no_account}
                <A href="/register">{text.login_to_register}</A>
            </p>
            <details class="forgot-password" data-testid="forgot-password">
                <summary style="display:flex;align-items:center;min-height:44px;cursor:pointer">
                    {text.login_forgot}
                </summary>
                <p>{text.login_forgot_help}</p>
            </details>
        </section>
    }
}
