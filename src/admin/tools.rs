//! What each administrator can open: one list, read by the navigation and the home page, so
//! that a role never sees a tool in one place and not the other. The server checks every call
//! again; this list only decides what is offered.

use qinxue_core::Role;

/// One administrator's tool: a page of the admin app.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// Path inside the admin app (the router adds `/admin`).
    pub href: &'static str,
    /// Navigation label.
    pub label: &'static str,
    /// One sentence on the home page saying what it is for.
    pub summary: &'static str,
    /// Who may open it.
    pub roles: &'static [Role],
}

/// Every tool, in the order they are offered.
pub const TOOLS: &[Tool] = &[];

/// The tools a role may open.
pub fn tools_for(role: Role) -> impl Iterator<Item = &'static Tool> {
    TOOLS.iter().filter(move |tool| tool.roles.contains(&role))
}
