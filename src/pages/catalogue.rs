//! 选课 at `/courses`: the catalogue, searched by title and filtered by category and trade
//! (the trainee's own trade first, as the server orders it), each course with a 选课 button.
//! The rules are stated up front; when the server refuses a course anyway (another trade, the
//! requirement already met, after the deadline) its reason is shown on that course's card.
//! Visitors and administrators browse without the plan and the buttons.

use crate::api::{self, ApiError};
use crate::components::course::course_card;
use crate::components::dom::{attr, el, text};
use crate::components::load::{both, load_into, Fill};
use crate::components::plan::{path_note, PlanBar};
use crate::components::title::set_page_title;
use crate::i18n::t;
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::api::Course;
use qinxue_core::catalogue::CourseCategory;
use qinxue_core::path_to_requirement::PathToRequirement;
use qinxue_core::practice::Plan;
use qinxue_core::ErrorCode;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::js_sys::encode_uri_component;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement, Node};

/// The page at `/courses`.
#[component]
pub fn CataloguePage() -> impl IntoView {
    let words = t();
    set_page_title(words.catalogue_title);
    let session = use_session();
    let fill: Fill = Rc::new(move |page| {
        Box::pin(async move {
            // The trainee's trade: a trade course of another trade is said to be closed to
            // them rather than offered with a 选课 button that can only be refused. On a
            // first load the session may not have answered yet: then ask, beside the rest.
            let signed_in = match session.state_untracked() {
                SessionState::SignedIn(me) => Some(me.trade),
                _ => None,
            };
            let trade = async move {
                match signed_in {
                    Some(trade) => Ok(trade),
                    None => api::me().await.map(|me| me.trade),
                }
            };
            let ((plan, courses), trade) = both(both(api::plan(), api::courses("")), trade).await;
            let plan = match plan {
                Ok(plan) => Some(plan),
                Err(e) if is_not_a_trainee(&e) => None,
                Err(e) => return Err(e),
            };
            // A visitor's /api/me is refused: only a trainee's trade counts.
            let trade = if plan.is_some() { trade? } else { None };
            Catalogue::build(&page, plan, trade, &courses?);
            Ok(())
        })
    });
    view! {
        <h1>{words.catalogue_title}</h1>
        {load_into(fill)}
    }
}

fn is_not_a_trainee(error: &ApiError) -> bool {
    matches!(
        error.code(),
        Some(ErrorCode::Unauthenticated | ErrorCode::Forbidden)
    )
}

/// The page's live parts, shared by its one event handler.
struct Catalogue {
    plan: RefCell<Option<Plan>>,
    /// The trainee's own trade.
    my_trade: Option<String>,
    bar: Option<PlanBar>,
    q: HtmlInputElement,
    category: HtmlSelectElement,
    trade: HtmlSelectElement,
    count: Element,
    list: Element,
    /// Bumped by each search; an answer to an older one is dropped.
    search: std::cell::Cell<u32>,
}

impl Catalogue {
    fn build(page: &Node, plan: Option<Plan>, my_trade: Option<String>, courses: &[Course]) {
        let words = t();
        let bar = plan.as_ref().map(|plan| {
            let card = el(page, "section", "card");
            let bar = PlanBar::new(&card, plan);
            let path = PathToRequirement::new(courses, my_trade.as_deref(), plan.required_hours);
            path_note(&card, &path);
            text(&card, "p", "", words.selection_rules);
            bar
        });

        let form = el(page, "form", "card filters");
        attr(&form, "role", "search");
        attr(&form, "aria-label", words.search);
        let q: HtmlInputElement = field(&form, "q", words.search_title, "input").unchecked_into();
        attr(&q, "type", "search");
        attr(&q, "placeholder", words.search_placeholder);
        let category: HtmlSelectElement =
            field(&form, "category", words.category, "select").unchecked_into();
        option(&category, "", words.any_category);
        for c in [CourseCategory::Public, CourseCategory::Trade] {
            option(&category, c.as_str(), c.label());
        }
        let trade: HtmlSelectElement =
            field(&form, "trade", words.trade, "select").unchecked_into();
        option(&trade, "", words.any_trade);
        let mut trades: Vec<&str> = Vec::new();
        for t in courses.iter().flat_map(|c| &c.trades) {
            if !trades.contains(&t.as_str()) {
                trades.push(t);
                option(&trade, t, t);
            }
        }
        attr(
            &text(&form, "button", "button button-primary", words.search),
            "type",
            "submit",
        );

        // The cards' titles are h3, under this h2 as on 我的学习 (a heading level skipped
        // is a jump for a screen reader's list of headings).
        text(page, "h2", "", words.catalogue_list);
        let count = el(page, "p", "");
        attr(&count, "role", "status");
        attr(&count, "data-testid", "courses-found");
        let list = el(page, "div", "courses");
        let this = Rc::new(Self {
            plan: RefCell::new(plan),
            my_trade,
            bar,
            q,
            category,
            trade,
            count,
            list,
            search: Default::default(),
        });
        this.show(courses);

        // One handler for the page: a search (submit, or a filter changed) or a 选课 button.
        let me = Rc::clone(&this);
        let handler = Closure::<dyn Fn(Event)>::new(move |event: Event| {
            if event.type_() == "click" {
                let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
                if let Some(button) = target.filter(|t| t.has_attribute("data-select")) {
                    me.select(button);
                }
                return;
            }
            event.prevent_default();
            me.find();
        })
        .into_js_value();
        for (target, kind) in [(&form, "submit"), (&form, "change"), (&this.list, "click")] {
            let _ = target.add_event_listener_with_callback(kind, handler.unchecked_ref());
        }
    }

    /// Asks the server for the courses that match the form.
    fn find(self: &Rc<Self>) {
        let mut query = Vec::new();
        for (key, value) in [
            ("q", self.q.value()),
            ("category", self.category.value()),
            ("trade", self.trade.value()),
        ] {
            let value = value.trim().to_owned();
            if !value.is_empty() {
                query.push(format!("{key}={}", encode_uri_component(&value)));
            }
        }
        let search = self.search.get().wrapping_add(1);
        self.search.set(search);
        let this = Rc::clone(self);
        spawn_local(async move {
            let found = api::courses(&query.join("&")).await;
            if this.search.get() != search {
                return;
            }
            match found {
                Ok(courses) => this.show(&courses),
                Err(error) => {
                    this.list.set_text_content(None);
                    this.count.set_text_content(Some(&error.message()));
                }
            }
        });
    }

    /// Lists `courses`: a 选课 button on each one not in the plan, "已选" on the others.
    fn show(&self, courses: &[Course]) {
        let words = t();
        self.count.set_text_content(Some(&if courses.is_empty() {
            words.no_courses_found.to_owned()
        } else {
            (words.courses_found)(courses.len())
        }));
        self.list.set_text_content(None);
        let plan = self.plan.borrow();
        for course in courses {
            let actions = course_card(&self.list, course, None, 0);
            let Some(plan) = plan.as_ref() else { continue };
            let other_trade = course.category == CourseCategory::Trade
                && !self
                    .my_trade
                    .as_ref()
                    .is_some_and(|t| course.trades.contains(t));
            if plan.courses.iter().any(|c| c.id == course.id) {
                text(&actions, "strong", "badge", words.selected);
            } else if !plan.registration_open {
                attr(
                    &text(&actions, "p", "course-why", words.selection_closed),
                    "data-testid",
                    "cannot-select",
                );
            } else if other_trade {
                let why = (words.not_your_trade)(self.my_trade.as_deref());
                attr(
                    &text(&actions, "p", "course-why", &why),
                    "data-testid",
                    "cannot-select",
                );
            } else {
                let button = text(
                    &actions,
                    "button",
                    "button button-primary",
                    words.select_course,
                );
                attr(&button, "type", "button");
                attr(&button, "data-select", &course.id.to_string());
                attr(&text(&actions, "p", "form-alert", ""), "role", "alert");
            }
        }
    }

    /// Adds the button's course to the plan; a refusal is said under the button.
    fn select(self: &Rc<Self>, button: Element) {
        let id = button
            .get_attribute("data-select")
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        let _ = button.set_attribute("disabled", "");
        let this = Rc::clone(self);
        spawn_local(async move {
            match api::select_course(id).await {
                Ok(plan) => {
                    if let Some(bar) = &this.bar {
                        bar.show(&plan);
                    }
                    *this.plan.borrow_mut() = Some(plan);
                    if let Some(actions) = button.parent_element() {
                        actions.set_text_content(None);
                        text(&actions, "strong", "badge", t().selected);
                    }
                }
                Err(error) => {
                    let _ = button.remove_attribute("disabled");
                    if let Some(alert) = button.next_element_sibling() {
                        alert.set_text_content(Some(&error.message()));
                    }
                }
            }
        });
    }
}

/// A labelled control named `name` in `form`.
fn field(form: &Element, name: &str, label: &str, tag: &str) -> Element {
    let wrap = el(form, "div", "field");
    attr(&text(&wrap, "label", "", label), "for", name);
    let control = el(&wrap, tag, "");
    control.set_id(name);
    attr(&control, "name", name);
    control
}

fn option(select: &HtmlSelectElement, value: &str, label: &str) {
    attr(&text(select, "option", "", label), "value", value);
}
