//! 学习情况 at `/admin/unit/staff`: the unit admin sees this year's status of each person of
//! the unit (registered, paid, 学时 done of required, completed), filters and sorts it, exports
//! it as Excel or CSV (every row of the filter), and resets the password of people who forgot
//! it (忘记密码), after verifying them: the one-time passwords are shown once, printable.

use crate::admin::office_api;
use crate::admin::roster::{password_sheet, OneTimeLine, PasswordSheet};
use crate::api::{self, ApiError, Body};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::catalogue::format_hours;
use qinxue_core::office::{PasswordReset, StaffProgress, StaffStatus, UnitProgress};
use std::collections::BTreeSet;

/// Navigation label and page title.
pub const TITLE: &str = "学习情况";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str =
    "本单位每人今年的报名、缴费、学时和完成情况，可筛选、排序、导出；为忘记密码的人重置密码。";
const RESET_NOTE: &str = "请先核实本人身份（如查看身份证）再重置。重置后，此人原来的登录全部失效；请把一次性密码交给本人，本人登录后须先设置新密码。";

async fn load(query: String) -> Result<UnitProgress, ApiError> {
    let path = format!("/api/unit/staff/progress{query}");
    api::read_serde(&api::send("GET", &path, Body::Empty).await?)
}

async fn reset(id: i64) -> Result<PasswordReset, ApiError> {
    let path = format!("/api/people/{id}/password-reset");
    api::read_serde(&api::send("POST", &path, Body::Empty).await?)
}

/// The page at `/admin/unit/staff`.
#[component]
pub fn StaffProgressPage() -> impl IntoView {
    set_page_title(TITLE);
    let status = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_owned());
    let query = Memo::new(move |_| {
        office_api::query(&[
            ("status", status.get()),
            ("q", search.get()),
            ("sort", sort.get()),
        ])
    });
    let progress = LocalResource::new(move || load(query.get()));
    let chosen = RwSignal::new(BTreeSet::<i64>::new());
    let resets = RwSignal::new(Vec::<PasswordReset>::new());
    let reset_error = RwSignal::new(None::<String>);
    let do_reset = Action::new_local(move |ids: &Vec<i64>| {
        let ids = ids.clone();
        async move {
            let mut done = Vec::new();
            for id in ids {
                match reset(id).await {
                    Ok(r) => done.push(r),
                    Err(e) => {
                        reset_error.set(Some(e.message()));
                        break;
                    }
                }
            }
            chosen.set(BTreeSet::new());
            resets.set(done);
        }
    });
    let toggle = move |id: i64| {
        chosen.update(|c| {
            if !c.remove(&id) {
                c.insert(id);
            }
        })
    };
    view! {
        <h1>{TITLE}</h1>
        <section class="card filters">
            <div class="field">
                <label for="staff-status">"状态"</label>
                <select id="staff-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">"全部"</option>
                    {StaffStatus::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="staff-search">"姓名或身份证号、手机号后几位"</label>
                <input
                    id="staff-search"
                    type="search"
                    on:change=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="staff-sort">"排序"</label>
                <select id="staff-sort" on:change=move |ev| sort.set(event_target_value(&ev))>
                    <option value="name">"按姓名"</option>
                    <option value="progress">"学时完成少的在前"</option>
                    <option value="status">"按状态"</option>
                </select>
            </div>
            <p class="actions">
                <a class="button" href=move || format!("/api/unit/staff/progress.xlsx{}", query.get()) download="staff-progress.xlsx" data-testid="staff-xlsx">
                    "导出 Excel"
                </a>
                <a class="button" href=move || format!("/api/unit/staff/progress.csv{}", query.get()) download="staff-progress.csv" data-testid="staff-csv">
                    "导出 CSV"
                </a>
            </p>
        </section>
        <Transition fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                progress
                    .get()
                    .map(|answer| match answer {
                        Ok(p) => table(p, chosen, toggle).into_any(),
                        Err(e) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
                    })
            }}
        </Transition>
        <section class="card">
            <h2>"忘记密码"</h2>
            <p>{RESET_NOTE}</p>
            <button
                type="button"
                class="button"
                data-testid="staff-reset"
                disabled=move || chosen.with(BTreeSet::is_empty) || do_reset.pending().get()
                on:click=move |_| {
                    reset_error.set(None);
                    do_reset.dispatch_local(chosen.get_untracked().into_iter().collect());
                }
            >
                {move || format!("为所选的 {} 人重置密码", chosen.with(BTreeSet::len))}
            </button>
            <p class="form-alert" role="alert">{move || reset_error.get()}</p>
        </section>
        {move || {
            let done = resets.get();
            (!done.is_empty()).then(|| reset_sheet(done))
        }}
    }
}

fn table(
    p: UnitProgress,
    chosen: RwSignal<BTreeSet<i64>>,
    toggle: impl Fn(i64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let counts = p
        .by_status
        .iter()
        .map(|c| format!("{} {} 人", c.status.label(), c.count))
        .collect::<Vec<_>>()
        .join("，");
    let minutes = p.minutes_per_hour;
    let shown = p.people.len();
    let rows = p
        .people
        .into_iter()
        .map(|person| row(person, minutes, chosen, toggle))
        .collect_view();
    view! {
        <p role="status" data-testid="staff-counts">
            {format!("{} 年度，本单位共 {} 人：{counts}。当前列出 {shown} 人。", p.year, p.total)}
        </p>
        <div class="table-wrap">
            <table class="staff staff-progress">
                <thead>
                    <tr>
                        <th scope="col">"选择"</th>
                        <th scope="col">"姓名"</th>
                        <th scope="col">"身份证号"</th>
                        <th scope="col">"手机"</th>
                        <th scope="col">"工种"</th>
                        <th scope="col">"等级"</th>
                        <th scope="col">"状态"</th>
                        <th scope="col">"学时（已学/应学）"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One person: a click anywhere on the row toggles its checkbox (a target the row's size,
/// not the box's), and the box itself stays the keyboard's way to it.
fn row(
    p: StaffProgress,
    minutes: u32,
    chosen: RwSignal<BTreeSet<i64>>,
    toggle: impl Fn(i64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = p.id;
    let checked = move || chosen.with(|c| c.contains(&id));
    let label = format!("选择 {}", p.name);
    let hours = format!(
        "{} / {}",
        format_hours(p.credited_secs, minutes),
        format_hours(p.required_secs, minutes)
    );
    let status = if p.one_time_password {
        format!("{}（未设密码）", p.status.label())
    } else {
        p.status.label().to_owned()
    };
    view! {
        <tr
            class="pickable"
            class:selected=checked
            data-testid="staff-row"
            on:click=move |_| toggle(id)
        >
            <td>
                <input
                    type="checkbox"
                    aria-label=label
                    prop:checked=checked
                    // The row's click does the toggling; the box's own would undo it.
                    on:click=move |ev| ev.stop_propagation()
                    on:change=move |_| toggle(id)
                />
            </td>
            <td>{p.name}</td>
            <td>{p.id_number}</td>
            <td>{p.phone}</td>
            <td>{p.trade.unwrap_or_default()}</td>
            <td>{p.grade.map_or("", |g| g.label())}</td>
            <td>{status}</td>
            <td>{hours}</td>
        </tr>
    }
}

/// The reset one-time passwords, shown once; printed alone like the roster's sheet.
fn reset_sheet(done: Vec<PasswordReset>) -> impl IntoView {
    let sheet = PasswordSheet {
        title: "重置后的一次性密码",
        note:
            "只显示这一次。请交给本人；本人用身份证号或手机号和一次性密码登录后，须先设置新密码。",
        print_label: "打印",
        download: None,
        test_id: "reset-sheet",
        row_test_id: "reset-row",
    };
    let people = done
        .into_iter()
        .map(|r| OneTimeLine {
            name: r.name,
            id_number: r.id_number,
            password: r.password,
        })
        .collect();
    password_sheet(sheet, people)
}
