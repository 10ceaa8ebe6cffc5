//! Verification at `/verify/:code` (public): everything the certificate states as the server
//! registered it, or that it was revoked; and, when the page was opened from the QR code, its
//! signed payload (after `#`, never sent to the server) read here and compared with it, its
//! Ed25519 signature checked in the browser (WebCrypto) against the province's key. A pasted
//! or scanned payload is checked the same way, also offline once the key has been fetched.
//! Each check also looks the code up in the province's signed list of revoked certificates
//! (`GET /api/verify/revoked`), kept here for offline use, and says how fresh that list is.

use crate::api;
use crate::components::certificate::{facts_list, statement};
use crate::components::dom::{attr, el, text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use chrono::DateTime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use qinxue_core::api::Certificate;
use qinxue_core::certificate::{format_date, open, revocation_message, Opened, RevocationList};
use qinxue_core::time::format_local_datetime;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{
    decode_uri_component, Array, Function, Object, Promise, Reflect, Uint8Array,
};
use web_sys::{Element, Node};

/// Where the province's key is kept between visits, for checking payloads offline.
const KEY_STORE: &str = "qinxue.verify_key";
/// Where the last revocation list (its JSON as served) is kept, for checking offline.
const REVOKED_STORE: &str = "qinxue.revoked";

#[derive(Params, Debug, Clone, PartialEq)]
struct VerifyParams {
    code: Option<String>,
}

/// The page at `/verify/:code`.
#[component]
pub fn VerifyPage() -> impl IntoView {
    set_page_title("学时证明核验");
    let params = use_params::<VerifyParams>();
    move || {
        let code = params
            .with(|p| p.as_ref().ok().and_then(|p| p.code.clone()))
            .unwrap_or_default();
        let fill: Fill = Rc::new(move |page| {
            let code = code.clone();
            Box::pin(async move {
                match api::verify(&code).await {
                    Ok(c) => {
                        registered(&page, &c);
                        if let Some(payload) = fragment() {
                            compare(&page, &c, &payload).await;
                        }
                    }
                    // Unknown here, or the server out of reach: the QR code's payload can
                    // still be checked on its own, against the kept key and list.
                    Err(e) => {
                        let line = text(&page, "p", "notice notice-error", &e.message());
                        attr(&line, "data-testid", "verify-status");
                        if let Some(payload) = fragment() {
                            let out = el(&page, "div", "");
                            attr(&out, "data-testid", "qr-check");
                            check_pasted(&out, &payload).await;
                        }
                    }
                }
                paste_box(&page);
                Ok(())
            })
        });
        view! {
            <h1>"学时证明核验"</h1>
            {load_into(fill)}
        }
    }
}

/// The payload the QR code put after `#`, percent-decoded.
fn fragment() -> Option<String> {
    let hash = window().location().hash().ok()?;
    let raw = hash.strip_prefix('#')?;
    if raw.is_empty() {
        return None;
    }
    decode_uri_component(raw).ok().map(String::from)
}

fn registered(page: &Node, c: &Certificate) {
    let card = el(page, "section", "card");
    attr(&card, "data-testid", "verification");
    let status = if c.revoked {
        let when = c.revoked_at.map(format_local_datetime).unwrap_or_default();
        let why = c.revoked_reason.clone().unwrap_or_default();
        text(
            &card,
            "p",
            "notice notice-error",
            &format!("此证明已于{when}撤销，不能作为完成学时的证明。{why}"),
        )
    } else {
        text(
            &card,
            "p",
            "notice notice-ok",
            "有效：本证明由福建省工考办平台出具，以下为登记的全部内容。",
        )
    };
    attr(&status, "data-testid", "verify-status");
    text(&card, "p", "", &statement(&c.facts));
    facts_list(&card, &c.facts, &c.unit_name);
}

/// The QR code's facts against the registered ones, and its signature.
async fn compare(page: &Node, c: &Certificate, payload: &str) {
    let line = text(page, "p", "notice", "正在核对二维码内容……");
    attr(&line, "data-testid", "qr-check");
    let verdict = match open(payload) {
        Err(_) => (
            "notice notice-error",
            "二维码内容无法识别：此证明无效。".to_owned(),
        ),
        Ok(opened) if opened.facts != c.facts => (
            "notice notice-error",
            "二维码内容与登记不一致：此证明无效（可能被篡改）。".to_owned(),
        ),
        Ok(opened) => match signature_ok(&opened).await {
            Some(true) => (
                "notice notice-ok",
                "二维码内容与登记一致，数字签名有效。".to_owned(),
            ),
            Some(false) => (
                "notice notice-error",
                "数字签名无效：此证明无效。".to_owned(),
            ),
            None => (
                "notice",
                "二维码内容与登记一致（本浏览器无法核对数字签名）。".to_owned(),
            ),
        },
    };
    line.set_class_name(verdict.0);
    line.set_text_content(Some(&verdict.1));
    revocation_line(page, &c.facts.code).await;
}

/// The province's revocation list: fetched and kept, or the kept one when the server cannot
/// be reached; `None` without one, or when its signature does not hold. `true` when fetched.
async fn revocation_list() -> Option<(RevocationList, bool)> {
    let store = window().local_storage().ok().flatten();
    let (body, fetched) = match api::revocations_text().await {
        Ok(body) => (body, true),
        Err(_) => (
            store.as_ref()?.get_item(REVOKED_STORE).ok().flatten()?,
            false,
        ),
    };
    let list: RevocationList = crate::wire::parse(&body)?;
    let message = revocation_message(list.generated_at, &list.codes);
    if ed25519_ok(&message, &from_hex(&list.signature)?).await != Some(true) {
        return None;
    }
    if fetched {
        if let Some(s) = &store {
            let _ = s.set_item(REVOKED_STORE, &body);
        }
    }
    Some((list, fetched))
}

/// Whether `code` is on the revocation list, and how fresh the list is.
async fn revocation_line(out: &Node, code: &str) {
    let line = text(out, "p", "notice", "正在核对撤销名单……");
    attr(&line, "data-testid", "revocation-check");
    let (class, shown) = match revocation_list().await {
        None => (
            "notice",
            "未能取得撤销名单，无法确认此证明是否已被撤销。".to_owned(),
        ),
        Some((list, fetched)) => {
            let when = DateTime::from_timestamp(list.generated_at, 0)
                .map(format_local_datetime)
                .unwrap_or_default();
            let fresh = if fetched {
                format!("撤销名单更新于{when}")
            } else {
                format!("无法连接服务器，使用本机保存的撤销名单（更新于{when}）")
            };
            if list.is_revoked(code) {
                (
                    "notice notice-error",
                    format!("此证明已被撤销，不能作为完成学时的证明。{fresh}。"),
                )
            } else {
                ("notice notice-ok", format!("不在撤销名单中。{fresh}。"))
            }
        }
    };
    line.set_class_name(class);
    line.set_text_content(Some(&shown));
}

/// A box to check a scanned or pasted payload without the server (once the key is known).
fn paste_box(page: &Node) {
    let card = el(page, "section", "card no-print");
    text(&card, "h2", "", "核验二维码内容");
    text(
        &card,
        "p",
        "",
        "粘贴扫码得到的内容（网址“#”后的部分或全部网址），可在本机核对其数字签名，离线也可用。",
    );
    let input = el(&card, "textarea", "");
    attr(&input, "rows", "3");
    attr(&input, "aria-label", "二维码内容");
    let button = text(&card, "button", "button", "核验");
    attr(&button, "type", "button");
    let out = el(&card, "div", "");
    attr(&out, "aria-live", "polite");
    let on_click = Closure::<dyn Fn()>::new(move || {
        // A textarea's value, read without another web-sys binding.
        let value = Reflect::get(&input, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let out = out.clone();
        spawn_local(async move { check_pasted(&out, &value).await });
    });
    let _ = button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
}

async fn check_pasted(out: &Element, value: &str) {
    out.set_text_content(None);
    let payload = value.rsplit_once('#').map_or(value, |(_, p)| p).to_owned();
    let payload = decode_uri_component(&payload)
        .ok()
        .and_then(|p| p.as_string())
        .unwrap_or(payload);
    let Ok(opened) = open(&payload) else {
        text(
            out,
            "p",
            "notice notice-error",
            "内容无法识别：不是本平台的学时证明。",
        );
        return;
    };
    let (class, verdict) = match signature_ok(&opened).await {
        Some(true) => ("notice notice-ok", "数字签名有效，以下内容未被改动："),
        Some(false) => ("notice notice-error", "数字签名无效：此证明无效。"),
        None => (
            "notice",
            "无法核对数字签名（未取得公钥或本浏览器不支持），仅供参考：",
        ),
    };
    text(out, "p", class, verdict);
    let f = &opened.facts;
    text(out, "p", "", &statement(f));
    text(
        out,
        "p",
        "",
        &format!(
            "完成日期：{}，证明编号：{}",
            format_date(f.completed_on),
            f.code
        ),
    );
    revocation_line(out, &f.code).await;
}

/// The province's key: fetched, and kept for offline use; the kept one when offline.
async fn key_hex() -> Option<String> {
    let store = window().local_storage().ok().flatten();
    match api::verify_key().await {
        Ok(k) => {
            if let Some(s) = &store {
                let _ = s.set_item(KEY_STORE, &k.public_key);
            }
            Some(k.public_key)
        }
        Err(_) => store?.get_item(KEY_STORE).ok().flatten(),
    }
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Calls `subtle[name](...args)` and awaits its promise.
async fn subtle_call(subtle: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let f: Function = Reflect::get(subtle, &name.into()).ok()?.dyn_into().ok()?;
    let list: Array = args.iter().collect();
    let promise: Promise = Reflect::apply(&f, subtle, &list).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// Whether the payload's Ed25519 signature holds, checked by the browser's WebCrypto; `None`
/// when it cannot be checked here.
async fn signature_ok(opened: &Opened) -> Option<bool> {
    ed25519_ok(&opened.message, &opened.signature).await
}

/// Whether `signature` is the province's Ed25519 signature of `message`; `None` when it
/// cannot be checked here (no key, no WebCrypto Ed25519).
async fn ed25519_ok(message: &[u8], signature: &[u8]) -> Option<bool> {
    let key = from_hex(&key_hex().await?)?;
    let crypto = Reflect::get(&window(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"Ed25519".into()).ok()?;
    let usages: Array = std::iter::once(JsValue::from_str("verify")).collect();
    let key = subtle_call(
        &subtle,
        "importKey",
        &[
            "raw".into(),
            Uint8Array::from(key.as_slice()).into(),
            algorithm.clone().into(),
            false.into(),
            usages.into(),
        ],
    )
    .await?;
    let verdict = subtle_call(
        &subtle,
        "verify",
        &[
            algorithm.into(),
            key,
            Uint8Array::from(signature).into(),
            Uint8Array::from(message).into(),
        ],
    )
    .await?;
    verdict.as_bool()
}
