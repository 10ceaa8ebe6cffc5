//! The application: the session context and the routes, nothing else.

use crate::components::layout::Layout;
use crate::pages::catalogue::CataloguePage;
use crate::pages::enrol::EnrolPage;
use crate::pages::help::HelpPage;
use crate::pages::home::HomePage;
use crate::pages::lesson::LessonPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::orders::OrdersPage;
use crate::pages::password::NewPasswordPage;
use crate::pages::pay_return::PayReturnPage;
use crate::pages::register::RegisterPage;
use crate::pages::study::StudyPage;
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_session();
    // FlatRoutes, not Routes: every route is a single level, and the flat router downloads
    // about 40 KB (raw wasm) less than the nested one.
    view! {
        <Router>
            <Layout>
                <FlatRoutes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/password") view=NewPasswordPage />
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/help") view=HelpPage />
                    <Route path=path!("/study") view=StudyPage />
                    <Route path=path!("/lessons/:id") view=LessonPage />
                    <Route path=path!("/courses") view=CataloguePage />
                    <Route path=path!("/enrol") view=EnrolPage />
                    <Route path=path!("/pay/return") view=PayReturnPage />
                    <Route path=path!("/orders") view=OrdersPage />
                </FlatRoutes>
            </Layout>
        </Router>
    }
}
