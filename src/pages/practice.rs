//! 课后练习: a course's practice questions, one at a time, with the verdict and the
//! explanation as soon as each is answered, a score at the end, "retry the wrong ones only",
//! and the attempt history.
//!
//! The practice is a lesson of kind `practice`, so the lesson page runs it inside the study
//! player: the player's session earns the time spent here exactly as it earns reading time
//! (visibility, anti-idle checks, retries), and this module only fills the lesson's content
//! area. Options are native radio buttons and check boxes inside large labels: a finger hits
//! them easily, and Tab, the arrow keys, Space and Enter work as everywhere else.

use crate::api;
use crate::components::dom::{attr, el, text};
use crate::i18n::t;
use leptos::task::spawn_local;
use qinxue_core::admin::option_letter;
use qinxue_core::catalogue::QuestionKind;
use qinxue_core::practice::{Attempt, AttemptSummary, GradedAnswer, PracticeQuestion};
use qinxue_core::time::format_local_datetime;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement};

/// Fills `area` with the practice of course `course_id`.
pub fn mount(area: &Element, course_id: i64) {
    let words = t();
    text(area, "p", "", words.practice_intro);
    let stage = el(area, "div", "practice");
    let history = el(area, "section", "practice-history");
    let this = Rc::new(Practice {
        course_id,
        stage,
        history,
        attempt: RefCell::new(None),
        at: Cell::new(0),
        inputs: RefCell::new(Vec::new()),
        busy: Cell::new(false),
        history_asked: Cell::new(0),
    });
    this.start_button(words.practice_start);
    this.load_history();
    // One handler for every button and form of the practice, told apart by `data-act`.
    let me = Rc::clone(&this);
    let handler =
        Closure::<dyn Fn(Event)>::new(move |event: Event| me.on_event(&event)).into_js_value();
    for kind in ["click", "submit"] {
        let _ = area.add_event_listener_with_callback(kind, handler.unchecked_ref());
    }
}

struct Practice {
    course_id: i64,
    /// The question, the feedback or the score.
    stage: Element,
    history: Element,
    attempt: RefCell<Option<Attempt>>,
    /// The question shown, as an index into the attempt's questions.
    at: Cell<usize>,
    /// The shown question's options.
    inputs: RefCell<Vec<HtmlInputElement>>,
    /// A request is on its way; a second press waits for it.
    busy: Cell<bool>,
    /// Bumped each time the history is asked for.
    history_asked: Cell<u32>,
}

impl Practice {
    fn on_event(self: &Rc<Self>, event: &Event) {
        if event.type_() == "submit" {
            event.prevent_default();
            self.answer();
            return;
        }
        let Some(button) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let earlier = button
            .get_attribute("data-attempt")
            .and_then(|id| id.parse().ok());
        match button.get_attribute("data-act").as_deref() {
            Some("start") => self.start(earlier),
            Some("next") => {
                self.at.set(self.at.get() + 1);
                self.question();
            }
            Some("finish") => self.finish(),
            _ => {}
        }
    }

    /// Runs `request` unless another is on its way; `done` gets its answer.
    fn request<T: 'static>(
        self: &Rc<Self>,
        request: impl std::future::Future<Output = Result<T, api::ApiError>> + 'static,
        done: impl FnOnce(&Rc<Self>, T) + 'static,
    ) {
        if self.busy.replace(true) {
            return;
        }
        let this = Rc::clone(self);
        spawn_local(async move {
            let answer = request.await;
            this.busy.set(false);
            match answer {
                Ok(value) => done(&this, value),
                Err(error) => this.say(&error.message()),
            }
        });
    }

    /// A message in the stage's alert line (every stage has one).
    fn say(&self, message: &str) {
        if let Some(alert) = self.stage.query_selector("[role=alert]").ok().flatten() {
            alert.set_text_content(Some(message));
        }
    }

    /// A new attempt: every question, or those `earlier` got wrong.
    fn start(self: &Rc<Self>, earlier: Option<i64>) {
        self.request(
            api::start_practice(self.course_id, earlier),
            |this, attempt| {
                *this.attempt.borrow_mut() = Some(attempt);
                this.at.set(0);
                this.question();
                this.load_history();
            },
        );
    }

    fn start_button(&self, label: &str) {
        self.stage.set_text_content(None);
        button(&self.stage, label, "start", None).set_class_name("button button-primary");
        alert_line(&self.stage);
    }

    /// Shows the current question.
    fn question(&self) {
        let words = t();
        let attempt = self.attempt.borrow();
        let Some(attempt) = attempt.as_ref() else {
            return;
        };
        let at = self.at.get();
        let Some(q) = attempt.questions.get(at) else {
            return;
        };
        self.stage.set_text_content(None);
        let form = el(&self.stage, "form", "");
        let kind = match q.kind {
            QuestionKind::Single => words.question_single,
            QuestionKind::Multiple => words.question_multiple,
            QuestionKind::TrueFalse => words.question_true_false,
        };
        let count = format!(
            "{} · {kind}",
            (words.question_of)(at + 1, attempt.questions.len())
        );
        text(&form, "p", "practice-count", &count);
        let set = el(&form, "fieldset", "");
        text(&set, "legend", "practice-stem", &q.stem);
        let kind = if q.kind == QuestionKind::Multiple {
            "checkbox"
        } else {
            "radio"
        };
        let mut inputs = self.inputs.borrow_mut();
        inputs.clear();
        for (k, option) in q.options.iter().enumerate() {
            let label = el(&set, "label", "practice-option");
            let input: HtmlInputElement = el(&label, "input", "").unchecked_into();
            input.set_type(kind);
            input.set_name("choice");
            text(
                &label,
                "span",
                "",
                &format!("{}. {option}", option_letter(k)),
            );
            inputs.push(input);
        }
        alert_line(&form);
        attr(
            &text(
                &form,
                "button",
                "button button-primary",
                words.submit_answer,
            ),
            "type",
            "submit",
        );
        if let Some(first) = inputs.first() {
            let _ = first.focus();
        }
    }

    /// Sends the chosen options of the current question.
    fn answer(self: &Rc<Self>) {
        let chosen: Vec<usize> = (self.inputs.borrow().iter().enumerate())
            .filter(|(_, input)| input.checked())
            .map(|(k, _)| k)
            .collect();
        if chosen.is_empty() {
            self.say(t().choose_answer);
            return;
        }
        let (attempt, question) = {
            let attempt = self.attempt.borrow();
            let Some(a) = attempt.as_ref() else { return };
            let Some(q) = a.questions.get(self.at.get()) else {
                return;
            };
            (a.id, q.id)
        };
        self.request(
            async move { api::answer_practice(attempt, question, &chosen).await },
            |this, graded| this.feedback(&graded),
        );
    }

    /// Marks the right options (and a wrong choice), says whether the answer was right and
    /// why, and offers the next question.
    fn feedback(&self, graded: &GradedAnswer) {
        let words = t();
        for (k, input) in self.inputs.borrow().iter().enumerate() {
            input.set_disabled(true);
            let class = if graded.answer.contains(&k) {
                "practice-option practice-right"
            } else if graded.chosen.contains(&k) {
                "practice-option practice-wrong"
            } else {
                continue;
            };
            if let Some(label) = input.parent_element() {
                label.set_class_name(class);
            }
        }
        let attempt = self.attempt.borrow();
        let Some(a) = attempt.as_ref() else { return };
        let Some(q) = a.questions.get(self.at.get()) else {
            return;
        };
        if let Some(submit) = self.stage.query_selector("[type=submit]").ok().flatten() {
            submit.remove();
        }
        if let Some(alert) = self.stage.query_selector("[role=alert]").ok().flatten() {
            alert.set_text_content(None);
            alert.set_class_name(if graded.correct {
                "notice practice-feedback"
            } else {
                "notice notice-warn practice-feedback"
            });
            let verdict = if graded.correct {
                words.answer_right.to_owned()
            } else {
                (words.answer_wrong)(&right_answer(q, &graded.answer))
            };
            text(&alert, "strong", "", &verdict);
            text(&alert, "p", "", &(words.explanation)(&graded.explanation));
        }
        let last = self.at.get() + 1 >= a.questions.len();
        let (label, act) = if last {
            (words.finish_practice, "finish")
        } else {
            (words.next_question, "next")
        };
        let next = button(&self.stage, label, act, None);
        next.set_class_name("button button-primary");
        let _ = next.unchecked_ref::<HtmlElement>().focus();
    }

    fn finish(self: &Rc<Self>) {
        let Some(id) = self.attempt.borrow().as_ref().map(|a| a.id) else {
            return;
        };
        self.request(api::finish_practice(id), |this, attempt| {
            this.score(&attempt);
            this.load_history();
        });
    }

    /// The score, the questions answered wrongly with their explanations, and what next.
    fn score(&self, attempt: &Attempt) {
        let words = t();
        self.stage.set_text_content(None);
        let title = text(&self.stage, "h2", "", words.score_title);
        attr(&title, "tabindex", "-1");
        let score = text(
            &self.stage,
            "p",
            "practice-score",
            &(words.score_value)(attempt.score.unwrap_or(0)),
        );
        attr(&score, "data-testid", "practice-score");
        let wrong: Vec<&GradedAnswer> = attempt.answers.iter().filter(|a| !a.correct).collect();
        let total = attempt.questions.len();
        let right = attempt.answers.len() - wrong.len();
        text(&self.stage, "p", "", &(words.score_detail)(right, total));
        if !wrong.is_empty() {
            text(&self.stage, "h3", "", words.wrong_review);
            let list = el(&self.stage, "ol", "practice-review");
            for answer in &wrong {
                let Some(q) = attempt
                    .questions
                    .iter()
                    .find(|q| q.id == answer.question_id)
                else {
                    continue;
                };
                let item = el(&list, "li", "");
                text(&item, "p", "practice-stem", &q.stem);
                let right = (words.answer_wrong)(&right_answer(q, &answer.answer));
                text(&item, "p", "", &right);
                text(&item, "p", "", &(words.explanation)(&answer.explanation));
            }
        }
        let actions = el(&self.stage, "p", "actions");
        // Unanswered questions count as wrong too, and are asked again.
        if right < total {
            button(
                &actions,
                words.practice_retry_wrong,
                "start",
                Some(attempt.id),
            )
            .set_class_name("button button-primary");
        }
        button(&actions, words.practice_again, "start", None);
        alert_line(&self.stage);
        let _ = title.unchecked_ref::<HtmlElement>().focus();
    }

    /// The attempt history, newest first; finished attempts with wrong answers can be retried.
    fn load_history(self: &Rc<Self>) {
        let asked = self.history_asked.get().wrapping_add(1);
        self.history_asked.set(asked);
        let this = Rc::clone(self);
        spawn_local(async move {
            let attempts = api::practice_history(this.course_id).await;
            // An older answer arriving late must not replace a newer one.
            if this.history_asked.get() == asked {
                this.show_history(attempts);
            }
        });
    }

    fn show_history(&self, attempts: Result<Vec<AttemptSummary>, api::ApiError>) {
        let words = t();
        let history = &self.history;
        history.set_text_content(None);
        text(history, "h2", "", words.history_title);
        let attempts = match attempts {
            Ok(attempts) => attempts,
            Err(error) => {
                text(history, "p", "notice notice-error", &error.message());
                return;
            }
        };
        if attempts.is_empty() {
            text(history, "p", "", words.history_empty);
        }
        let list = el(history, "ol", "");
        for a in &attempts {
            let mut line =
                (words.history_row)(&format_local_datetime(a.started_at), a.questions, a.correct);
            line.push_str(" · ");
            match a.score {
                Some(score) => line.push_str(&(words.score_value)(score)),
                None => line.push_str(words.unfinished),
            }
            let item = text(&list, "li", "", &line);
            if a.score.is_some() && a.correct < a.questions {
                let _ = item.append_with_str_1(" ");
                button(&item, words.practice_retry_wrong, "start", Some(a.id))
                    .set_class_name("button button-small");
            }
        }
    }
}

/// A button that the handler knows by `act` (and the attempt it concerns).
fn button(parent: &Element, label: &str, act: &str, attempt: Option<i64>) -> Element {
    let button = text(parent, "button", "button", label);
    attr(&button, "type", "button");
    attr(&button, "data-act", act);
    if let Some(id) = attempt {
        attr(&button, "data-attempt", &id.to_string());
    }
    button
}

/// The line where failures and the verdict are announced.
fn alert_line(parent: &Element) {
    attr(&text(parent, "p", "form-alert", ""), "role", "alert");
}

/// The right options with their text (`A. 甲；C. 丙`): a letter alone means nothing once the
/// question is off the screen. True/false: the word itself.
fn right_answer(q: &PracticeQuestion, answer: &[usize]) -> String {
    let parts: Vec<String> = answer
        .iter()
        .map(|&k| {
            let option = q.options.get(k).cloned().unwrap_or_default();
            match q.kind {
                QuestionKind::TrueFalse => option,
                _ => format!("{}. {option}", option_letter(k)),
            }
        })
        .collect();
    parts.join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind, options: &[&str]) -> PracticeQuestion {
        PracticeQuestion {
            id: 1,
            kind,
            stem: "题干".into(),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    #[test]
    fn right_answers_are_letters_with_their_text_or_the_true_false_word() {
        let multiple = question(QuestionKind::Multiple, &["甲", "乙", "丙", "丁"]);
        assert_eq!(right_answer(&multiple, &[0, 2]), "A. 甲；C. 丙");
        let true_false = question(QuestionKind::TrueFalse, &["正确", "错误"]);
        assert_eq!(right_answer(&true_false, &[1]), "错误");
    }
}
