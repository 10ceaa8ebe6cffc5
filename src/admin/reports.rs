//! 培训统计 at `/admin/reports`: an office's (or the province's) year in its region, with the
//! completion rate by sub-region, by unit and by grade as inline SVG bar charts, drill-down
//! from the province to a city, a county and one unit (and back up), and the non-completers
//! as CSV. Every number comes from the server, which settles completion with the rule the
//! trainees' own pages use.

use crate::admin::office_api::{self, query};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::office::{ReportRow, ReportSummary};

/// Navigation label and page title.
pub const TITLE: &str = "培训统计";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "按地区、单位和等级查看报名、缴费和完成情况，下载未完成人员名单。";
const HEADS: [&str; 6] = ["名称", "人数", "已报名", "已缴费", "已完成", "完成率"];

fn share(r: &ReportRow) -> Option<f64> {
    (r.trainees > 0).then(|| r.completed as f64 / r.trainees as f64)
}

fn rate(r: &ReportRow) -> String {
    share(r).map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

/// Where the page is: a region (the reader's own when `None`), and maybe one unit of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct At {
    region: Option<String>,
    unit: Option<i64>,
}

/// The page at `/admin/reports`.
#[component]
pub fn ReportsPage() -> impl IntoView {
    set_page_title(TITLE);
    let at = RwSignal::new(At::default());
    let data = LocalResource::new(move || {
        let At { region, unit } = at.get();
        office_api::report_summary(region, unit)
    });
    view! {
        <h1>{TITLE}</h1>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="form-alert" role="alert">{e.message()}</p> }.into_any(),
            Some(Ok(s)) => view! { <Report s at /> }.into_any(),
        }}
    }
}

#[component]
fn Report(s: ReportSummary, at: RwSignal<At>) -> impl IntoView {
    let unit = s.unit.clone();
    let export = format!(
        "/api/reports/non-completers.csv{}",
        query(&[
            ("region", s.region.clone()),
            (
                "unit",
                unit.as_ref().map(|u| u.id.to_string()).unwrap_or_default()
            ),
            ("year", s.year.to_string()),
        ])
    );
    let region = s.region.clone();
    // Up from a unit is its region; up from a region, its parent inside the reader's subtree.
    let up = if unit.is_some() {
        Some(s.region.clone())
    } else {
        s.parent.clone()
    };
    let back = up.map(|p| {
        view! {
            <button type="button" class="button drill-back" data-testid="drill-up"
                on:click=move |_| at.set(At { region: Some(p.clone()), unit: None })>
                "返回上一级"
            </button>
        }
    });
    let title = match &unit {
        Some(u) => format!("{} · {} · {} 年度", s.region_name, u.name, s.year),
        None => format!("{} · {} 年度", s.region_name, s.year),
    };
    let at_unit = unit.is_some();
    let region_rows = s
        .by_region
        .iter()
        .map(|r| {
            let code = r.key.clone();
            let own = code == s.region || at_unit;
            let name = r.name.clone();
            let cell = if own {
                view! { <span>{name}</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="button drill" data-testid="drill"
                        on:click=move |_| at.set(At { region: Some(code.clone()), unit: None })>
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
        .map(|r| {
            let name = r.name.clone();
            let cell = match (at_unit, r.key.parse::<i64>()) {
                (false, Ok(id)) => {
                    let region = region.clone();
                    view! {
                        <button type="button" class="button drill" data-testid="drill-unit"
                            on:click=move |_| at.set(At { region: Some(region.clone()), unit: Some(id) })>
                            {name}
                        </button>
                    }
                    .into_any()
                }
                _ => view! { <span>{name}</span> }.into_any(),
            };
            row_view(cell, r)
        })
        .collect_view();
    let grade_rows = s
        .by_grade
        .iter()
        .map(|r| row_view(view! { <span>{r.name.clone()}</span> }.into_any(), r))
        .collect_view();
    let total = ReportRow {
        key: String::new(),
        name: String::new(),
        trainees: s.trainees,
        registered: s.registered,
        paid: s.paid,
        completed: s.completed,
    };
    view! {
        <section class="card">
            <h2 data-testid="report-region">{title}</h2>
            <dl class="facts">
                <div><dt>"人数"</dt><dd data-testid="total-trainees">{s.trainees}</dd></div>
                <div><dt>"已报名"</dt><dd>{s.registered}</dd></div>
                <div><dt>"已缴费"</dt><dd>{s.paid}</dd></div>
                <div><dt>"已完成"</dt><dd data-testid="total-completed">{s.completed}</dd></div>
                <div><dt>"完成率"</dt><dd data-testid="total-rate">{rate(&total)}</dd></div>
            </dl>
            <p class="actions">
                {back}
                <a class="button" href=export download="non-completers.csv" data-testid="non-completers">
                    "下载未完成人员名单（CSV）"
                </a>
            </p>
        </section>
        {(!at_unit).then(|| view! {
            <h2>"各地区完成率"</h2>
            {chart("各地区完成率", &s.by_region)}
        })}
        {table("按地区", region_rows)}
        <h2>"各单位完成率"</h2>
        {chart("各单位完成率", &s.by_unit)}
        {table("按单位", unit_rows)}
        <h2>"各等级完成率"</h2>
        {chart("各等级完成率", &s.by_grade)}
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

/// Horizontal bars of the completion rate, one a row, each labelled with its rate so that the
/// chart says what the table says without colour alone. The track is an outline, and a bar is
/// drawn only for a rate above zero: 0.0% shows no fill at all.
fn chart(label: &'static str, rows: &[ReportRow]) -> impl IntoView {
    const LEFT: f64 = 170.0;
    const BAR: f64 = 300.0;
    const LINE: usize = 30;
    let height = (rows.len().max(1) * LINE + 8) as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = (i * LINE + 4) as f64;
            let width = share(r).unwrap_or(0.0) * BAR;
            let name: String = r.name.chars().take(11).collect();
            view! {
                <g>
                    <text x="0" y=y + 16.0 font-size="14" fill="currentColor">{name}</text>
                    <rect x=LEFT y=y + 1.0 width=BAR height="20" fill="none" stroke="#8a9bb0" stroke-width="1" />
                    {(width > 0.0).then(|| view! {
                        <rect x=LEFT y=y + 1.0 width=width height="20" fill="#1f5fa6" data-testid="bar" />
                    })}
                    <text x=LEFT + BAR + 8.0 y=y + 16.0 font-size="14" fill="currentColor">{rate(r)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-label=format!("{label}：已完成人数占人数的比例")
            viewBox=format!("0 0 540 {height}") width="100%">
            {bars}
        </svg>
    }
}
