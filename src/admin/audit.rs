//! 操作日志 at `/admin/audit`: every administrator's action the reader may see (the province:
//! all; an office: the people of its region), filtered by who, what and when, newest first,
//! with what each change changed; the same selection downloads as CSV.

use crate::admin::office_api::{self, query};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use qinxue_core::office::AuditEntry;
use qinxue_core::time::format_local_datetime;

/// Navigation label and page title.
pub const TITLE: &str = "操作日志";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "查看管理员的每一次操作：谁、何时、做了什么、改动前后。";
const HEADS: [&str; 5] = ["时间", "操作人", "操作", "对象", "改动"];
const EMPTY: &str = "没有符合条件的记录。";
const MORE: &str = "加载更早的记录";

/// The page at `/admin/audit`.
#[component]
pub fn AuditPage() -> impl IntoView {
    set_page_title(TITLE);
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let filters = move || {
        vec![
            ("actor", actor.get_untracked()),
            ("action", action.get_untracked()),
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
        ]
    };
    let load = Action::new_local(move |before: &Option<i64>| {
        let mut pairs = filters();
        if let Some(b) = before {
            pairs.push(("before", b.to_string()));
        }
        let append = before.is_some();
        async move {
            match office_api::audit(&query(&pairs)).await {
                Ok(page) => {
                    error.set(None);
                    next.set(page.next_before);
                    if append {
                        entries.update(|e| e.extend(page.entries));
                    } else {
                        entries.set(page.entries);
                    }
                }
                Err(e) => error.set(Some(e.message())),
            }
        }
    });
    load.dispatch_local(None);
    let export = move || {
        format!(
            "/api/admin/audit.csv{}",
            query(&filters_tracked(actor, action, from, to))
        )
    };
    let text_field =
        |name: &'static str, label: &'static str, kind: &'static str, value: RwSignal<String>| {
            view! {
                <div class="field">
                    <label for=name>{label}</label>
                    <input id=name name=name type=kind bind:value=value />
                </div>
            }
        };
    view! {
        <h1>{TITLE}</h1>
        <form
            class="card filters"
            on:submit=move |ev| {
                ev.prevent_default();
                load.dispatch_local(None);
            }
        >
            {text_field("actor", "操作人（账号、身份证号或姓名）", "text", actor)}
            {text_field("action", "操作（如 policy_year、course.publish）", "text", action)}
            {text_field("from", "从", "date", from)}
            {text_field("to", "到", "date", to)}
            <p class="actions">
                <button type="submit" class="button button-primary">"查询"</button>
                <a class="button" href=export download="audit.csv" data-testid="audit-csv">"导出 CSV"</a>
            </p>
        </form>
        <p class="form-alert" role="alert">{move || error.get()}</p>
        <div class="table-wrap">
            <table class="staff" data-testid="audit">
                <thead>
                    <tr>{HEADS.map(|h| view! { <th scope="col">{h}</th> })}</tr>
                </thead>
                <tbody>
                    <For each=move || entries.get() key=|e| e.id let:e>
                        <tr data-testid="audit-entry">
                            <td>{format_local_datetime(e.at)}</td>
                            <td>
                                {e.actor
                                    .as_ref()
                                    .map(|a| format!("{}（{}）", a.name, a.username.clone().unwrap_or_else(|| a.role.label().to_owned())))
                                    .unwrap_or_else(|| "系统".to_owned())}
                            </td>
                            <td>{e.action.clone()}</td>
                            <td>{e.target.clone()} " " {e.detail.clone()}</td>
                            <td>
                                <ul class="changes">
                                    {e.changes
                                        .iter()
                                        .map(|c| {
                                            let text = format!(
                                                "{}：{} → {}",
                                                c.field,
                                                c.before.as_deref().unwrap_or("（无）"),
                                                c.after.as_deref().unwrap_or("（无）"),
                                            );
                                            view! { <li>{text}</li> }
                                        })
                                        .collect_view()}
                                </ul>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
        <p class="notice" hidden=move || load.pending().get() || entries.with(|e| !e.is_empty())>{EMPTY}</p>
        <p class="actions" hidden=move || next.get().is_none()>
            <button type="button" class="button" on:click=move |_| {
                load.dispatch_local(next.get_untracked());
            }>{MORE}</button>
        </p>
    }
}

fn filters_tracked(
    actor: RwSignal<String>,
    action: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
) -> Vec<(&'static str, String)> {
    vec![
        ("actor", actor.get()),
        ("action", action.get()),
        ("from", from.get()),
        ("to", to.get()),
    ]
}
