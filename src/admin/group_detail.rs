//! A group session's page at `/admin/group-sessions/:id`: what it is, and once closed its
//! attendance (each person's credited time by source), exportable as CSV, and the office
//! admin's corrections with a reason (audited by the server).

use crate::admin::form::{error_for, refusal, NumberField, Outcome, TextArea};
use crate::admin::group_api;
use crate::admin::group_sessions::{session_id, session_url, status_badge, TITLE};
use crate::admin::tools::BASE;
use crate::components::field::SelectField;
use crate::components::title::set_page_title;
use crate::group_time::{clock_hm, duration, span};
use crate::session::{use_session, SessionState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use qinxue_core::api::FieldError;
use qinxue_core::group::{
    AttendanceCorrection, AttendanceRow, GroupSessionView, GroupStatus, MAX_REASON_CHARS,
};
use qinxue_core::{ErrorCode, Role};
use wasm_bindgen::JsCast;

/// The page at `/admin/group-sessions/:id`.
#[component]
pub fn GroupSessionPage() -> impl IntoView {
    set_page_title(TITLE);
    let id = session_id();
    let data = RwSignal::new(None::<Result<GroupSessionView, String>>);
    Effect::new(move || {
        let id = id.get();
        spawn_local(async move {
            data.set(Some(group_api::get(id).await.map_err(|e| e.message())));
        });
    });
    view! {
        <p class="breadcrumb"><A href=format!("{BASE}/group-sessions")>{TITLE}</A>" › 详情和考勤"</p>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="form-alert" role="alert">{message}</p> }.into_any(),
            Some(Ok(v)) => view! { <Detail v data /> }.into_any(),
        }}
    }
}

#[component]
fn Detail(
    v: GroupSessionView,
    data: RwSignal<Option<Result<GroupSessionView, String>>>,
) -> impl IntoView {
    set_page_title(&v.title);
    let session = use_session();
    let role = match session.state() {
        SessionState::SignedIn(me) => Some(me.role),
        _ => None,
    };
    let runnable = matches!(v.status, GroupStatus::Scheduled | GroupStatus::Open);
    let console = (role == Some(Role::Proctor) && runnable).then(|| {
        view! {
            <A href=session_url(v.id, "/console") attr:class="button button-primary" attr:data-testid="open-console">
                "打开监考控制台"
            </A>
        }
    });
    let edit = (role == Some(Role::OfficeAdmin) && v.status == GroupStatus::Scheduled)
        .then(|| view! { <A href=session_url(v.id, "/edit") attr:class="button">"修改或取消"</A> });
    let audience = if v.open_to_region {
        "本地区已缴费学员均可参加".to_owned()
    } else {
        format!("指定 {} 名学员", v.trainee_ids.len())
    };
    let attendance = match v.attendance.clone() {
        Some(rows) => {
            let correct = (role == Some(Role::OfficeAdmin))
                .then(|| view! { <Correction id=v.id rows=rows.clone() data /> });
            view! {
                <AttendanceTable title=v.title.clone() rows />
                {correct}
            }
            .into_any()
        }
        None => view! {
            <p class="card" data-testid="no-attendance">"本场结束后在这里显示考勤（每人计入的学时时间）。"</p>
        }
        .into_any(),
    };
    view! {
        <h1>{v.title.clone()} " " {status_badge(v.status)}</h1>
        <section class="card">
            <dl class="facts">
                <div><dt>"时间"</dt><dd>{span(v.starts_at, v.ends_at)}</dd></div>
                <div><dt>"地点"</dt><dd>{format!("{}（{}）", v.room, v.region_name)}</dd></div>
                <div><dt>"课程"</dt><dd>{v.course_title.clone()}</dd></div>
                <div><dt>"形式"</dt><dd>{v.format.label()}</dd></div>
                <div><dt>"监考员"</dt><dd>{format!("{}（{}）", v.proctor_name, v.proctor_login)}</dd></div>
                <div><dt>"座位"</dt><dd>{format!("{} 个 · {audience}", v.capacity)}</dd></div>
                <div><dt>"房间号"</dt><dd data-testid="room-code">{v.code.clone()}</dd></div>
            </dl>
            <p class="actions">{console}{edit}</p>
        </section>
        {attendance}
    }
}

const HEADS: [&str; 9] = [
    "姓名",
    "身份证号",
    "计入合计",
    "座位学习",
    "集中听课",
    "更正",
    "到场时间",
    "点名应答",
    "点名未应答",
];

fn seen(row: &AttendanceRow) -> String {
    match (row.first_seen_at, row.last_seen_at) {
        (Some(a), Some(b)) => format!("{}–{}", clock_hm(a), clock_hm(b)),
        _ => "—".to_owned(),
    }
}

/// One CSV field, quoted when it has to be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The attendance as CSV, with a byte-order mark so that Excel reads the Chinese as UTF-8;
/// times in seconds as well as in words, so that a spreadsheet can add them up.
pub fn attendance_csv(rows: &[AttendanceRow]) -> String {
    let mut out = String::from("\u{feff}姓名,身份证号,计入秒数,座位学习秒数,集中听课秒数,更正秒数,首次到场,最后离开,点名应答,点名未应答\r\n");
    for r in rows {
        let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(qinxue_core::time::format_local_datetime)
                .unwrap_or_default()
        };
        let fields = [
            r.name.clone(),
            r.id_number.clone(),
            r.credited_secs.to_string(),
            r.by_source.seat.to_string(),
            r.by_source.lecture.to_string(),
            r.by_source.correction.to_string(),
            at(r.first_seen_at),
            at(r.last_seen_at),
            r.roll_calls_answered.to_string(),
            r.roll_calls_missed.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Hands `text` to the browser as a file download named `name`.
fn download(name: &str, text: &str) {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = web_sys::js_sys::Array::of1(&text.into());
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document().create_element("a") {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The attendance of a closed session, with its CSV export.
#[component]
pub fn AttendanceTable(title: String, rows: Vec<AttendanceRow>) -> impl IntoView {
    let csv = attendance_csv(&rows);
    let name = format!("{title}-考勤.csv");
    let body = rows
        .iter()
        .map(|r| {
            view! {
                <tr data-testid="attendance-row" data-trainee=r.trainee_id data-secs=r.credited_secs>
                    <th scope="row">{r.name.clone()}</th>
                    <td>{r.id_number.clone()}</td>
                    <td><strong>{duration(r.credited_secs)}</strong></td>
                    <td>{duration(r.by_source.seat)}</td>
                    <td>{duration(r.by_source.lecture)}</td>
                    <td>{if r.by_source.correction == 0 { "—".to_owned() } else { format!("{:+} 秒", r.by_source.correction) }}</td>
                    <td>{seen(r)}</td>
                    <td>{r.roll_calls_answered}</td>
                    <td>{r.roll_calls_missed}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = rows.is_empty().then(|| view! { <p>"本场没有人签到。"</p> });
    view! {
        <section class="card" aria-labelledby="attendance-title">
            <h2 id="attendance-title">"考勤"</h2>
            {empty}
            <div class="table-wrap">
                <table class="staff" data-testid="attendance">
                    <thead><tr>{HEADS.map(|h| view! { <th scope="col">{h}</th> })}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <p class="actions">
                <button type="button" class="button" data-testid="attendance-csv" on:click=move |_| download(&name, &csv)>
                    "导出考勤（CSV）"
                </button>
            </p>
        </section>
    }
}

/// The office admin sets a person's credited time in the closed session, with a reason.
#[component]
fn Correction(
    id: i64,
    rows: Vec<AttendanceRow>,
    data: RwSignal<Option<Result<GroupSessionView, String>>>,
) -> impl IntoView {
    let person = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let options: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.trainee_id.to_string(),
                format!("{}（现计 {}）", r.name, duration(r.credited_secs)),
            )
        })
        .collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let mut found = Vec::new();
        let trainee_id = person.get_untracked().parse::<i64>().ok();
        if trainee_id.is_none() {
            found.push(FieldError::new(
                "trainee_id",
                ErrorCode::InvalidBody,
                "请选择人员",
            ));
        }
        let secs = minutes
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .map(|m| i64::from(m) * 60);
        if secs.is_none() {
            found.push(FieldError::new(
                "credited_secs",
                ErrorCode::OutOfRange,
                "请填写更正后的分钟数（整数）",
            ));
        }
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            found.push(FieldError::new(
                "reason",
                ErrorCode::InvalidBody,
                "请写明更正的原因",
            ));
        } else if why.chars().count() > MAX_REASON_CHARS {
            found.push(FieldError::new(
                "reason",
                ErrorCode::InvalidBody,
                format!("原因不能超过 {MAX_REASON_CHARS} 个字"),
            ));
        }
        let (Some(trainee_id), Some(credited_secs), true) = (trainee_id, secs, found.is_empty())
        else {
            errors.set(found);
            return;
        };
        errors.set(Vec::new());
        let c = AttendanceCorrection {
            trainee_id,
            credited_secs,
            reason: why,
        };
        spawn_local(async move {
            match group_api::correct(id, &c).await {
                Ok(v) => data.set(Some(Ok(v))),
                Err(e) => {
                    let (fields, message) = refusal(&e);
                    errors.set(fields);
                    outcome.set(Some(Err(message)));
                }
            }
        });
    };
    view! {
        <form class="card form-card" on:submit=submit novalidate aria-labelledby="correct-title">
            <h2 id="correct-title">"更正考勤"</h2>
            <p class="field-hint">"只在结束后由工考办更正，须写明原因；每次更正都记入操作日志。"</p>
            <SelectField name="trainee_id" label="人员" value=person options=options placeholder="请选择" error=error_for(errors, "trainee_id") />
            <NumberField name="credited_secs" label="更正后本场计入（分钟）" value=minutes error=error_for(errors, "credited_secs") />
            <TextArea name="reason" label="原因" value=reason error=error_for(errors, "reason") rows=3 />
            <Outcome outcome />
            <p class="form-footer"><button type="submit" class="button button-primary">"保存更正"</button></p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qinxue_core::group::AttendanceSources;

    #[test]
    fn the_csv_has_a_bom_a_header_and_quotes_only_what_needs_it() {
        let row = AttendanceRow {
            trainee_id: 7,
            name: "王,建国".into(),
            id_number: "350502********1235".into(),
            credited_secs: 630,
            by_source: AttendanceSources {
                seat: 600,
                lecture: 0,
                correction: 30,
            },
            first_seen_at: None,
            last_seen_at: None,
            roll_calls_answered: 1,
            roll_calls_missed: 0,
        };
        let csv = attendance_csv(&[row]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("\u{feff}姓名,身份证号,计入秒数"));
        assert_eq!(
            lines[1],
            "\"王,建国\",350502********1235,630,600,0,30,,,1,0"
        );
        assert_eq!(lines[2], "");
    }
}
