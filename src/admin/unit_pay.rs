//! 单位统一缴费 at `/admin/unit/pay`: a unit admin picks staff of their unit, sees the total, and
//! pays for all of them in one order at the payment platform's cashier. The cashier sends the
//! browser back to `/pay/return` (the address the server gives the platform), which links here.

use crate::api::{self, ApiError};
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use crate::pages::orders::yuan;
use leptos::prelude::*;
use qinxue_core::api::{CreateOrder, StaffMember, UnitStaff};
use qinxue_core::money::format_yuan;
use qinxue_core::time::format_local_datetime;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;

/// Navigation label and page title.
pub const TITLE: &str = "单位统一缴费";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "为本单位人员统一报名，一次缴清本年度培训费。";
const INTRO: &str = "勾选要由单位缴费的人员，提交后前往 E缴通 公共缴费平台一次付清；付款后订单中人员的报名同时生效。";
const CLOSED: &str = "本年度报名缴费已截止，不能再提交订单。";
const NO_STAFF: &str = "本单位还没有学员注册。";
const SELECT_UNPAID: &str = "全选未缴费人员";
const CLEAR: &str = "全部取消";
const PAID: &str = "已缴费";
const UNPAID: &str = "未缴费";
const PAY: &str = "提交订单并去支付";
const GOING: &str = "正在前往缴费平台…";
const HEADS: [&str; 7] = [
    "选择",
    "姓名",
    "身份证号",
    "手机号",
    "技能等级",
    "费用",
    "状态",
];

/// The page at `/admin/unit/pay`.
#[component]
pub fn UnitPayPage() -> impl IntoView {
    set_page_title(TITLE);
    let staff = LocalResource::new(api::unit_staff);
    view! {
        <h1>{TITLE}</h1>
        {move || match staff.get() {
            None => view! { <Loading /> }.into_any(),
            Some(Err(e)) => {
                let retry = Callback::new(move |_| staff.refetch());
                view! { <ErrorNotice message=e.message() on_retry=retry /> }.into_any()
            }
            Some(Ok(staff)) => view! { <StaffPicker staff /> }.into_any(),
        }}
    }
}

/// Who is still open for payment: not paid, and not already in an open order (putting them in
/// a second one risks paying twice, which the platform would refund later).
fn unpaid(member: &StaffMember) -> bool {
    !member.paid && member.open_order_id.is_none()
}

#[component]
fn StaffPicker(staff: UnitStaff) -> impl IntoView {
    let year = staff.year;
    let deadline = format!(
        "{year}年度 · 报名缴费截止 {}",
        format_local_datetime(staff.registration_deadline)
    );
    if !staff.registration_open {
        return view! {
            <p>{deadline}</p>
            <p class="notice notice-warn">{CLOSED}</p>
        }
        .into_any();
    }
    if staff.staff.is_empty() {
        return view! { <p class="notice">{NO_STAFF}</p> }.into_any();
    }
    let members = StoredValue::new(staff.staff);
    let chosen = RwSignal::new(BTreeSet::<i64>::new());
    let total = move || {
        chosen.with(|c| {
            members.with_value(|m| {
                m.iter()
                    .filter(|m| c.contains(&m.id))
                    .map(|m| m.fee_fen)
                    .sum::<i64>()
            })
        })
    };
    let select_unpaid = move |_| {
        let ids = members.with_value(|m| m.iter().filter(|m| unpaid(m)).map(|m| m.id).collect());
        chosen.set(ids);
    };
    let pay = Action::new_local(move |ids: &Vec<i64>| {
        let request = CreateOrder {
            year,
            trainee_ids: Some(ids.clone()),
        };
        async move {
            let created = api::create_order(&request).await?;
            let _ = window().location().assign(&created.pay_url);
            Ok::<(), ApiError>(())
        }
    });
    // Still busy after success: the browser is on its way to the cashier.
    let busy = move || pay.pending().get() || pay.value().with(|v| matches!(v, Some(Ok(()))));
    let error = move || pay.value().get().and_then(Result::err).map(|e| e.message());
    let rows = members.with_value(|m| m.iter().map(|m| staff_row(m, chosen)).collect_view());
    view! {
        <p>{deadline}</p>
        <p>{INTRO}</p>
        <p class="actions">
            <button type="button" class="button" on:click=select_unpaid>{SELECT_UNPAID}</button>
            <button type="button" class="button" on:click=move |_| chosen.set(BTreeSet::new())>
                {CLEAR}
            </button>
        </p>
        <div class="table-wrap">
            <table class="staff">
                <thead>
                    <tr>{HEADS.map(|h| view! { <th scope="col">{h}</th> })}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="total" role="status" data-testid="unit-total">
            {move || format!("已选 {} 人，合计 {} 元", chosen.with(BTreeSet::len), format_yuan(total()))}
        </p>
        <p class="form-alert" role="alert">{error}</p>
        <p class="actions">
            <button
                type="button"
                class="button button-primary"
                disabled=move || busy() || chosen.with(BTreeSet::is_empty)
                on:click=move |_| {
                    pay.dispatch_local(chosen.with_untracked(|c| c.iter().copied().collect()));
                }
            >
                {move || if busy() { GOING } else { PAY }}
            </button>
        </p>
    }
    .into_any()
}

/// One person: a checkbox (none for someone already paid for), who they are, masked, the fee
/// of their grade, and where they stand.
fn staff_row(member: &StaffMember, chosen: RwSignal<BTreeSet<i64>>) -> impl IntoView {
    let id = member.id;
    let status = match (member.paid, member.open_order_id) {
        (true, _) => PAID.to_owned(),
        (false, Some(order)) => format!("已在待支付订单 {order} 中"),
        (false, None) => UNPAID.to_owned(),
    };
    let label = format!("选择 {}", member.name);
    let checkbox = (!member.paid).then(|| {
        view! {
            <input
                type="checkbox"
                value=id.to_string()
                aria-label=label
                prop:checked=move || chosen.with(|c| c.contains(&id))
                on:change=move |_| {
                    chosen.update(|c| if !c.remove(&id) { c.insert(id); })
                }
            />
        }
    });
    let payable = !member.paid;
    // The whole row is the target (a checkbox alone is too small a mark for a finger or an
    // unsteady hand); a click on the checkbox itself is left to the checkbox's own change.
    let toggle_row = move |ev: leptos::ev::MouseEvent| {
        let on_checkbox = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .is_some();
        if payable && !on_checkbox {
            chosen.update(|c| {
                if !c.remove(&id) {
                    c.insert(id);
                }
            });
        }
    };
    view! {
        <tr data-testid="staff" data-id=id.to_string() class:pickable=payable on:click=toggle_row>
            <td>{checkbox}</td>
            <td>{member.name.clone()}</td>
            <td>{member.id_number.clone()}</td>
            <td>{member.phone.clone()}</td>
            <td>{member.grade.label()}</td>
            <td>{yuan(member.fee_fen)}</td>
            <td>{status}</td>
        </tr>
    }
}
