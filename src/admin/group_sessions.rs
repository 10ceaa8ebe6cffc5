//! 集中学习 at `/admin/group-sessions` (DESIGN.md §8 "Group sessions"): the office admin's
//! sessions in their region's subtree (the proctor's own sessions for a proctor), and the
//! form that schedules, changes or cancels one before it starts. The server checks every
//! rule again (region subtree, proctor, course, times); the form says the same in words first.

use crate::admin::form::{focus_first_error, refusal, Choice, NumberField, Outcome};
use crate::admin::group_api;
use crate::admin::tools::BASE;
use crate::api;
use crate::clock;
use crate::components::field::{SelectField, TextField};
use crate::components::title::set_page_title;
use crate::group_time::{from_local_input, span, to_local_input};
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::Params;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params};
use leptos_router::params::Params;
use qinxue_core::api::{FieldError, Region};
use qinxue_core::group::{
    GroupFormat, GroupSessionInput, GroupSessionSummary, GroupSessionView, GroupStatus,
};
use qinxue_core::{ErrorCode, Role};

/// Navigation label and page title.
pub const TITLE: &str = "集中学习";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str =
    "安排机房集中学习，监考员在平板上签到、点名、查看每个座位，结束后查看和导出考勤。";

/// The address of a session's page in the admin app, for `<A href>`.
pub fn session_url(id: i64, tail: &str) -> String {
    format!("{BASE}/group-sessions/{id}{tail}")
}

/// A session's status as a badge.
pub fn status_badge(status: GroupStatus) -> impl IntoView {
    view! {
        <span class=format!("badge group-status-{}", status.as_str()) data-testid="group-status">
            {status.label()}
        </span>
    }
}

fn is_office(role: Option<Role>) -> bool {
    role == Some(Role::OfficeAdmin)
}

fn my_role() -> Option<Role> {
    match use_session().state() {
        SessionState::SignedIn(me) => Some(me.role),
        _ => None,
    }
}

/// The page at `/admin/group-sessions`.
#[component]
pub fn GroupSessionsPage() -> impl IntoView {
    set_page_title(TITLE);
    let sessions = LocalResource::new(group_api::list);
    let new_link = move || {
        is_office(my_role()).then(|| {
            view! {
                <p class="actions">
                    <A href=format!("{BASE}/group-sessions/new") attr:class="button button-primary">
                        "安排一场集中学习"
                    </A>
                </p>
            }
        })
    };
    view! {
        <h1>{TITLE}</h1>
        {new_link}
        {move || match sessions.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <p class="card">"还没有集中学习。"</p>
            }
            .into_any(),
            Some(Ok(list)) => {
                let role = my_role();
                view! {
                    <ul class="group-list">
                        {list.into_iter().map(|s| view! { <SessionCard s role /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn SessionCard(s: GroupSessionSummary, role: Option<Role>) -> impl IntoView {
    let runnable = matches!(s.status, GroupStatus::Scheduled | GroupStatus::Open);
    let console = (role == Some(Role::Proctor) && runnable).then(|| {
        view! {
            <A href=session_url(s.id, "/console") attr:class="button button-primary" attr:data-testid="open-console">
                "打开监考控制台"
            </A>
        }
    });
    let edit = (is_office(role) && s.status == GroupStatus::Scheduled).then(|| {
        view! { <A href=session_url(s.id, "/edit") attr:class="button">"修改或取消"</A> }
    });
    let audience = if s.open_to_region {
        "本地区已缴费学员均可参加".to_owned()
    } else {
        format!("指定 {} 名学员", s.assigned)
    };
    view! {
        <li class="card group-card" data-testid="group-session" data-code=s.code.clone()>
            <h2>{s.title.clone()} " " {status_badge(s.status)}</h2>
            <dl class="facts">
                <div><dt>"时间"</dt><dd>{span(s.starts_at, s.ends_at)}</dd></div>
                <div><dt>"地点"</dt><dd>{format!("{}（{}）", s.room, s.region_name)}</dd></div>
                <div><dt>"课程"</dt><dd>{s.course_title.clone()}</dd></div>
                <div><dt>"形式"</dt><dd>{s.format.label()}</dd></div>
                <div><dt>"监考员"</dt><dd>{format!("{}（{}）", s.proctor_name, s.proctor_login)}</dd></div>
                <div><dt>"座位"</dt><dd>{format!("{} 个 · {audience}", s.capacity)}</dd></div>
                <div><dt>"房间号"</dt><dd>{format!("{} · 学员电脑打开 /room/{}", s.code, s.code)}</dd></div>
            </dl>
            <p class="actions">
                {console}
                <A href=session_url(s.id, "") attr:class="button">"详情和考勤"</A>
                {edit}
            </p>
        </li>
    }
}

#[derive(Params, Debug, Clone, PartialEq)]
pub struct SessionParams {
    pub id: Option<i64>,
}

/// The session id of the address (0 when it has none, which the server answers 404).
pub fn session_id() -> Memo<i64> {
    let params = use_params::<SessionParams>();
    Memo::new(move |_| params.with(|p| p.as_ref().ok().and_then(|p| p.id).unwrap_or(0)))
}

/// `/admin/group-sessions/new`.
#[component]
pub fn NewGroupSessionPage() -> impl IntoView {
    set_page_title("安排集中学习");
    view! {
        <p class="breadcrumb"><A href=format!("{BASE}/group-sessions")>{TITLE}</A>" › 安排"</p>
        <h1>"安排集中学习"</h1>
        <ScheduleForm existing=None />
    }
}

/// `/admin/group-sessions/:id/edit`.
#[component]
pub fn EditGroupSessionPage() -> impl IntoView {
    set_page_title("修改集中学习");
    let id = session_id();
    let view_ = LocalResource::new(move || group_api::get(id.get()));
    view! {
        <p class="breadcrumb"><A href=format!("{BASE}/group-sessions")>{TITLE}</A>" › 修改"</p>
        <h1>"修改集中学习"</h1>
        {move || match view_.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
            Some(Ok(v)) if v.status != GroupStatus::Scheduled => view! {
                <p class="notice notice-warn" role="status">
                    {format!("本场{}，不能再修改。", v.status.label())}
                </p>
            }
            .into_any(),
            Some(Ok(v)) => view! { <ScheduleForm existing=Some(v) /> }.into_any(),
        }}
    }
}

/// The regions of `root`'s subtree, in the tree's order, each indented by its level.
fn subtree(regions: &[Region], root: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    fn walk(regions: &[Region], code: &str, depth: usize, out: &mut Vec<(String, String)>) {
        if let Some(r) = regions.iter().find(|r| r.code == code) {
            out.push((r.code.clone(), format!("{}{}", "　".repeat(depth), r.name)));
        }
        for child in regions
            .iter()
            .filter(|r| r.parent_code.as_deref() == Some(code))
        {
            walk(regions, &child.code, depth + 1, out);
        }
    }
    walk(regions, root, 0, &mut out);
    out
}

const FIELDS: [(&str, &str); 9] = [
    ("title", "title"),
    ("room", "room"),
    ("starts_at", "starts_at"),
    ("ends_at", "ends_at"),
    ("capacity", "capacity"),
    ("course_id", "course_id"),
    ("proctor_login", "proctor_login"),
    ("region_code", "region_code"),
    ("format", "format-seats"),
];

/// Scheduling a new session (`existing: None`) or changing one that has not started.
#[component]
fn ScheduleForm(existing: Option<GroupSessionView>) -> impl IntoView {
    let navigate = use_navigate();
    let e = existing.as_ref();
    let title = RwSignal::new(e.map(|v| v.title.clone()).unwrap_or_default());
    let room = RwSignal::new(e.map(|v| v.room.clone()).unwrap_or_default());
    let starts = RwSignal::new(e.map(|v| to_local_input(v.starts_at)).unwrap_or_default());
    let ends = RwSignal::new(e.map(|v| to_local_input(v.ends_at)).unwrap_or_default());
    let capacity = RwSignal::new(e.map_or_else(|| "60".to_owned(), |v| v.capacity.to_string()));
    let course = RwSignal::new(e.map(|v| v.course_id.to_string()).unwrap_or_default());
    let proctor = RwSignal::new(e.map(|v| v.proctor_login.clone()).unwrap_or_default());
    let format = RwSignal::new(
        e.map_or(GroupFormat::Seats, |v| v.format)
            .as_str()
            .to_owned(),
    );
    let region = RwSignal::new(e.map(|v| v.region_code.clone()).unwrap_or_default());
    // The assigned list of an existing session is kept as it is; a new one is open to the
    // region, which is what most sessions are.
    let trainee_ids = e.and_then(|v| (!v.open_to_region).then(|| v.trainee_ids.clone()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let id = e.map(|v| v.id);
    let status = e.map(|v| v.status);

    let courses = LocalResource::new(|| api::courses(""));
    let course_options = Signal::derive(move || match courses.get() {
        Some(Ok(list)) => list
            .into_iter()
            .map(|c| (c.id.to_string(), format!("{}（{} 学时）", c.title, c.hours)))
            .collect(),
        _ => Vec::new(),
    });
    let regions = LocalResource::new(api::regions);
    let session = use_session();
    let region_options = Signal::derive(move || {
        let mine = match session.state() {
            SessionState::SignedIn(me) => me.region.map(|r| r.code),
            _ => None,
        };
        match (regions.get(), mine) {
            (Some(Ok(list)), Some(root)) => subtree(&list, &root),
            _ => Vec::new(),
        }
    });

    let err = move |field: &'static str| crate::admin::form::error_for(errors, field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        outcome.set(None);
        let mut local = Vec::new();
        let starts_at = from_local_input(&starts.get_untracked());
        let ends_at = from_local_input(&ends.get_untracked());
        if starts_at.is_none() {
            local.push(FieldError::new(
                "starts_at",
                ErrorCode::InvalidBody,
                "请选择开始时间",
            ));
        }
        if ends_at.is_none() {
            local.push(FieldError::new(
                "ends_at",
                ErrorCode::InvalidBody,
                "请选择结束时间",
            ));
        }
        let capacity_n = capacity.get_untracked().trim().parse::<u32>().ok();
        if capacity_n.is_none() {
            local.push(FieldError::new(
                "capacity",
                ErrorCode::OutOfRange,
                "座位数应为整数",
            ));
        }
        let course_id = course.get_untracked().parse::<i64>().ok();
        if course_id.is_none() {
            local.push(FieldError::new(
                "course_id",
                ErrorCode::InvalidBody,
                "请选择课程",
            ));
        }
        let region_code = Some(region.get_untracked()).filter(|r| !r.is_empty());
        // The rules of core (text, times, capacity) run on what could be read, stand-ins
        // filling what could not, so that every field at fault is said at once.
        let now = clock::now();
        let later = now + chrono::Duration::days(1);
        let starts_or = starts_at.unwrap_or(later);
        let input = GroupSessionInput {
            title: title.get_untracked(),
            room: room.get_untracked(),
            starts_at: starts_or,
            ends_at: ends_at.unwrap_or(starts_or + chrono::Duration::hours(1)),
            capacity: capacity_n.unwrap_or(1),
            course_id: course_id.unwrap_or(0),
            proctor_login: proctor.get_untracked().trim().to_owned(),
            format: GroupFormat::from_wire(&format.get_untracked()).unwrap_or(GroupFormat::Seats),
            trainee_ids: trainee_ids.clone(),
            region_code,
        };
        if let Err(found) = input.validate(now) {
            for f in found {
                if !local.iter().any(|l| l.field == f.field) {
                    local.push(f);
                }
            }
        }
        if !local.is_empty() {
            local.sort_by_key(|f| FIELDS.iter().position(|(name, _)| *name == f.field));
            focus_first_error(&local, &FIELDS);
            errors.set(local);
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let saved = match id {
                Some(id) => group_api::update(id, &input).await.map(|v| v.id),
                None => group_api::create(&input).await.map(|c| c.id),
            };
            busy.set(false);
            match saved {
                Ok(id) => navigate(&format!("/group-sessions/{id}"), Default::default()),
                Err(e) => {
                    let (fields, message) = refusal(&e);
                    focus_first_error(&fields, &FIELDS);
                    errors.set(fields);
                    outcome.set(Some(Err(message)));
                }
            }
        });
    };

    let cancel = id
        .filter(|_| status == Some(GroupStatus::Scheduled))
        .map(|id| {
            view! { <CancelSession id /> }
        });
    view! {
        <form class="card form-card group-form" on:submit=submit novalidate>
            <TextField name="title" label="名称" value=title error=err("title") placeholder="例如：鲤城区第一期集中学习" />
            <TextField name="room" label="地点（机房）" value=room error=err("room") placeholder="例如：区机关事务服务中心三楼机房" />
            <TextField name="starts_at" label="开始时间" input_type="datetime-local" value=starts error=err("starts_at") />
            <TextField name="ends_at" label="结束时间" input_type="datetime-local" value=ends error=err("ends_at") hint="一场最长 12 小时；到结束时间会自动结束并保存考勤。" />
            <NumberField name="capacity" label="座位数" value=capacity error=err("capacity") hint="同时在座的人数最多这么多。" />
            <SelectField name="course_id" label="课程" value=course options=course_options placeholder="请选择课程" error=err("course_id") />
            <TextField name="proctor_login" label="监考员登录名" value=proctor error=err("proctor_login") autocomplete="off" placeholder="例如：proctor-demo" hint="监考员须属于本场所在地区或其上级地区。" />
            <SelectField name="region_code" label="地区" value=region options=region_options placeholder="（本人所在地区）" error=err("region_code") />
            <Choice
                name="format"
                label="形式"
                options=vec![("seats", GroupFormat::Seats.label()), ("lecture", GroupFormat::Lecture.label())]
                value=format
                error=err("format")
            />
            <p class="field-hint" data-testid="audience">
                {match &existing {
                    Some(v) if !v.open_to_region => format!("参加人员：指定的 {} 名学员（名单不变）。", v.trainee_ids.len()),
                    _ => "参加人员：本地区已报名缴费的学员均可凭身份证号和签到码参加。".to_owned(),
                }}
            </p>
            <p class="field-error" aria-live="polite">{move || crate::admin::form::error_for(errors, "trainee_ids").get()}</p>
            <Outcome outcome />
            <p class="form-footer actions">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {if id.is_some() { "保存修改" } else { "安排" }}
                </button>
            </p>
        </form>
        {cancel}
    }
}

/// Calling off a session that has not started, after a second press.
#[component]
fn CancelSession(id: i64) -> impl IntoView {
    let navigate = use_navigate();
    let asked = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let confirm = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match group_api::act(id, "cancel").await {
                Ok(_) => navigate(&format!("/group-sessions/{id}"), Default::default()),
                Err(e) => outcome.set(Some(Err(e.message()))),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"取消本场"</h2>
            <p>"取消后学员不能再签到，本场不能恢复。"</p>
            <Outcome outcome />
            <p class="actions">
                <button type="button" class="button" hidden=move || asked.get() on:click=move |_| asked.set(true)>
                    "取消本场集中学习"
                </button>
                <button type="button" class="button button-primary" hidden=move || !asked.get() on:click=confirm>
                    "确认取消"
                </button>
                <button type="button" class="button" hidden=move || !asked.get() on:click=move |_| asked.set(false)>
                    "不取消"
                </button>
            </p>
        </section>
    }
}
