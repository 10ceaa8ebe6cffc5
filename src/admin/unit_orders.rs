//! 单位订单 at `/admin/unit/orders`: the unit's orders, newest first, each with the people it
//! pays for, and 继续缴费 for one still open. The cards are the trainee's 我的订单 cards.

use crate::api;
use crate::components::dom::text;
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::pages::orders::{order_card, pay_clicks};
use leptos::prelude::*;
use leptos_router::components::A;
use std::rc::Rc;

/// Navigation label and page title.
pub const TITLE: &str = "单位订单";
/// What the tool is for, on the admin home page.
pub const SUMMARY: &str = "查看本单位的缴费订单、电子票据号和订单中的人员。";
const EMPTY: &str = "本单位还没有缴费订单。";
const NEW_ORDER: &str = "新的统一缴费";

/// The page at `/admin/unit/orders`.
#[component]
pub fn UnitOrdersPage() -> impl IntoView {
    set_page_title(TITLE);
    let fill: Fill = Rc::new(|page| {
        Box::pin(async move {
            let orders = api::orders().await?;
            if orders.is_empty() {
                text(&page, "p", "notice", EMPTY);
            }
            for order in &orders {
                order_card(&page, order, true);
            }
            Ok(())
        })
    });
    view! {
        <h1>{TITLE}</h1>
        <p class="actions">
            <A href="/unit/pay" attr:class="button">{NEW_ORDER}</A>
        </p>
        <div on:click=pay_clicks()>{load_into(fill)}</div>
    }
}
