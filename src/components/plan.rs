//! The trainee's 选课计划 at a glance: planned 学时 against the year's requirement as a
//! progress bar, and what that means (room left, enough, or closed). Shown by 我的学习 and by
//! 选课, and updated in place after each change; with it, how the trainee's trade reaches the
//! requirement (`path_note`).

use crate::components::dom::{attr, el, text, Bar};
use crate::i18n::t;
use qinxue_core::path_to_requirement::PathToRequirement;
use qinxue_core::practice::Plan;
use web_sys::{Element, Node};

/// Says which courses reach the year's 学时 for this trainee's trade
/// (`data-testid="plan-path"`), as a warning when none can.
pub fn path_note(parent: &Node, path: &PathToRequirement) {
    let class = if path.reachable() {
        "notice"
    } else {
        "notice notice-warn"
    };
    attr(
        &text(parent, "p", class, &path.describe()),
        "data-testid",
        "plan-path",
    );
}

/// The plan's bar (`data-testid="plan-hours"`) and its note.
pub struct PlanBar {
    bar: Bar,
    note: Element,
}

impl PlanBar {
    /// Appends the bar for `plan` to `parent`.
    pub fn new(parent: &Node, plan: &Plan) -> Self {
        let this = Self {
            bar: Bar::new(parent, "plan-hours", &(t().plan_title)(plan.year)),
            note: el(parent, "p", "notice"),
        };
        this.show(plan);
        this
    }

    /// Shows `plan` (e.g. the one a selection answered).
    pub fn show(&self, plan: &Plan) {
        let words = t();
        self.bar.set(
            i64::from(plan.planned_hours),
            i64::from(plan.required_hours),
            &(words.plan_hours)(plan.planned_hours, plan.required_hours),
        );
        let note = if !plan.registration_open {
            words.plan_closed
        } else if plan.complete() {
            words.plan_complete
        } else if plan.courses.is_empty() {
            words.plan_empty
        } else {
            ""
        };
        self.note.set_text_content(Some(note));
        let _ = self
            .note
            .toggle_attribute_with_force("hidden", note.is_empty());
    }
}
