//! 培训统计 at `/admin/reports`: an office's (or the province's) year in its region, with a bar
//! chart of completion by sub-region drawn as inline SVG, drill-down into a sub-region and back
//! up, the units and grades, and the non-completers as CSV. Every number comes from the server.

use crate::admin::office_api::{self, query};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::office::{ReportRow, ReportSummary};

/// Navigation label and page title.
pub const TITLE: &str = "培训统计";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "按地区、单位和等级查看报名、缴费和完成情况，下载未完成人员名单。";
const HEADS: [&str; 6] = ["名称", "人数", "已报名", "已缴费", "已完成", "完成率"];

fn rate(r: &ReportRow) -> String {
    if r.trainees == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", r.completed as f64 * 100.0 / r.trainees as f64)
    }
}

/// The page at `/admin/reports`.
#[component]
pub fn ReportsPage() -> impl IntoView {
    set_page_title(TITLE);
    let region = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || office_api::report_summary(region.get()));
    view! {
        <h1>{TITLE}</h1>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
            Some(Ok(s)) => view! { <Report s region /> }.into_any(),
        }}
    }
}

#[component]
fn Report(s: ReportSummary, region: RwSignal<Option<String>>) -> impl IntoView {
    let export = format!(
        "/api/reports/non-completers.csv{}",
        query(&[("region", s.region.clone()), ("year", s.year.to_string())])
    );
    let parent = s.parent.clone().map(|p| {
        view! {
            <button type="button" class="button" on:click=move |_| region.set(Some(p.clone()))>
                "返回上一级"
            </button>
        }
    });
    let region_rows = s
        .by_region
        .iter()
        .map(|r| {
            let code = r.key.clone();
            let own = code == s.region;
            let name = r.name.clone();
            let cell = if own {
                view! { <span>{name}</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="link" data-testid="drill" on:click=move |_| region.set(Some(code.clone()))>
                        {name}
                    </button>
                }
                .into_any()
            };
            row_view(cell, r)
        })
        .collect_view();
    let unit_rows = s
        .by_unit
        .iter()
        .map(|r| row_view(view! { <span>{r.name.clone()}</span> }.into_any(), r))
        .collect_view();
    let grade_rows = s
        .by_grade
        .iter()
        .map(|r| row_view(view! { <span>{r.name.clone()}</span> }.into_any(), r))
        .collect_view();
    view! {
        <section class="card">
            <h2 data-testid="report-region">{format!("{} · {} 年度", s.region_name, s.year)}</h2>
            <dl class="facts">
                <div><dt>"人数"</dt><dd data-testid="total-trainees">{s.trainees}</dd></div>
                <div><dt>"已报名"</dt><dd>{s.registered}</dd></div>
                <div><dt>"已缴费"</dt><dd>{s.paid}</dd></div>
                <div><dt>"已完成"</dt><dd data-testid="total-completed">{s.completed}</dd></div>
            </dl>
            <p class="actions">
                {parent}
                <a class="button" href=export download="non-completers.csv" data-testid="non-completers">
                    "下载未完成人员名单（CSV）"
                </a>
            </p>
        </section>
        <h2>"各地区完成率"</h2>
        {chart(&s.by_region)}
        {table("按地区", region_rows)}
        {table("按单位", unit_rows)}
        {table("按等级", grade_rows)}
    }
}

fn row_view(name: AnyView, r: &ReportRow) -> impl IntoView {
    view! {
        <tr>
            <td>{name}</td>
            <td>{r.trainees}</td>
            <td>{r.registered}</td>
            <td>{r.paid}</td>
            <td>{r.completed}</td>
            <td>{rate(r)}</td>
        </tr>
    }
}

fn table(caption: &'static str, rows: impl IntoView) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="staff">
                <caption>{caption}</caption>
                <thead>
                    <tr>{HEADS.map(|h| view! { <th scope="col">{h}</th> })}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Horizontal bars: each region's paid and completed share of its trainees, labelled, so that
/// the chart says the same as the table beside it without colour alone.
fn chart(rows: &[ReportRow]) -> impl IntoView {
    const BAR: f64 = 320.0;
    const LINE: usize = 34;
    let height = (rows.len().max(1) * LINE + 10) as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = (i * LINE + 6) as f64;
            let share = |n: u64| {
                if r.trainees == 0 {
                    0.0
                } else {
                    n as f64 / r.trainees as f64
                }
            };
            let paid = BAR * share(r.paid);
            let done = BAR * share(r.completed);
            view! {
                <g>
                    <text x="0" y=y + 16.0 font-size="14">{r.name.clone()}</text>
                    <rect x="150" y=y width=BAR height="20" fill="#e8eef5" />
                    <rect x="150" y=y width=paid height="20" fill="#9bb8d8" />
                    <rect x="150" y=y width=done height="20" fill="#1f5fa6" />
                    <text x=150.0 + BAR + 8.0 y=y + 16.0 font-size="14">{rate(r)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart"
            role="img"
            aria-label="各地区已缴费（浅色）与已完成（深色）占人数的比例"
            viewBox=format!("0 0 540 {height}")
            width="100%"
        >
            {bars}
        </svg>
    }
}
