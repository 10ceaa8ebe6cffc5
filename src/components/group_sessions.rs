//! The trainee's coming group sessions (集中学习) on the home page: when and where, and what
//! to do there. Nothing is shown when there are none, which is most trainees' case.

use crate::api;
use crate::components::dom::{attr, el, text};
use crate::components::load::{load_into, Fill};
use leptos::prelude::*;
use qinxue_core::group::{GroupSessionSummary, GroupStatus};
use qinxue_core::time::format_local_datetime;
use std::rc::Rc;
use web_sys::Node;

/// The section, loaded when the home page opens.
pub fn group_sessions_section() -> impl IntoView {
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let sessions = api::my_group_sessions().await?;
            if !sessions.is_empty() {
                content(&page, &sessions);
            }
            Ok(())
        })
    });
    load_into(fill)
}

fn content(page: &Node, sessions: &[GroupSessionSummary]) {
    let section = el(page, "section", "card group-sessions");
    attr(&section, "aria-labelledby", "group-sessions-title");
    attr(&section, "data-testid", "my-group-sessions");
    text(&section, "h2", "", "集中学习安排").set_id("group-sessions-title");
    let list = el(&section, "ul", "years-list");
    for s in sessions {
        let item = el(&list, "li", "");
        text(&item, "h3", "", &s.title);
        let when = format!(
            "{} 至 {}",
            format_local_datetime(s.starts_at),
            format_local_datetime(s.ends_at)
        );
        let facts = el(&item, "dl", "facts");
        for (label, value) in [
            ("时间", when.as_str()),
            ("地点", s.room.as_str()),
            ("课程", s.course_title.as_str()),
            ("形式", s.format.label()),
        ] {
            let row = el(&facts, "div", "");
            text(&row, "dt", "", label);
            text(&row, "dd", "", value);
        }
        let what = match s.status {
            GroupStatus::Open => {
                "已开始签到：请到机房，在电脑上输入身份证号和监考员告诉您的签到码。"
            }
            _ => "请按时到机房，带上身份证。在机房电脑上输入身份证号和签到码即可学习，不需要密码。",
        };
        text(&item, "p", "notice", what);
    }
}
