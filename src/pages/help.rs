//! Help: the policy's help lines as tap-to-call links, and answers to common questions.

use crate::api;
use crate::components::dom::{el, text as add_text};
use crate::components::load::{load_into, Fill};
use crate::components::title::set_page_title;
use crate::i18n::{t, HelpPhone};
use leptos::prelude::*;
use std::rc::Rc;

/// The help page.
#[component]
pub fn HelpPage() -> impl IntoView {
    let text = t();
    set_page_title(text.help_title);
    // The FAQ answers from the year in force as the province set it (`GET /api/policy-year`),
    // as the home page's steps do, so that the two pages never give different deadlines.
    let faqs: Fill = Rc::new(|place| {
        Box::pin(async move {
            let policy = api::policy_year().await?;
            for faq in t().faqs {
                // Always open: a question hidden behind a click is one many readers miss.
                let item = el(&place, "div", "faq");
                add_text(&item, "h3", "", faq.question);
                add_text(&item, "p", "", &(faq.answer)(&policy));
            }
            Ok(())
        })
    });
    view! {
        <h1>{text.help_title}</h1>
        <section class="card" aria-labelledby="help-contacts">
            <h2 id="help-contacts">{text.help_contacts}</h2>
            <ul class="help-lines">
                {text
                    .help_lines
                    .iter()
                    .map(|line| {
                        view! {
                            <li>
                                <p class="help-topic">{line.topic}</p>
                                <p class="help-phones">
                                    {line.phones.iter().map(phone_link).collect_view()}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="help-faq">
            <h2 id="help-faq">{text.help_faq}</h2>
            {load_into(faqs)}
        </section>
    }
}

fn phone_link(phone: &HelpPhone) -> impl IntoView {
    let href = format!("tel:{}", phone.number.replace('-', ""));
    let label = match phone.note {
        Some(note) => format!("{}（{note}）", phone.number),
        None => phone.number.to_owned(),
    };
    view! {
        <a class="button phone-link" href=href>
            {label}
        </a>
    }
}
