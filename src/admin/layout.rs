//! The frame around every admin page: header with the role's tools, the 大字 switch, and
//! sign-out.

use crate::admin::text;
use crate::admin::tools::tools_for;
use crate::components::focus::focus_element;
use crate::components::large_text::LargeTextToggle;
use crate::components::layout::SignOut;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos_router::components::A;

/// Header, the page as `<main>`, and no footer: administrators reach help by phone.
#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    let text_ = t();
    let session = use_session();
    let tools = move || match session.state() {
        SessionState::SignedIn(me) => tools_for(me.role)
            .map(|tool| view! { <li><A href=tool.url()>{tool.label}</A></li> })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    };
    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                focus_element("main");
            }
        >
            {text_.skip_to_content}
        </a>
        <header class="site-header">
            <div class="container header-bar">
                <A href="/admin/" attr:class="brand">
                    <span class="brand-name">{text_.app_name}</span>
                    <span class="brand-subtitle">{text::SUBTITLE}</span>
                </A>
                <LargeTextToggle />
            </div>
            <nav class="container site-nav" aria-label=text::NAV_LABEL>
                <ul>
                    <li>
                        <A href="/admin/" exact=true>{text::NAV_HOME}</A>
                    </li>
                    {tools}
                    <li>
                        <a href="/" rel="external">{text::TO_SITE}</a>
                    </li>
                    {move || match session.state() {
                        SessionState::SignedIn(me) => view! { <SignOut name=me.name /> }.into_any(),
                        _ => ().into_any(),
                    }}
                </ul>
            </nav>
        </header>
        <main id="main" class="container" tabindex="-1">{children()}</main>
    }
}
