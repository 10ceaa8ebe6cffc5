//! 补充活动 at `/admin/activities`: an office files a lecture or skill exchange for its region
//! and, once the province has approved it, enters who attended (their 身份证号, pasted from a
//! sheet); the province approves or sends back with a reason. The server decides everything
//! (scope, cap, who may be credited) and answers each row it did not credit with why.

use crate::admin::form::refusal;
use crate::admin::office_api;
use crate::components::title::set_page_title;
use crate::session::{use_session, SessionState};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use qinxue_core::activity::{
    Activity, ActivityInput, ActivityKind, ActivityStatus, AttendanceReport, MAX_HOURS,
};
use qinxue_core::Role;

/// Navigation label and page title.
pub const TITLE: &str = "补充活动";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "专题讲座、技能交流的备案、审批和签到登记，学时计入参加人员的年度。";
const INTRO: &str = "工考办备案后由省工考办审批；批准后不能再修改。活动结束后上传签到人员的身份证号，学时计入本人当年度（不超过年度补充活动学时上限）。";

/// The 身份证号 of a pasted list: anything between them (lines, commas, spaces) separates.
fn id_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == ';' || c == '、')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The page at `/admin/activities`.
#[component]
pub fn ActivitiesPage() -> impl IntoView {
    set_page_title(TITLE);
    let session = use_session();
    let role = move || match session.state() {
        SessionState::SignedIn(me) => Some(me.role),
        _ => None,
    };
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.get();
        office_api::activities()
    });
    view! {
        <h1>{TITLE}</h1>
        <p class="intro">{INTRO}</p>
        {move || (role() == Some(Role::OfficeAdmin)).then(|| view! { <FileForm version /> })}
        <h2>"活动列表"</h2>
        {move || match list.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
            Some(Ok(items)) if items.is_empty() => view! { <p>"还没有活动。"</p> }.into_any(),
            Some(Ok(items)) => {
                let role = role();
                view! {
                    <div class="activity-list">
                        {items.into_iter().map(|a| view! { <ActivityCard a role version /> }).collect_view()}
                    </div>
                }
                .into_any()
            }
        }}
    }
}

/// The office's form for a new activity.
#[component]
fn FileForm(version: RwSignal<u32>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new(ActivityKind::Lecture);
    let date = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let hours = RwSignal::new("2".to_owned());
    let expected = RwSignal::new("50".to_owned());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = NaiveDate::parse_from_str(&date.get_untracked(), "%Y-%m-%d") else {
            outcome.set(Some(Err("请选择活动日期".to_owned())));
            return;
        };
        let (Ok(h), Ok(e)) = (
            hours.get_untracked().trim().parse::<u32>(),
            expected.get_untracked().trim().parse::<u32>(),
        ) else {
            outcome.set(Some(Err("学时和预计人数请填写整数".to_owned())));
            return;
        };
        let input = ActivityInput {
            title: title.get_untracked(),
            kind: kind.get_untracked(),
            date: day,
            place: place.get_untracked(),
            hours: h,
            expected: e,
        };
        spawn_local(async move {
            match office_api::file_activity(&input).await {
                Ok(a) => {
                    outcome.set(Some(Ok(format!("已备案“{}”，等待省工考办审批。", a.title))));
                    title.set(String::new());
                    place.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(err) => {
                    let (fields, message) = refusal(&err);
                    let detail: Vec<String> = fields.into_iter().map(|f| f.message).collect();
                    outcome.set(Some(Err(if detail.is_empty() {
                        message
                    } else {
                        detail.join("；")
                    })));
                }
            }
        });
    };
    view! {
        <form class="card form" on:submit=submit data-testid="activity-form">
            <h2>"备案新活动"</h2>
            <label for="activity-title">"活动主题"</label>
            <input id="activity-title" type="text" required maxlength="100"
                prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="activity-kind">"类型"</label>
            <select id="activity-kind" on:change=move |ev| {
                if let Some(k) = ActivityKind::from_wire(&event_target_value(&ev)) {
                    kind.set(k);
                }
            }>
                {ActivityKind::ALL.map(|k| view! { <option value=k.as_str()>{k.label()}</option> })}
            </select>
            <label for="activity-date">"日期"</label>
            <input id="activity-date" type="date" required
                prop:value=date on:input=move |ev| date.set(event_target_value(&ev)) />
            <label for="activity-place">"地点"</label>
            <input id="activity-place" type="text" required maxlength="100"
                prop:value=place on:input=move |ev| place.set(event_target_value(&ev)) />
            <label for="activity-hours">{format!("学时（1–{MAX_HOURS}）")}</label>
            <input id="activity-hours" type="number" min="1" max=MAX_HOURS.to_string() required
                prop:value=hours on:input=move |ev| hours.set(event_target_value(&ev)) />
            <label for="activity-expected">"预计人数"</label>
            <input id="activity-expected" type="number" min="1" required
                prop:value=expected on:input=move |ev| expected.set(event_target_value(&ev)) />
            <p class="actions"><button type="submit" class="button">"提交备案"</button></p>
            {move || outcome.get().map(|o| match o {
                Ok(m) => view! { <p class="form-ok" role="status">{m}</p> }.into_any(),
                Err(m) => view! { <p class="form-alert" role="alert">{m}</p> }.into_any(),
            })}
        </form>
    }
}

/// One activity, with what the reader may do with it.
#[component]
fn ActivityCard(a: Activity, role: Option<Role>, version: RwSignal<u32>) -> impl IntoView {
    let id = a.id;
    let message = RwSignal::new(None::<Result<String, String>>);
    let reason = RwSignal::new(String::new());
    let pasted = RwSignal::new(String::new());
    let report = RwSignal::new(None::<AttendanceReport>);
    let decide = move |why: Option<String>| {
        spawn_local(async move {
            match office_api::decide_activity(id, why).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => message.set(Some(Err(refusal(&e).1))),
            }
        });
    };
    let upload = move |_| {
        let list = id_numbers(&pasted.get_untracked());
        spawn_local(async move {
            match office_api::upload_attendance(id, list).await {
                Ok(r) => {
                    message.set(Some(Ok(format!(
                        "登记 {} 人，未登记 {} 人。",
                        r.credited,
                        r.errors.len()
                    ))));
                    report.set(Some(r));
                    pasted.set(String::new());
                }
                Err(e) => message.set(Some(Err(refusal(&e).1))),
            }
        });
    };
    let province_decides = role == Some(Role::ProvincialAdmin) && a.status == ActivityStatus::Filed;
    let office_uploads = role == Some(Role::OfficeAdmin) && a.status == ActivityStatus::Approved;
    let field = format!("attendance-{id}");
    let why = format!("reason-{id}");
    view! {
        <section class="card" data-testid="activity" data-status=a.status.as_str()>
            <h3>{a.title.clone()}</h3>
            <p>
                <span class="activity-status" data-testid="activity-status">{a.status.label()}</span>
                {format!(" · {} · {} · {} · {} · {} 学时 · 预计 {} 人 · 已登记 {} 人",
                    a.kind.label(), a.region_name, a.date.format("%Y-%m-%d"), a.place,
                    a.hours, a.expected, a.attendees)}
            </p>
            {a.reason.clone().map(|r| view! { <p class="form-alert">{format!("退回原因：{r}")}</p> })}
            {province_decides.then(|| view! {
                <div class="activity-actions">
                    <button type="button" class="button" data-testid="approve" on:click=move |_| decide(None)>
                        "批准"
                    </button>
                    <label for=why.clone()>"退回原因"</label>
                    <input id=why.clone() type="text" maxlength="200"
                        prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <button type="button" class="button" data-testid="reject"
                        on:click=move |_| decide(Some(reason.get_untracked()))>
                        "退回"
                    </button>
                </div>
            })}
            {office_uploads.then(|| view! {
                <div class="activity-actions">
                    <label for=field.clone()>"签到人员身份证号（每行一个，可从表格粘贴）"</label>
                    <textarea id=field.clone() rows="4" data-testid="attendance"
                        prop:value=pasted on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                    <button type="button" class="button" data-testid="upload-attendance" on:click=upload>
                        "登记学时"
                    </button>
                </div>
            })}
            {move || message.get().map(|o| match o {
                Ok(m) => view! { <p class="form-ok" role="status" data-testid="attendance-result">{m}</p> }.into_any(),
                Err(m) => view! { <p class="form-alert" role="alert">{m}</p> }.into_any(),
            })}
            {move || report.get().filter(|r| !r.errors.is_empty()).map(|r| view! {
                <div class="table-wrap">
                    <table class="staff">
                        <caption>"未登记的人员"</caption>
                        <thead><tr><th scope="col">"行"</th><th scope="col">"身份证号"</th><th scope="col">"原因"</th></tr></thead>
                        <tbody>
                            {r.errors.into_iter().map(|e| view! {
                                <tr><td>{e.row}</td><td>{e.id_number}</td><td>{e.message}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {move || report.get().filter(|r| r.capped > 0).map(|r| view! {
                <p>{format!("其中 {} 人已接近年度补充活动学时上限，只计入了上限内剩余的学时。", r.capped)}</p>
            })}
        </section>
    }
}
