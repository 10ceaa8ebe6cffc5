//! 年度政策 at `/admin/policy-years`: the provincial admin sets each year's required 学时 and
//! fees, deadlines and study rules, and opens the next year from the last one. The server
//! checks every number again (`PolicyYear::problems`, the same rules) and logs each change.

use crate::admin::form::{error_for, NumberField};
use crate::admin::office_api;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use chrono::NaiveDate;
use leptos::prelude::*;
use qinxue_core::api::FieldError;
use qinxue_core::money::{format_yuan, parse_yuan};
use qinxue_core::office::PolicyYearView;
use qinxue_core::{ErrorCode, PolicyYear};

/// Navigation label and page title.
pub const TITLE: &str = "年度政策";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "设置每年的学时要求、收费标准、截止日期和学时计算规则。";
const INTRO: &str = "修改只影响今后：已获得的学时按秒记录，不会被改写；已创建的订单保持原金额。学习截止后，该年度的设置不能再修改。";
const NEXT: &str = "新建下一年度";
const SAVE: &str = "保存修改";
const SAVED: &str = "已保存。";
const CLOSED: &str = "该年度学习已截止，设置仅供查看；仍可决定是否允许补缴。";

/// One number of the form: the API field, its label and hint.
const NUMBERS: [(&str, &str, &str); 9] = [
    (
        "graded_hours",
        "定级人员年度学时",
        "初级工至高级技师，单位：学时",
    ),
    ("ungraded_hours", "未定级人员年度学时", "单位：学时"),
    ("graded_fee_fen", "定级人员费用（元）", "如 126"),
    ("ungraded_fee_fen", "未定级人员费用（元）", "如 72"),
    ("minutes_per_hour", "每学时分钟数", "学习多少分钟计 1 学时"),
    (
        "daily_cap_minutes",
        "每日学习上限（分钟）",
        "一人一天最多计入的学习时间",
    ),
    ("check_min_minutes", "防挂机验证最短间隔（分钟）", ""),
    ("check_max_minutes", "防挂机验证最长间隔（分钟）", ""),
    (
        "supplementary_cap_hours",
        "补充活动学时上限",
        "专题讲座、技能交流每年最多计入的学时",
    ),
];

fn number_of(y: &PolicyYear, field: &str) -> String {
    match field {
        "graded_hours" => y.graded_hours.to_string(),
        "ungraded_hours" => y.ungraded_hours.to_string(),
        "graded_fee_fen" => format_yuan(y.graded_fee_fen),
        "ungraded_fee_fen" => format_yuan(y.ungraded_fee_fen),
        "minutes_per_hour" => y.minutes_per_hour.to_string(),
        "daily_cap_minutes" => y.daily_cap_minutes.to_string(),
        "check_min_minutes" => y.check_min_minutes.to_string(),
        "check_max_minutes" => y.check_max_minutes.to_string(),
        _ => y.supplementary_cap_hours.to_string(),
    }
}

/// The page at `/admin/policy-years`.
#[component]
pub fn PolicyYearsPage() -> impl IntoView {
    set_page_title(TITLE);
    let years = LocalResource::new(office_api::policy_years);
    let chosen = RwSignal::new(None::<i32>);
    let create = Action::new_local(|_: &()| office_api::create_next_year());
    Effect::new(move |_| {
        if let Some(Ok(made)) = create.value().get() {
            chosen.set(Some(made.policy.year));
            years.refetch();
        }
    });
    let create_error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message())
    };
    view! {
        <h1>{TITLE}</h1>
        <p>{INTRO}</p>
        {move || match years.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => {
                let retry = Callback::new(move |_| years.refetch());
                view! { <ErrorNotice message=e.message() on_retry=retry /> }.into_any()
            }
            Some(Ok(list)) => {
                let current = chosen.get();
                let shown = current
                    .and_then(|y| list.iter().find(|v| v.policy.year == y).cloned())
                    .or_else(|| list.iter().rev().find(|v| v.editable).cloned())
                    .or_else(|| list.first().cloned());
                let tabs = list
                    .iter()
                    .map(|v| {
                        let year = v.policy.year;
                        let active = shown.as_ref().is_some_and(|s| s.policy.year == year);
                        view! {
                            <button
                                type="button"
                                class="button"
                                class:button-primary=active
                                aria-pressed=active.to_string()
                                on:click=move |_| chosen.set(Some(year))
                            >
                                {format!("{year} 年度")}
                            </button>
                        }
                    })
                    .collect_view();
                view! {
                    <p class="actions" role="group" aria-label="选择年度">
                        {tabs}
                        <button
                            type="button"
                            class="button"
                            data-testid="next-year"
                            disabled=move || create.pending().get()
                            on:click=move |_| {
                                create.dispatch_local(());
                            }
                        >
                            {NEXT}
                        </button>
                    </p>
                    <p class="form-alert" role="alert">{create_error}</p>
                    {shown.map(|view| view! { <YearForm view /> })}
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn YearForm(view: PolicyYearView) -> impl IntoView {
    let original = view.policy.clone();
    let year = original.year;
    let editable = view.editable;
    let numbers: Vec<(&'static str, RwSignal<String>)> = NUMBERS
        .iter()
        .map(|(field, _, _)| (*field, RwSignal::new(number_of(&original, field))))
        .collect();
    let reminder_days = RwSignal::new(
        original
            .reminder_days
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(","),
    );
    let late_payment = RwSignal::new(original.late_payment);
    let base = StoredValue::new(original.clone());
    let registration = RwSignal::new(original.registration_deadline.to_string());
    let study = RwSignal::new(original.study_deadline.to_string());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saved = RwSignal::new(false);
    let numbers = StoredValue::new(numbers);
    let build = move || -> Result<PolicyYear, Vec<FieldError>> {
        let mut bad = Vec::new();
        // The year as loaded, so that a setting this form does not show is kept as it is.
        let mut y = base.get_value();
        match reminder_days
            .get_untracked()
            .split([',', '，', ' ', '、'])
            .filter(|d| !d.trim().is_empty())
            .map(|d| d.trim().parse::<u32>())
            .collect::<Result<Vec<u32>, _>>()
        {
            Ok(days) => y.reminder_days = days,
            Err(_) => bad.push(FieldError::new(
                "reminder_days",
                ErrorCode::OutOfRange,
                "请填写天数，用逗号分隔，如 7,1",
            )),
        }
        y.late_payment = late_payment.get_untracked();
        numbers.with_value(|ns| {
            for (field, value) in ns {
                let text = value.get_untracked();
                let ok = if field.ends_with("_fen") {
                    parse_yuan(&text).map(|fen| {
                        if *field == "graded_fee_fen" {
                            y.graded_fee_fen = fen
                        } else {
                            y.ungraded_fee_fen = fen
                        }
                    })
                } else {
                    text.trim().parse::<u32>().ok().map(|n| match *field {
                        "graded_hours" => y.graded_hours = n,
                        "ungraded_hours" => y.ungraded_hours = n,
                        "minutes_per_hour" => y.minutes_per_hour = n,
                        "daily_cap_minutes" => y.daily_cap_minutes = n,
                        "check_min_minutes" => y.check_min_minutes = n,
                        "check_max_minutes" => y.check_max_minutes = n,
                        _ => y.supplementary_cap_hours = n,
                    })
                };
                if ok.is_none() {
                    bad.push(FieldError::new(field, ErrorCode::OutOfRange, "请填写数字"));
                }
            }
        });
        for (field, value, slot) in [
            ("registration_deadline", registration, 0),
            ("study_deadline", study, 1),
        ] {
            match NaiveDate::parse_from_str(value.get_untracked().trim(), "%Y-%m-%d") {
                Ok(d) if slot == 0 => y.registration_deadline = d,
                Ok(d) => y.study_deadline = d,
                Err(_) => bad.push(FieldError::new(field, ErrorCode::OutOfRange, "请选择日期")),
            }
        }
        if bad.is_empty() {
            bad = y
                .problems()
                .into_iter()
                .map(|(f, m)| FieldError::new(f, ErrorCode::OutOfRange, m))
                .collect();
        }
        if bad.is_empty() {
            Ok(y)
        } else {
            Err(bad)
        }
    };
    let save = Action::new_local(move |y: &PolicyYear| {
        let y = y.clone();
        async move { office_api::save_policy_year(&y).await }
    });
    let general = RwSignal::new(None::<String>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => saved.set(true),
        Some(Err(e)) => {
            errors.set(e.field_errors().to_vec());
            general.set(Some(e.message()));
        }
        None => {}
    });
    let fields = NUMBERS
        .iter()
        .map(|(field, label, hint)| {
            let value =
                numbers.with_value(|ns| ns.iter().find(|(f, _)| f == field).map(|(_, v)| *v));
            let value = value.unwrap_or_else(|| RwSignal::new(String::new()));
            let hint = (!hint.is_empty()).then_some(*hint);
            match hint {
                Some(hint) => view! {
                    <NumberField name=field label=label value error=error_for(errors, field) hint />
                }
                .into_any(),
                None => view! {
                    <NumberField name=field label=label value error=error_for(errors, field) />
                }
                .into_any(),
            }
        })
        .collect_view();
    let date = move |name: &'static str, label: &'static str, value: RwSignal<String>| {
        let error = error_for(errors, name);
        view! {
            <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                <label for=name>{label}</label>
                <input id=name name=name type="date" bind:value=value
                    aria-describedby=format!("err-{name}") />
                <p class="field-error" id=format!("err-{name}") aria-live="polite">
                    {move || error.get()}
                </p>
            </div>
        }
    };
    view! {
        <form
            class="card"
            data-testid="policy-form"
            on:submit=move |ev| {
                ev.prevent_default();
                saved.set(false);
                general.set(None);
                match build() {
                    Ok(y) => {
                        errors.set(Vec::new());
                        save.dispatch_local(y);
                    }
                    Err(bad) => errors.set(bad),
                }
            }
        >
            <h2>{format!("{year} 年度")}</h2>
            <p class="notice notice-warn" hidden=editable>{CLOSED}</p>
            <fieldset disabled=!editable>
                {fields}
                {date("registration_deadline", "报名缴费截止日期", registration)}
                {date("study_deadline", "学习截止日期", study)}
                {
                    let error = error_for(errors, "reminder_days");
                    view! {
                        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                            <label for="reminder_days">"提醒：截止日期前几天（天数，逗号分隔）"</label>
                            <input id="reminder_days" name="reminder_days" type="text" inputmode="numeric"
                                bind:value=reminder_days aria-describedby="err-reminder_days" />
                            <p class="field-error" id="err-reminder_days" aria-live="polite">
                                {move || error.get()}
                            </p>
                        </div>
                    }
                }
            </fieldset>
            <div class="field">
                <label>
                    <input type="checkbox" name="late_payment" bind:checked=late_payment />
                    " 允许未缴费人员在报名截止后补缴本年度费用（以便继续学习补足）"
                </label>
            </div>
            <p class="form-alert" role="alert">
                {move || {
                    general
                        .get()
                        .or_else(|| {
                            errors.with(|e| (!e.is_empty()).then(|| "请按提示修改后再保存。".to_owned()))
                        })
                }}
            </p>
            <p class="notice" role="status">{move || saved.get().then_some(SAVED)}</p>
            <p class="actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {SAVE}
                </button>
            </p>
        </form>
    }
}
