//! The frame around every page: header with navigation and the 大字 switch, and footer.

use crate::api;
use crate::components::focus::focus_element;
use crate::components::large_text::LargeTextToggle;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qinxue_core::Role;

/// Header, the page's content as `<main>`, and footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        // Focus is moved by hand: the router takes over link clicks, so the browser's own
        // jump to #main would not move the keyboard focus.
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                focus_element("main");
            }
        >
            {t().skip_to_content}
        </a>
        <Header />
        <main id="main" class="container" tabindex="-1">{children()}</main>
        <Footer />
    }
}

#[component]
fn Header() -> impl IntoView {
    let text = t();
    let session = use_session();
    view! {
        <header class="site-header">
            <div class="container header-bar">
                <A href="/" attr:class="brand">
                    <span class="brand-name">{text.app_name}</span>
                    <span class="brand-subtitle">{text.app_subtitle}</span>
                </A>
                <LargeTextToggle />
            </div>
            <nav class="container site-nav" aria-label=text.nav_label>
                <ul>
                    <li>
                        <A href="/" exact=true>{text.nav_home}</A>
                    </li>
                    // 我的学习, for trainees only.
                    <li hidden=move || !is_trainee(&session.state())>
                        <A href="/study">{text.nav_study}</A>
                    </li>
                    <li>
                        <A href="/courses">{text.nav_courses}</A>
                    </li>
                    <li hidden=move || !is_trainee(&session.state())>
                        <A href="/orders">{text.nav_orders}</A>
                    </li>
                    <li>
                        <A href="/help">{text.nav_help}</A>
                    </li>
                    <AccountLinks />
                </ul>
            </nav>
        </header>
    }
}

/// 登录/注册 for visitors; the person's name and 退出 once signed in.
#[component]
fn AccountLinks() -> impl IntoView {
    let session = use_session();
    move || match session.state() {
        SessionState::SignedIn(me) => view! { <SignOut name=me.name /> }.into_any(),
        SessionState::SignedOut | SessionState::Failed(_) => view! {
            <li>
                <A href="/login">{t().nav_login}</A>
            </li>
            <li>
                <A href="/register">{t().nav_register}</A>
            </li>
        }
        .into_any(),
        SessionState::Loading => ().into_any(),
    }
}

/// The signed-in person's name and 退出, as navigation items; signing out leads to the app's
/// home (in the admin app, whose guard then sends the browser to sign in again).
#[component]
pub fn SignOut(
    /// Whose session it is.
    name: String,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let logout = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            let result = api::logout().await;
            // Asked even when logout failed: the server knows whether the session survived.
            session.reload().await;
            if result.is_ok() {
                navigate("/", Default::default());
            }
            result
        }
    });
    let logout_error = move || {
        logout
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message())
    };
    view! {
        <li class="nav-user">{name}</li>
        <li>
            <button
                type="button"
                class="button button-link"
                disabled=move || logout.pending().get()
                on:click=move |_| {
                    logout.dispatch_local(());
                }
            >
                {t().nav_logout}
            </button>
        </li>
        <li class="nav-error" role="alert">{logout_error}</li>
    }
}

fn is_trainee(state: &SessionState) -> bool {
    matches!(state, SessionState::SignedIn(me) if me.role == Role::Trainee)
}

#[component]
fn Footer() -> impl IntoView {
    let text = t();
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>{text.footer_policy}</p>
                <p>
                    <a href="tel:968823">{text.footer_hotline}</a>
                    " · "
                    <A href="/help">{text.nav_help}</A>
                </p>
            </div>
        </footer>
    }
}
