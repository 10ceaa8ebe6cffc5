//! Help: the policy's help lines as tap-to-call links, and answers to common questions.

use crate::clock::today_in_shanghai;
use crate::components::title::set_page_title;
use crate::i18n::{t, HelpPhone};
use chrono::Datelike;
use leptos::prelude::*;
use qinxue_core::PolicyYear;

/// The help page.
#[component]
pub fn HelpPage() -> impl IntoView {
    let text = t();
    set_page_title(text.help_title);
    // The FAQ states the standing policy; a signed-in person's own figures are on the home page.
    let policy = PolicyYear::standard(today_in_shanghai().year());
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
            {text
                .faqs
                .iter()
                .map(|faq| {
                    // Always open: a question hidden behind a click is one many readers miss.
                    view! {
                        <div class="faq">
                            <h3>{faq.question}</h3>
                            <p>{(faq.answer)(&policy)}</p>
                        </div>
                    }
                })
                .collect_view()}
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
