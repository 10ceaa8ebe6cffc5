//! The visitors' app (`welcome.html`, `src/bin/welcome.rs`): the pages of a first visit, the
//! welcome at `/`, 登录, 注册 and 帮助, which the server sends to a request without a valid
//! sign-in (issue 14: the first visit downloads none of the trainee's study pages). Every other
//! route is the trainee app's: following a link there loads the page afresh, and the server
//! answers it with the trainee app; so does signing in, through the welcome's reload.

use crate::components::layout::Layout;
use crate::pages::help::HelpPage;
use crate::pages::home::VisitorHomePage;
use crate::pages::login::LoginPage;
use crate::pages::register::RegisterPage;
use crate::session::{provide_session, VisitorsApp};
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::hooks::use_location;
use leptos_router::path;
use std::time::Duration;

/// The root component. Its routes are the paths for which the server sends this bundle
/// (`server/src/static_files.rs`, `WELCOME_PATHS`): the two lists change together.
#[component]
pub fn WelcomeApp() -> impl IntoView {
    provide_session();
    provide_context(VisitorsApp);
    view! {
        <Router>
            <Layout>
                <FlatRoutes fallback=TraineeApp>
                    <Route path=path!("/") view=VisitorHomePage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/help") view=HelpPage />
                </FlatRoutes>
            </Layout>
        </Router>
    }
}

/// Any other route: the page is loaded again, and the server sends the trainee app for it.
#[component]
fn TraineeApp() -> impl IntoView {
    load_from_server();
}

/// Loads the router's current address afresh from the server, which answers with the trainee
/// app where this one has no page or the person is signed in. The router draws a page before it
/// changes the browser's address, so the address is the router's, and it is loaded once that
/// change is done (replacing it: 后退 then skips the address this app could not draw).
pub fn load_from_server() {
    let location = use_location();
    let search = location.search.get_untracked();
    let href = format!(
        "{}{}{search}{}",
        location.pathname.get_untracked(),
        if search.is_empty() { "" } else { "?" },
        location.hash.get_untracked()
    );
    set_timeout(
        move || {
            let _ = window().location().replace(&href);
        },
        Duration::ZERO,
    );
}
