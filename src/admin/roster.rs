//! 人员名单 at `/admin/unit/roster`: a unit admin checks a roster file (CSV from Excel or WPS,
//! any of its encodings), sees every bad row with its reason, then imports all rows at once;
//! and downloads the unit's roster in the same columns.

use crate::admin::courses_api::{picked_file, PickedFile};
use crate::admin::office_api;
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::office::RosterReport;

/// Navigation label and page title.
pub const TITLE: &str = "人员名单";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "导入本单位人员名单（CSV），先检查每一行，再一次导入；也可下载现有名单。";
const INTRO: &str = "表头：身份证号、姓名、手机、用工类型、工种、等级。Excel 或 WPS“另存为 CSV”的文件均可（UTF-8 或 GBK）。导入不会删除任何人，同一文件导入两次不会重复。";

/// The page at `/admin/unit/roster`.
#[component]
pub fn RosterPage() -> impl IntoView {
    set_page_title(TITLE);
    let file = RwSignal::new(None::<PickedFile>);
    let report = RwSignal::new(None::<RosterReport>);
    let error = RwSignal::new(None::<String>);
    let run = Action::new_local(move |dry_run: &bool| {
        let dry_run = *dry_run;
        async move {
            let Some(f) = file.get_untracked() else {
                return;
            };
            match office_api::import_roster(&f, dry_run).await {
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
    view! {
        <h1>{TITLE}</h1>
        <p>{INTRO}</p>
        <p class="actions">
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
                    accept=".csv,text/csv"
                    on:change=move |ev| {
                        report.set(None);
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
            <progress hidden=move || !busy() aria-label="正在处理文件"></progress>
            <p class="form-alert" role="alert">{move || error.get()}</p>
            <div role="status" data-testid="roster-report">{move || report.get().map(summary)}</div>
        </section>
    }
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
        <p>{head}</p>
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
