//! Trainee self-registration. Each field is checked when the person leaves it and again on
//! submit, by the same `RegisterRequest::validate` the server runs; what the server still
//! refuses (a 身份证号 already registered, a unit that vanished) is shown under its field too.

use crate::api::{self, ApiError};
use crate::clock::today_in_shanghai;
use crate::components::field::{SelectField, TextField};
use crate::components::focus::focus_element;
use crate::components::notice::{ErrorNotice, Loading};
use crate::components::title::set_page_title;
use crate::components::unit_picker::UnitPicker;
use crate::i18n::t;
use crate::session::{use_session, use_signed_in_navigate};
use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use leptos_router::components::A;
use qinxue_core::account::{PASSWORD_MIN_CHARS, TRADES};
use qinxue_core::api::{Region, RegisterRequest, Unit};
use qinxue_core::{EmploymentType, ErrorCode, Grade};

/// The form's fields in page order, which is also the order errors are visited in.
const FIELDS: [&str; 9] = [
    "id_number",
    "name",
    "phone",
    "password",
    "password_confirm",
    "unit_id",
    "employment_type",
    "trade",
    "grade",
];

/// `(field, message)` pairs: what to show under which field. A handful at most, so a list
/// serves better than a map (and downloads smaller).
type Problems = Vec<(String, String)>;

/// The message for `field`, if it has one.
fn message_for<'a>(problems: &'a [(String, String)], field: &str) -> Option<&'a String> {
    problems.iter().find(|(f, _)| f == field).map(|(_, m)| m)
}

/// The first field, in page order, among `fields`.
fn first_field<'a>(fields: impl Iterator<Item = &'a String> + Clone) -> Option<&'static str> {
    FIELDS.into_iter().find(|f| fields.clone().any(|x| x == f))
}

/// What the person has typed and chosen, as text, exactly as the controls hold it.
#[derive(Debug, Clone, Default)]
struct RegisterValues {
    id_number: String,
    name: String,
    phone: String,
    password: String,
    password_confirm: String,
    unit_id: String,
    employment_type: String,
    trade: String,
    grade: String,
}

impl RegisterValues {
    /// The value of a field by its API name; empty for a name the form does not have (the
    /// server may blame the body as a whole).
    fn get(&self, field: &str) -> &str {
        match field {
            "id_number" => &self.id_number,
            "name" => &self.name,
            "phone" => &self.phone,
            "password" => &self.password,
            "password_confirm" => &self.password_confirm,
            "unit_id" => &self.unit_id,
            "employment_type" => &self.employment_type,
            "trade" => &self.trade,
            "grade" => &self.grade,
            _ => "",
        }
    }

    /// The request to send, or every problem the form can see without the server.
    fn check(&self, today: NaiveDate) -> Result<RegisterRequest, Problems> {
        let text = t();
        let mut problems = Problems::new();
        let employment_type = EmploymentType::from_wire(&self.employment_type);
        if employment_type.is_none() {
            problems.push(("employment_type".into(), text.choose_employment_type.into()));
        }
        let grade = Grade::from_wire(&self.grade);
        if grade.is_none() {
            problems.push(("grade".into(), text.choose_grade.into()));
        }
        let request = RegisterRequest {
            id_number: self.id_number.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            password: self.password.clone(),
            // An unparsable id is "no unit chosen", which validate reports.
            unit_id: self.unit_id.parse().unwrap_or(0),
            // validate does not look at these two; the stand-ins only let it check the other
            // fields, and are never sent because a missing choice is a problem above.
            employment_type: employment_type.unwrap_or(EmploymentType::InPost),
            trade: self.trade.clone(),
            grade: grade.unwrap_or(Grade::Ungraded),
        };
        if let Err(errors) = request.validate(today) {
            problems.extend(errors.into_iter().map(|e| (e.field, e.message)));
        }
        if self.password_confirm != self.password {
            problems.push(("password_confirm".into(), text.password_mismatch.into()));
        }
        if problems.is_empty() {
            Ok(request)
        } else {
            Err(problems)
        }
    }
}

/// One signal per control, so each field re-renders alone.
#[derive(Clone, Copy)]
struct RegisterForm {
    signals: [RwSignal<String>; 9],
}

impl RegisterForm {
    fn new() -> Self {
        Self {
            signals: FIELDS.map(|field| {
                // Most trainees are in-post staff; preselecting it saves them a step.
                let initial = match field {
                    "employment_type" => EmploymentType::InPost.as_str(),
                    _ => "",
                };
                RwSignal::new(initial.to_owned())
            }),
        }
    }

    fn signal(&self, field: &str) -> RwSignal<String> {
        let index = FIELDS
            .iter()
            .position(|f| *f == field)
            .expect("a field of this form");
        self.signals[index]
    }

    /// The current values; reactive.
    fn values(&self) -> RegisterValues {
        let [id_number, name, phone, password, password_confirm, unit_id, employment_type, trade, grade] =
            self.signals.map(|s| s.get());
        RegisterValues {
            id_number,
            name,
            phone,
            password,
            password_confirm,
            unit_id,
            employment_type,
            trade,
            grade,
        }
    }
}

/// A problem the server found: `(field, value sent, message)`. Once the person changes that
/// value, the message no longer applies and is hidden.
type ServerProblems = Vec<(String, String, String)>;

/// The page at `/register`.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let text = t();
    set_page_title(text.register_title);
    let session = use_session();
    let navigate = use_signed_in_navigate();
    let today = today_in_shanghai();
    let form = RegisterForm::new();
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let server_problems = RwSignal::new(ServerProblems::new());
    let problems = Memo::new(move |_| form.values().check(today).err().unwrap_or_default());

    let action = Action::new_local(
        move |(values, request): &(RegisterValues, RegisterRequest)| {
            let (values, request) = (values.clone(), request.clone());
            let navigate = navigate.clone();
            async move {
                if let Err(error) = api::register(&request).await {
                    let found: ServerProblems = error
                        .field_errors()
                        .iter()
                        .map(|f| {
                            let sent = values.get(&f.field).to_owned();
                            (f.field.clone(), sent, f.message.clone())
                        })
                        .collect();
                    if let Some(first) = first_field(found.iter().map(|(f, _, _)| f)) {
                        focus_element(first);
                    }
                    server_problems.set(found);
                    return Err::<(), ApiError>(error);
                }
                session.reload().await;
                navigate("/");
                Ok(())
            }
        },
    );

    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            let visible = submitted.get() || touched.with(|t| t.contains(&field));
            let own = problems.with(|p| message_for(p, field).cloned());
            if let Some(message) = own.filter(|_| visible) {
                return Some(message);
            }
            let current = form.signal(field).get();
            server_problems.with(|s| {
                s.iter()
                    .find(|(f, sent, _)| f == field && *sent == current)
                    .map(|(_, _, m)| m.clone())
            })
        })
    };
    let blur = move |field: &'static str| {
        Callback::new(move |_| {
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field);
                }
            })
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let values = form.values();
        match values.check(today) {
            Ok(request) => {
                action.dispatch_local((values, request));
            }
            Err(found) => {
                if let Some(first) = first_field(found.iter().map(|(f, _)| f)) {
                    focus_element(first);
                }
            }
        }
    };
    let alert = move || {
        if submitted.get() && !problems.with(Vec::is_empty) {
            return Some(
                view! { <p class="form-alert" role="alert">{text.fix_errors}</p> }.into_any(),
            );
        }
        let error = action.value().get()?.err()?;
        let to_login = (error.code() == Some(ErrorCode::IdNumberTaken))
            .then(|| view! { " " <A href="/login">{text.go_to_login}</A> });
        Some(
            view! { <p class="form-alert" role="alert">{error.message()} {to_login}</p> }
                .into_any(),
        )
    };

    // Both lists load as one, so the form shows a single loading state and a single retry.
    // A signal filled by a task rather than a LocalResource: the async-derived machinery
    // behind resources costs the first visit more download than this page can afford.
    let directory = RwSignal::new(None::<Result<(Vec<Unit>, Vec<Region>), ApiError>>);
    // The task runs under the page's owner, not under the owner of whatever asked for it: the
    // retry button lives in the view that loading replaces, and cleaning that view up would
    // cancel the task it just started.
    let page = Owner::current().unwrap_or_default();
    let load = move || {
        directory.set(None);
        page.with(|| {
            spawn_local_scoped_with_cancellation(async move {
                let loaded = async { Ok((api::units().await?, api::regions().await?)) };
                directory.set(Some(loaded.await));
            })
        });
    };
    let retry = Callback::new({
        let load = load.clone();
        move |_| load()
    });
    load();
    let unit_picker = move || match directory.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok((units, regions))) => view! {
            <UnitPicker
                units
                regions
                unit_id=form.signal("unit_id")
                error=error_for("unit_id")
                on_blur=blur("unit_id")
            />
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.message() on_retry=retry /> }.into_any()
        }
    };

    let employment_types: Vec<(String, String)> = EmploymentType::ALL
        .iter()
        .map(|e| (e.as_str().to_owned(), e.label().to_owned()))
        .collect();
    let trades: Vec<(String, String)> = TRADES
        .iter()
        .map(|t| (t.to_string(), t.to_string()))
        .collect();
    let grades: Vec<(String, String)> = Grade::ALL
        .iter()
        .map(|g| (g.as_str().to_owned(), g.label().to_owned()))
        .collect();

    view! {
        <section class="card form-card">
            <h1>{text.register_title}</h1>
            <p>{text.register_intro}</p>
            <form novalidate on:submit=on_submit>
                {alert}
                <TextField
                    name="id_number"
                    label=text.id_number
                    value=form.signal("id_number")
                    error=error_for("id_number")
                    on_blur=blur("id_number")
                    hint=text.id_number_hint
                    autocomplete="off"
                />
                <TextField
                    name="name"
                    label=text.name
                    value=form.signal("name")
                    error=error_for("name")
                    on_blur=blur("name")
                    autocomplete="name"
                />
                <TextField
                    name="phone"
                    label=text.phone
                    value=form.signal("phone")
                    error=error_for("phone")
                    on_blur=blur("phone")
                    input_type="tel"
                    inputmode="numeric"
                    autocomplete="tel"
                />
                <TextField
                    name="password"
                    label=text.password
                    value=form.signal("password")
                    error=error_for("password")
                    on_blur=blur("password")
                    input_type="password"
                    autocomplete="new-password"
                    hint=(text.password_hint)(PASSWORD_MIN_CHARS)
                />
                <TextField
                    name="password_confirm"
                    label=text.password_confirm
                    value=form.signal("password_confirm")
                    error=error_for("password_confirm")
                    on_blur=blur("password_confirm")
                    input_type="password"
                    autocomplete="new-password"
                />
                {unit_picker}
                <SelectField
                    name="employment_type"
                    label=text.employment_type
                    value=form.signal("employment_type")
                    options=employment_types
                    placeholder=text.choose
                    error=error_for("employment_type")
                    on_blur=blur("employment_type")
                />
                <SelectField
                    name="trade"
                    label=text.trade
                    value=form.signal("trade")
                    options=trades
                    placeholder=text.choose
                    error=error_for("trade")
                    on_blur=blur("trade")
                />
                <SelectField
                    name="grade"
                    label=text.grade
                    value=form.signal("grade")
                    options=grades
                    placeholder=text.choose
                    error=error_for("grade")
                    on_blur=blur("grade")
                    hint=text.grade_hint
                />
                <button
                    type="submit"
                    class="button button-primary button-block"
                    disabled=move || action.pending().get()
                >
                    {move || {
                        if action.pending().get() {
                            text.register_submitting
                        } else {
                            text.register_submit
                        }
                    }}
                </button>
            </form>
            <p class="form-footer">
                {text.have_account}
                <A href="/login">{text.register_to_login}</A>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn filled() -> RegisterValues {
        RegisterValues {
            id_number: "350502198001011235".into(),
            name: "王建国".into(),
            phone: "13800138000".into(),
            password: "Secret#2026".into(),
            password_confirm: "Secret#2026".into(),
            unit_id: "7".into(),
            employment_type: "dispatched".into(),
            trade: "电工".into(),
            grade: "senior".into(),
        }
    }

    #[test]
    fn a_filled_form_becomes_the_request_as_typed() {
        let request = filled().check(today()).unwrap();
        assert_eq!(request.unit_id, 7);
        assert_eq!(request.employment_type, EmploymentType::Dispatched);
        assert_eq!(request.grade, Grade::Senior);
        assert_eq!(request.id_number, "350502198001011235");
    }

    #[test]
    fn an_empty_form_names_every_field_but_the_preselected_one() {
        let values = RegisterValues {
            employment_type: "in_post".into(),
            ..Default::default()
        };
        let problems = values.check(today()).unwrap_err();
        let named: Vec<&str> = FIELDS
            .iter()
            .copied()
            .filter(|f| message_for(&problems, f).is_some())
            .collect();
        assert_eq!(
            named,
            [
                "id_number",
                "name",
                "phone",
                "password",
                "unit_id",
                "trade",
                "grade"
            ]
        );
    }

    #[test]
    fn a_mistyped_confirmation_is_reported_under_the_confirmation() {
        let values = RegisterValues {
            password_confirm: "Secret#2025".into(),
            ..filled()
        };
        let problems = values.check(today()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(message_for(&problems, "password_confirm").is_some());
    }

    #[test]
    fn the_core_rule_decides_what_a_bad_id_number_says() {
        let values = RegisterValues {
            id_number: "350502198001011236".into(),
            ..filled()
        };
        let problems = values.check(today()).unwrap_err();
        assert_eq!(
            message_for(&problems, "id_number").map(String::as_str),
            Some("身份证号校验位不正确，请核对")
        );
    }
}
