//! What each administrator can open: one list, read by the navigation and the home page, so
//! that a role never sees a tool in one place and not the other. The server checks every call
//! again; this list only decides what is offered.

use qinxue_core::Role;

/// One administrator's tool: a page of the admin app.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// Path inside the admin app, without `/admin` (see [`Tool::url`]).
    pub href: &'static str,
    /// Navigation label.
    pub label: &'static str,
    /// One sentence on the home page saying what it is for.
    pub summary: &'static str,
    /// Who may open it.
    pub roles: &'static [Role],
}

/// Where the admin app is served.
pub const BASE: &str = "/admin";

impl Tool {
    /// The tool's address for `<A href>`. leptos_router's `<Router base>` matches routes under
    /// the base, and `use_navigate` adds it, but `<A>` takes an absolute path as it is.
    pub fn url(&self) -> String {
        format!("{BASE}{}", self.href)
    }
}

/// Every tool, in the order they are offered.
pub const TOOLS: &[Tool] = &[
    Tool {
        href: "/courses",
        label: crate::admin::courses_text::NAV,
        summary: crate::admin::courses_text::SUMMARY,
        roles: &[Role::ProvincialAdmin],
    },
    Tool {
        href: "/unit/pay",
        label: crate::admin::unit_pay::TITLE,
        summary: crate::admin::unit_pay::SUMMARY,
        roles: &[Role::UnitAdmin],
    },
    Tool {
        href: "/unit/orders",
        label: crate::admin::unit_orders::TITLE,
        summary: crate::admin::unit_orders::SUMMARY,
        roles: &[Role::UnitAdmin],
    },
    Tool {
        href: "/unit/roster",
        label: crate::admin::roster::TITLE,
        summary: crate::admin::roster::SUMMARY,
        roles: &[Role::UnitAdmin],
    },
    Tool {
        href: "/unit/staff",
        label: crate::admin::staff_progress::TITLE,
        summary: crate::admin::staff_progress::SUMMARY,
        roles: &[Role::UnitAdmin],
    },
    Tool {
        href: "/reports",
        label: crate::admin::reports::TITLE,
        summary: crate::admin::reports::SUMMARY,
        roles: &[Role::OfficeAdmin, Role::ProvincialAdmin],
    },
    Tool {
        href: "/activities",
        label: crate::admin::activities::TITLE,
        summary: crate::admin::activities::SUMMARY,
        roles: &[Role::OfficeAdmin, Role::ProvincialAdmin],
    },
    Tool {
        href: "/group-sessions",
        label: crate::admin::group_sessions::TITLE,
        summary: crate::admin::group_sessions::SUMMARY,
        roles: &[Role::OfficeAdmin, Role::Proctor],
    },
    Tool {
        href: "/policy-years",
        label: crate::admin::policy_years::TITLE,
        summary: crate::admin::policy_years::SUMMARY,
        roles: &[Role::ProvincialAdmin],
    },
    Tool {
        href: "/audit",
        label: crate::admin::audit::TITLE,
        summary: crate::admin::audit::SUMMARY,
        roles: &[Role::OfficeAdmin, Role::ProvincialAdmin],
    },
];

/// The tools a role may open.
pub fn tools_for(role: Role) -> impl Iterator<Item = &'static Tool> {
    TOOLS.iter().filter(move |tool| tool.roles.contains(&role))
}
