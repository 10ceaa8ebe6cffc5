//! The provincial admin's course list (unpublished courses too) and the page that creates a
//! course.

use crate::admin::course_form::CourseForm;
use crate::admin::courses_api as api;
use crate::admin::courses_text as text;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use qinxue_core::admin::AdminCourseSummary;

/// `/admin/courses`.
#[component]
pub fn CourseListPage() -> impl IntoView {
    set_page_title(text::LIST_TITLE);
    let courses = LocalResource::new(api::courses);
    view! {
        <h1>{text::LIST_TITLE}</h1>
        <p>
            <A href="/admin/courses/new" attr:class="button button-primary">
                {text::NEW_COURSE}
            </A>
        </p>
        {move || match courses.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => {
                let retry = Callback::new(move |_| courses.refetch());
                view! { <ErrorNotice message=e.message() on_retry=retry /> }.into_any()
            }
            Some(Ok(list)) if list.is_empty() => view! { <p>{text::NO_COURSES}</p> }.into_any(),
            Some(Ok(list)) => view! { <CourseTable list /> }.into_any(),
        }}
    }
}

fn category(c: &AdminCourseSummary) -> String {
    if c.trades.is_empty() {
        c.category.label().to_owned()
    } else {
        format!("{}：{}", c.category.label(), c.trades.join("、"))
    }
}

#[component]
fn CourseTable(list: Vec<AdminCourseSummary>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|c| {
            let status = if c.published {
                text::PUBLISHED
            } else {
                text::UNPUBLISHED
            };
            let badge = if c.published {
                "badge"
            } else {
                "badge badge-pending"
            };
            let href = format!("/admin/courses/{}", c.id);
            let kind = category(&c);
            view! {
                <tr data-testid="course-row">
                    <td>
                        <A href=href attr:class="touch-link">
                            {c.title}
                        </A>
                    </td>
                    <td>{kind}</td>
                    <td>{c.hours}</td>
                    <td>{format!("{} 课时，{} 道题", c.lessons, c.questions)}</td>
                    <td>{c.selected_by}</td>
                    <td>
                        <span class=badge>{status}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="admin-table">
                <thead>
                    <tr>
                        <th scope="col">{text::COL_TITLE}</th>
                        <th scope="col">{text::COL_CATEGORY}</th>
                        <th scope="col">{text::COL_HOURS}</th>
                        <th scope="col">{text::COL_CONTENT}</th>
                        <th scope="col">{text::COL_SELECTED}</th>
                        <th scope="col">{text::COL_STATUS}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `/admin/courses/new`: the course's fields; lessons and questions come next, in the editor.
#[component]
pub fn NewCoursePage() -> impl IntoView {
    set_page_title(text::NEW_COURSE);
    let navigate = use_navigate();
    let on_saved = Callback::new(move |course: qinxue_core::admin::AdminCourse| {
        // `navigate` adds the router's base (/admin) itself, unlike `<A href>`.
        navigate(&format!("/courses/{}", course.id), Default::default());
    });
    view! {
        <p>
            <A href="/admin/courses" attr:class="touch-link">
                {text::BACK_TO_LIST}
            </A>
        </p>
        <h1>{text::NEW_COURSE}</h1>
        <CourseForm course=None on_saved />
    }
}
