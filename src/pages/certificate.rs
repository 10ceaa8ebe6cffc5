//! The certificate (学时证明) at `/certificates/:year`: the A4 sheet as the PDF has it, for
//! printing from the browser (the print style sheet leaves only the sheet), with the PDF to
//! download and the verification page one tap away.

use crate::api;
use crate::components::certificate::{facts_list, statement};
use crate::components::dom::{attr, el, link, text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use qinxue_core::api::Certificate;
use qinxue_core::certificate::format_date;
use qinxue_core::time::local_date;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Node;

#[derive(Params, Debug, Clone, PartialEq)]
struct CertificateParams {
    year: Option<i32>,
}

/// The page at `/certificates/:year`.
#[component]
pub fn CertificatePage() -> impl IntoView {
    set_page_title("学时证明");
    let params = use_params::<CertificateParams>();
    move || {
        let year = params
            .with(|p| p.as_ref().ok().and_then(|p| p.year))
            .unwrap_or(0);
        let fill: Fill = Rc::new(move |page| {
            Box::pin(async move {
                let c = api::certificate(year).await?;
                sheet(&page, &c, year);
                Ok(())
            })
        });
        load_into(fill)
    }
}

fn sheet(page: &Node, c: &Certificate, year: i32) {
    let actions = el(page, "p", "actions no-print");
    let print = text(&actions, "button", "button button-primary", "打印");
    attr(&print, "type", "button");
    let on_print = Closure::<dyn Fn()>::new(|| {
        let _ = window().print();
    });
    let _ = print.add_event_listener_with_callback("click", on_print.as_ref().unchecked_ref());
    on_print.forget();
    if let Some(pdf) = &c.pdf_url {
        let download = link(&actions, pdf, "下载 PDF");
        download.set_class_name("button");
        attr(&download, "download", "");
        attr(&download, "rel", "external");
    }
    link(&actions, &format!("/verify/{}", c.code), "查看核验页").set_class_name("button");

    let f = &c.facts;
    let sheet = el(page, "article", "certificate-sheet");
    attr(&sheet, "data-testid", "certificate");
    text(&sheet, "h1", "", "学时证明");
    text(
        &sheet,
        "p",
        "certificate-subtitle",
        "机关事业单位工勤人员岗位继续教育",
    );
    text(&sheet, "p", "certificate-statement", &statement(f));
    facts_list(&sheet, f, &c.unit_name);
    let foot = el(&sheet, "div", "certificate-foot");
    let note = el(&foot, "div", "");
    text(&note, "p", "", "核验：扫描右侧二维码，或访问");
    text(&note, "p", "certificate-url", &c.url);
    text(
        &note,
        "p",
        "",
        "二维码含本证明内容及数字签名，离线也可核验；内容不符即为无效。",
    );
    text(
        &note,
        "p",
        "certificate-issuer",
        "福建省机关事业单位工勤人员技术等级岗位考核办公室",
    );
    text(
        &note,
        "p",
        "",
        &format!("出具日期：{}", format_date(local_date(c.issued_at))),
    );
    let qr = el(&foot, "img", "certificate-qr");
    attr(&qr, "src", &format!("/api/me/certificates/{year}/qr.svg"));
    attr(&qr, "alt", "核验二维码");
}
