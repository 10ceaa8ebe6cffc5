//! The administrators' app, served under `/admin/` as its own bundle (see `crate` docs).
//!
//! Each administrator's tool is a page module here, a `Route` below and an entry in
//! [`tools::TOOLS`], which both the navigation and the home page read.

pub mod activities;
pub mod audit;
pub mod console;
mod console_lecture;
mod console_practice;
mod console_seating;
pub mod course_editor;
pub mod course_form;
pub mod course_items;
pub mod courses;
pub mod courses_api;
pub mod courses_text;
pub mod form;
pub mod group_api;
pub mod group_detail;
pub mod group_sessions;
pub mod guard;
pub mod home;
pub mod layout;
pub mod lesson_editor;
pub mod office_api;
pub mod policy_years;
pub mod question_editor;
pub mod question_import;
pub mod reports;
pub mod roster;
pub mod staff_progress;
pub mod text;
pub mod tools;
pub mod unit_orders;
pub mod unit_pay;
pub mod upload;

use crate::pages::not_found::NotFoundPage;
use crate::session::provide_session;
use guard::AdminOnly;
use home::AdminHomePage;
use layout::AdminLayout;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

/// The root component of the admin bundle.
#[component]
pub fn AdminApp() -> impl IntoView {
    provide_session();
    // `base` makes the routes match under /admin/. An absolute `<A href>` is taken as it is, so
    // it says /admin/… (`tools::Tool::url`), while `use_navigate` adds the base itself; links
    // back to the trainee app need `rel="external"` so the router lets the browser load them.
    view! {
        <Router base="/admin">
            <AdminLayout>
                <AdminOnly>
                    <FlatRoutes fallback=NotFoundPage>
                        <Route path=path!("/") view=AdminHomePage />
                        <Route path=path!("/courses") view=courses::CourseListPage />
                        <Route path=path!("/courses/new") view=courses::NewCoursePage />
                        <Route path=path!("/courses/:id") view=course_editor::CourseEditorPage />
                        <Route path=path!("/unit/pay") view=unit_pay::UnitPayPage />
                        <Route path=path!("/unit/orders") view=unit_orders::UnitOrdersPage />
                        <Route path=path!("/policy-years") view=policy_years::PolicyYearsPage />
                        <Route path=path!("/audit") view=audit::AuditPage />
                        <Route path=path!("/unit/roster") view=roster::RosterPage />
                        <Route path=path!("/unit/staff") view=staff_progress::StaffProgressPage />
                        <Route path=path!("/reports") view=reports::ReportsPage />
                        <Route path=path!("/activities") view=activities::ActivitiesPage />
                        <Route path=path!("/group-sessions") view=group_sessions::GroupSessionsPage />
                        <Route path=path!("/group-sessions/new") view=group_sessions::NewGroupSessionPage />
                        <Route path=path!("/group-sessions/:id") view=group_detail::GroupSessionPage />
                        <Route path=path!("/group-sessions/:id/edit") view=group_sessions::EditGroupSessionPage />
                        <Route path=path!("/group-sessions/:id/console") view=console::ConsolePage />
                    </FlatRoutes>
                </AdminOnly>
            </AdminLayout>
        </Router>
    }
}
