//! The admin app's home: who is signed in, where they may act, and their tools.

use crate::admin::text;
use crate::admin::tools::tools_for;
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos_router::components::A;

/// The page at `/admin/`.
#[component]
pub fn AdminHomePage() -> impl IntoView {
    set_page_title(text::NAV_HOME);
    let session = use_session();
    move || {
        let SessionState::SignedIn(me) = session.state() else {
            return ().into_any();
        };
        let text_ = t();
        let tools = tools_for(me.role)
            .map(|tool| {
                view! {
                    <li class="card">
                        <h3>
                            <A href=tool.url() attr:class="touch-link">
                                {tool.label}
                            </A>
                        </h3>
                        <p>{tool.summary}</p>
                    </li>
                }
            })
            .collect_view();
        let has_tools = tools_for(me.role).next().is_some();
        view! {
            <h1>{(text_.greeting)(&me.name)}</h1>
            <section class="card">
                <dl class="facts">
                    <div>
                        <dt>{text_.your_role}</dt>
                        <dd data-testid="role">{me.role.label()}</dd>
                    </div>
                    {me
                        .region
                        .map(|region| {
                            view! {
                                <div>
                                    <dt>{text_.your_region}</dt>
                                    <dd>{region.name}</dd>
                                </div>
                            }
                        })}
                    {me
                        .unit
                        .map(|unit| {
                            view! {
                                <div>
                                    <dt>{text_.your_unit}</dt>
                                    <dd>{unit.name}</dd>
                                </div>
                            }
                        })}
                </dl>
            </section>
            <section aria-labelledby="tools-title">
                <h2 id="tools-title">{text::YOUR_TOOLS}</h2>
                <p hidden=has_tools>{text::NO_TOOLS}</p>
                <ul class="tool-list">{tools}</ul>
            </section>
        }
        .into_any()
    }
}
