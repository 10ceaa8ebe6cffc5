//! 人员名单 at `/admin/unit/roster`: a unit admin checks a roster file (XLSX, or CSV from Excel
//! or WPS in any of its encodings), sees every bad row with its reason, then imports all rows
//! at once, and prints (or saves) the sheet of the new accounts' one-time passwords, shown
//! this once; and downloads the unit's roster in the same columns, as XLSX or CSV.

use crate::admin::courses_api::{picked_file, PickedFile};
use crate::admin::office_api;
use crate::api::ApiError;
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::api::ErrorBody;
use qinxue_core::office::{InitialPassword, RosterReport};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Function, Promise, Reflect};

/// Navigation label and page title.
pub const TITLE: &str = "人员名单";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str =
    "导入本单位人员名单（Excel 或 CSV），先检查每一行，再一次导入并打印初始密码单；也可下载现有名单。";
const INTRO: &str = "表头：身份证号、姓名、手机、用工类型、工种、等级。Excel 工作簿（.xlsx）或“另存为 CSV”的文件均可（UTF-8 或 GBK）。导入不会删除任何人，同一文件导入两次不会重复。";
const SHEET_NOTE: &str = "请把各人的一次性密码交给本人（只显示这一次，离开本页后无法再查看）。本人用身份证号或手机号和一次性密码登录后，须先设置自己的新密码。忘记密码时，可在“学习情况”中为其重置。";

/// The page at `/admin/unit/roster`.
#[component]
pub fn RosterPage() -> impl IntoView {
    set_page_title(TITLE);
    let file = RwSignal::new(None::<PickedFile>);
    let report = RwSignal::new(None::<RosterReport>);
    let error = RwSignal::new(None::<String>);
    // The share of the file sent so far (0–1), while an upload runs; then the server checks.
    let sent = RwSignal::new(None::<f64>);
    let run = Action::new_local(move |dry_run: &bool| {
        let dry_run = *dry_run;
        async move {
            let Some(f) = file.get_untracked() else {
                return;
            };
            sent.set(Some(0.0));
            let answer = upload(&f, dry_run, move |share| sent.set(Some(share))).await;
            sent.set(None);
            match answer {
                Ok(r) => {
                    error.set(None);
                    report.set(Some(r));
                }
                Err(e) => {
                    report.set(None);
                    error.set(Some(e.message()));
                }
            }
        }
    });
    let busy = move || run.pending().get();
    let can_commit = move || {
        report.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.dry_run && r.errors.is_empty() && r.rows > 0)
        })
    };
    let progress_text = move || match sent.get() {
        Some(s) if s < 1.0 => format!("正在上传文件：{:.0}%", s * 100.0),
        Some(_) => "文件已上传，正在逐行检查…".to_owned(),
        None => String::new(),
    };
    view! {
        <h1>{TITLE}</h1>
        <p>{INTRO}</p>
        <p class="actions">
            <a class="button" href="/api/unit/roster.xlsx" download="roster.xlsx" data-testid="roster-xlsx">
                "下载本单位名单（Excel）"
            </a>
            <a class="button" href="/api/unit/roster.csv" download="roster.csv" data-testid="roster-csv">
                "下载本单位名单（CSV）"
            </a>
        </p>
        <section class="card">
            <div class="field">
                <label for="roster-file">"选择名单文件"</label>
                <input
                    id="roster-file"
                    type="file"
                    accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    on:change=move |ev| {
                        report.set(None);
                        error.set(None);
                        file.set(picked_file(&event_target::<web_sys::HtmlInputElement>(&ev)));
                    }
                />
            </div>
            <p class="actions">
                <button
                    type="button"
                    class="button"
                    data-testid="roster-check"
                    disabled=move || busy() || file.with(Option::is_none)
                    on:click=move |_| {
                        run.dispatch_local(true);
                    }
                >
                    "检查文件"
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="roster-commit"
                    disabled=move || busy() || !can_commit()
                    on:click=move |_| {
                        run.dispatch_local(false);
                    }
                >
                    "确认导入"
                </button>
            </p>
            <div hidden=move || !busy()>
                // Determinate while the file is sent; the server's check has no steps to show.
                <progress
                    class="roster-progress"
                    max="1"
                    data-testid="roster-progress"
                    aria-label="处理进度"
                    prop:value=move || sent.get().filter(|s| *s < 1.0).unwrap_or(1.0)
                ></progress>
                <p role="status">{progress_text}</p>
            </div>
            <p class="form-alert" role="alert">{move || error.get()}</p>
            <div role="status" data-testid="roster-report">{move || report.get().map(summary)}</div>
        </section>
        {move || {
            report
                .get()
                .filter(|r| !r.dry_run && !r.passwords.is_empty())
                .map(|r| {
                    let sheet = PasswordSheet {
                        title: "初始密码单",
                        note: SHEET_NOTE,
                        print_label: "打印密码单",
                        download: Some("initial-passwords.txt"),
                        test_id: "password-sheet",
                        row_test_id: "password-row",
                    };
                    password_sheet(sheet, r.passwords.into_iter().map(Into::into).collect())
                })
        }}
    }
}

/// Sends the file as the request body (the server tells CSV from XLSX by its bytes), telling
/// `progress` the share sent. An `XMLHttpRequest`, since `fetch` reports no upload progress;
/// reached through JavaScript's own objects, so the bundle needs no more `web-sys` bindings.
async fn upload(
    file: &PickedFile,
    dry_run: bool,
    progress: impl Fn(f64) + 'static,
) -> Result<RosterReport, ApiError> {
    let path = if dry_run {
        "/api/unit/roster/import?dry_run=true"
    } else {
        "/api/unit/roster/import"
    };
    let failed = |cause: JsValue| {
        leptos::logging::warn!("qinxue roster upload: {cause:?}");
        ApiError::Network
    };
    let global = web_sys::js_sys::global();
    let class: Function = Reflect::get(&global, &"XMLHttpRequest".into())
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    let xhr = Reflect::construct(&class, &web_sys::js_sys::Array::new()).map_err(failed)?;
    let call = |name: &str, args: &[JsValue]| -> Result<JsValue, JsValue> {
        let f: Function = Reflect::get(&xhr, &name.into())?.dyn_into()?;
        f.apply(&xhr, &args.iter().collect())
    };
    call("open", &["POST".into(), path.into()]).map_err(failed)?;
    call(
        "setRequestHeader",
        &["Content-Type".into(), "application/octet-stream".into()],
    )
    .map_err(failed)?;
    let on_progress = Closure::<dyn Fn(JsValue)>::new(move |ev: JsValue| {
        let number = |key: &str| {
            Reflect::get(&ev, &key.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        let total = number("total");
        if total > 0.0 {
            progress((number("loaded") / total).min(1.0));
        }
    });
    let upload_target = Reflect::get(&xhr, &"upload".into()).map_err(failed)?;
    Reflect::set(
        &upload_target,
        &"onprogress".into(),
        on_progress.as_ref().unchecked_ref(),
    )
    .map_err(failed)?;
    let done = Promise::new(&mut |resolve, reject| {
        let _ = Reflect::set(&xhr, &"onload".into(), &resolve);
        let _ = Reflect::set(&xhr, &"onerror".into(), &reject);
        let _ = Reflect::set(&xhr, &"onabort".into(), &reject);
    });
    call("send", std::slice::from_ref(&file.file)).map_err(failed)?;
    JsFuture::from(done).await.map_err(failed)?;
    // The closure stays alive until the upload has ended.
    drop(on_progress);
    let status = Reflect::get(&xhr, &"status".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u16;
    let text = Reflect::get(&xhr, &"responseText".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if (200..300).contains(&status) {
        return crate::api::read_serde(&text);
    }
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError::Refused(body.error),
        Err(_) => ApiError::Status(status),
    })
}

fn summary(r: RosterReport) -> impl IntoView {
    let head = if r.dry_run {
        format!(
            "共 {} 行，{} 行无误，{} 行有错误；导入后将新增 {} 人、更新 {} 人，{} 人不变。",
            r.rows,
            r.valid,
            r.rows - r.valid,
            r.created,
            r.updated,
            r.unchanged
        )
    } else {
        format!(
            "已导入：新增 {} 人，更新 {} 人，{} 人不变。",
            r.created, r.updated, r.unchanged
        )
    };
    let rows = r
        .errors
        .into_iter()
        .map(|e| {
            view! {
                <tr data-testid="roster-error">
                    <td>{e.row}</td>
                    <td>{e.message}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p data-testid="roster-summary">{head}</p>
        <div class="table-wrap">
            <table class="staff">
                <thead>
                    <tr>
                        <th scope="col">"行"</th>
                        <th scope="col">"问题"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One person's line on a sheet of one-time passwords.
pub struct OneTimeLine {
    pub name: String,
    pub id_number: String,
    pub password: String,
}

impl From<InitialPassword> for OneTimeLine {
    fn from(p: InitialPassword) -> Self {
        Self {
            name: p.name,
            id_number: p.id_number,
            password: p.password,
        }
    }
}

/// The sheet as plain text, one person a line, for saving beside the printout.
fn sheet_text(people: &[OneTimeLine]) -> String {
    let mut out = String::from("姓名\t身份证号\t一次性密码\r\n");
    for p in people {
        out.push_str(&format!("{}\t{}\t{}\r\n", p.name, p.id_number, p.password));
    }
    out
}

/// A sheet of one-time passwords, made here from the answer since the server keeps only their
/// hashes: printed on A4 (only the sheet prints) and, where `download` names a file, saved as
/// text. The roster's new accounts and the staff page's resets both hand theirs out on it.
pub struct PasswordSheet {
    pub title: &'static str,
    pub note: &'static str,
    pub print_label: &'static str,
    pub download: Option<&'static str>,
    pub test_id: &'static str,
    pub row_test_id: &'static str,
}

pub fn password_sheet(sheet: PasswordSheet, people: Vec<OneTimeLine>) -> impl IntoView {
    let download = sheet.download.map(|file| {
        let href = format!(
            "data:text/plain;charset=utf-8,{}",
            office_api::encode(&sheet_text(&people))
        );
        view! {
            <a class="button" href=href download=file data-testid="password-download">
                "保存为文件"
            </a>
        }
    });
    let rows = people
        .into_iter()
        .map(|p| {
            view! {
                <tr data-testid=sheet.row_test_id>
                    <td>{p.name}</td>
                    <td>{p.id_number}</td>
                    <td class="one-time">{p.password}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card password-sheet" data-testid=sheet.test_id aria-labelledby="sheet-title">
            <h2 id="sheet-title">{sheet.title}</h2>
            <p>{sheet.note}</p>
            <p class="actions no-print">
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| {
                        let _ = window().print();
                    }
                >
                    {sheet.print_label}
                </button>
                {download}
            </p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"姓名"</th>
                        <th scope="col">"身份证号"</th>
                        <th scope="col">"一次性密码"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
