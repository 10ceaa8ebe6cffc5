//! Registration orders (DESIGN.md §4): a trainee pays for themself, or a unit admin pays for
//! staff of their unit in one order; the order opens a payment at the platform and the payer
//! is sent to its cashier. Payment results arrive through [`super::payments`].
//!
//! Whether someone is already paid is checked when an order is made, to tell the payer at
//! once; the rule itself is kept when a payment is applied, by the database's constraints
//! (a second payment for a person is flagged for refund, never counted twice).

use crate::access::{AccessError, Actor, Payer, Scope};
use crate::error::AppError;
use crate::payments::{PaymentRequest, PaymentStatus};
use crate::services::{payments, policy};
use crate::state::AppState;
use crate::storage::orders::{self, ItemRow, NewOrder, OrderRow};
use crate::storage::users::User;
use crate::storage::{audit, enrolments, policy_years};
use chrono::DateTime;
use qinxue_core::api::{CreateOrder, Order, OrderCreated, OrderItem, StaffMember, UnitStaff};
use qinxue_core::id_number::mask_id_number;
use qinxue_core::order::{OrderKind, MAX_ORDER_TRAINEES};
use qinxue_core::phone::mask_phone;
use qinxue_core::PolicyYear;
use std::collections::{BTreeSet, HashMap};

/// The platform's limit on a payment's subject.
const MAX_SUBJECT_CHARS: usize = 128;

/// Why an order is not made, paid or shown.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Only the year in force, or an earlier configured one, can be paid for.
    #[error("year not offered; the year in force is {current}")]
    YearNotOffered { current: i32 },
    #[error("registration closed")]
    RegistrationClosed,
    /// A unit admin's order that names no one.
    #[error("no trainees chosen")]
    NoTraineesChosen,
    #[error("more trainees than an order takes, or none")]
    TraineeCount,
    /// Ids that are not trainees of the admin's unit.
    #[error("not unit staff: {0:?}")]
    NotUnitStaff(Vec<i64>),
    /// These people (named) are paid for already; `field` is the request's.
    #[error("already paid for {year}")]
    AlreadyPaid {
        field: &'static str,
        names: Vec<String>,
        year: i32,
    },
    /// A payer who may not pay this way (a trainee without a grade, a trainee naming others).
    #[error("may not pay this way")]
    NotPayable,
    #[error("order not found")]
    NotFound,
    #[error("order settled")]
    Settled,
    #[error("payment platform unavailable")]
    PaymentUnavailable,
    #[error("no policy year {0}")]
    NoPolicyYear(i32),
    /// A fault of the layers below (database, transaction, policy year, randomness).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for OrderError {
    fn from(e: sqlx::Error) -> Self {
        OrderError::Fault(e.into())
    }
}

/// `POST /api/orders`: makes (or, for a trainee's own open order, reuses) an order and opens
/// its payment. The order is committed before the platform is called, so a platform that is
/// down leaves it pending and payable later.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    req: CreateOrder,
) -> Result<OrderCreated, OrderError> {
    let payer = actor.payer()?;
    let now = state.clock.now();
    let current = policy::in_force(state, now).await?;
    // The year in force, or an earlier configured one: paying for a past year is how someone
    // who never paid for it goes on to complete it, where that year allows late payment.
    let earlier = if req.year < current.year {
        let mut conn = state.db.read().await?;
        policy_years::get(&mut conn, req.year).await?
    } else {
        None
    };
    let year = match earlier {
        Some(y) => y,
        None if req.year == current.year => current,
        None => {
            return Err(OrderError::YearNotOffered {
                current: current.year,
            })
        }
    };
    if !year.payable(now) {
        return Err(OrderError::RegistrationClosed);
    }
    let order = match (payer, req.trainee_ids) {
        (Payer::Trainee(user), None) => individual_order(state, user, &year).await?,
        (Payer::Unit { admin, unit_id }, Some(ids)) => {
            unit_order(state, admin, actor.people()?, unit_id, &year, ids).await?
        }
        (Payer::Unit { .. }, None) => return Err(OrderError::NoTraineesChosen),
        _ => return Err(OrderError::NotPayable),
    };
    open_payment(state, &order).await
}

/// `POST /api/orders/{id}/pay`: a new cashier page for an open order (after the platform was
/// down, or the payer cancelled).
pub async fn pay(state: &AppState, actor: &Actor, id: i64) -> Result<OrderCreated, OrderError> {
    let payer = actor.payer()?;
    let order = {
        let mut conn = state.db.read().await?;
        orders::get_in(&mut conn, &payer.orders(), id).await?
    };
    let order = order
        .filter(|o| payer.may_pay(o.kind, o.payer_id, o.unit_id))
        .ok_or(OrderError::NotFound)?;
    if order.status.is_settled() {
        return Err(OrderError::Settled);
    }
    let year = {
        let mut conn = state.db.read().await?;
        policy_years::in_force(&mut conn, order.year).await?
    };
    if !year.is_some_and(|y| y.payable(state.clock.now())) {
        return Err(OrderError::RegistrationClosed);
    }
    if order.kind == OrderKind::Unit {
        let (now, admin, order_id) = (state.clock.now_secs(), payer.user().id, order.id);
        state
            .db
            .write(move |c| {
                Box::pin(async move {
                    let target = format!("order:{order_id}");
                    Ok(audit::record(c, now, Some(admin), "pay_unit_order", &target, "").await?)
                })
            })
            .await?;
    }
    open_payment(state, &order).await
}

async fn individual_order(
    state: &AppState,
    user: &User,
    year: &PolicyYear,
) -> Result<OrderRow, OrderError> {
    let grade = user.grade.ok_or(OrderError::NotPayable)?;
    let new = NewOrder {
        merchant_order_id: merchant_order_id(year.year)?,
        kind: OrderKind::Individual,
        payer_id: user.id,
        unit_id: user.unit_id,
        year: year.year,
        amount_fen: year.fee_fen(grade),
    };
    let now = state.clock.now_secs();
    let name = user.name.clone();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                if enrolments::is_active(&mut *c, new.payer_id, new.year).await? {
                    return Err(OrderError::AlreadyPaid {
                        field: "year",
                        names: vec![name],
                        year: new.year,
                    }
                    .into());
                }
                let id = match orders::insert(&mut *c, &new, now).await? {
                    Some(id) => {
                        orders::insert_item(
                            &mut *c,
                            id,
                            new.payer_id,
                            new.year,
                            grade,
                            new.amount_fen,
                        )
                        .await?;
                        id
                    }
                    // The trainee's open order of the year, made earlier: paying it again is
                    // what they want, and the platform will not charge one order twice.
                    None => {
                        orders::open_individual(&mut *c, new.payer_id, new.year)
                            .await?
                            .ok_or_else(|| AppError::Internal("order insert conflicted".into()))?
                            .id
                    }
                };
                orders::get(c, id)
                    .await?
                    .ok_or_else(|| AppError::Internal("order vanished".into()))
            })
        })
        .await
        .map_err(OrderError::from)
}

/// A unit order for some of the unit's staff: `staff` is the scope of the admin's unit's people.
async fn unit_order(
    state: &AppState,
    admin: &User,
    staff: Scope,
    unit_id: i64,
    year: &PolicyYear,
    ids: Vec<i64>,
) -> Result<OrderRow, OrderError> {
    let ids: BTreeSet<i64> = ids.into_iter().collect();
    if ids.is_empty() || ids.len() > MAX_ORDER_TRAINEES {
        return Err(OrderError::TraineeCount);
    }
    let merchant_order_id = merchant_order_id(year.year)?;
    let (now, admin_id, year) = (state.clock.now_secs(), admin.id, year.clone());
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                let staff: HashMap<i64, orders::StaffRow> =
                    orders::unit_staff(&mut *c, &staff, year.year)
                        .await?
                        .into_iter()
                        .map(|s| (s.id, s))
                        .collect();
                let strangers: Vec<i64> = ids
                    .iter()
                    .copied()
                    .filter(|id| !staff.contains_key(id))
                    .collect();
                if !strangers.is_empty() {
                    return Err(OrderError::NotUnitStaff(strangers).into());
                }
                let chosen: Vec<&orders::StaffRow> = ids.iter().map(|id| &staff[id]).collect();
                let paid: Vec<String> = chosen
                    .iter()
                    .filter(|s| s.active)
                    .map(|s| format!("{}（{}）", s.name, mask_id_number(&s.id_number)))
                    .collect();
                if !paid.is_empty() {
                    return Err(OrderError::AlreadyPaid {
                        field: "trainee_ids",
                        names: paid,
                        year: year.year,
                    }
                    .into());
                }
                let amount_fen = chosen.iter().map(|s| year.fee_fen(s.grade)).sum();
                if let Some(id) =
                    orders::open_unit_order_for(&mut *c, unit_id, year.year, &ids, amount_fen)
                        .await?
                {
                    return orders::get(c, id)
                        .await?
                        .ok_or_else(|| AppError::Internal("order vanished".into()));
                }
                let new = NewOrder {
                    merchant_order_id,
                    kind: OrderKind::Unit,
                    payer_id: admin_id,
                    unit_id: Some(unit_id),
                    year: year.year,
                    amount_fen,
                };
                let id = orders::insert(&mut *c, &new, now)
                    .await?
                    .ok_or_else(|| AppError::Internal("unit order insert conflicted".into()))?;
                for s in &chosen {
                    orders::insert_item(
                        &mut *c,
                        id,
                        s.id,
                        year.year,
                        s.grade,
                        year.fee_fen(s.grade),
                    )
                    .await?;
                }
                let detail = format!(
                    "{} 人，{} 分：{}",
                    chosen.len(),
                    amount_fen,
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                );
                let target = format!("order:{id}");
                audit::record(
                    &mut *c,
                    now,
                    Some(admin_id),
                    "create_unit_order",
                    &target,
                    &detail,
                )
                .await?;
                orders::get(c, id)
                    .await?
                    .ok_or_else(|| AppError::Internal("order vanished".into()))
            })
        })
        .await
        .map_err(OrderError::from)
}

/// A new order number: the year and 64 random bits, so that it is unique at the platform.
fn merchant_order_id(year: i32) -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(format!("Q{year}-{}", hex::encode_upper(bytes)))
}

/// Opens (or gets back) the order's payment at the platform and records it.
async fn open_payment(state: &AppState, order: &OrderRow) -> Result<OrderCreated, OrderError> {
    let subject = match &order.unit_name {
        Some(unit) if order.kind == OrderKind::Unit => {
            format!("{}年度工勤技能岗位培训费（{unit}）", order.year)
        }
        _ => format!(
            "{}年度工勤技能岗位培训费（{}）",
            order.year, order.payer_name
        ),
    };
    let request = PaymentRequest {
        merchant_order_id: order.merchant_order_id.clone(),
        amount_fen: order.amount_fen,
        subject: subject.chars().take(MAX_SUBJECT_CHARS).collect(),
        notify_url: format!("{}/api/payments/notify", state.public_url),
        return_url: format!("{}/pay/return?order_id={}", state.public_url, order.id),
    };
    let created = state.payments.create(&request).await.map_err(|e| {
        tracing::warn!(order_id = order.id, error = %e, "cannot open a payment; the order stays payable");
        OrderError::PaymentUnavailable
    })?;
    if created.status != PaymentStatus::Pending {
        // Already paid at the platform, and the word of it has not reached us yet.
        let _ = payments::reconcile_order(state, &order.merchant_order_id).await;
        return Err(OrderError::Settled);
    }
    let (id, now) = (order.id, state.clock.now_secs());
    let (payment_id, pay_url) = (created.payment_id, created.cashier_url);
    let url = pay_url.clone();
    let still_open = state
        .db
        .write(move |c| {
            Box::pin(async move { Ok(orders::set_payment(c, id, &payment_id, &url, now).await?) })
        })
        .await?;
    if !still_open {
        return Err(OrderError::Settled);
    }
    Ok(OrderCreated {
        id: order.id,
        amount_fen: order.amount_fen,
        status: qinxue_core::order::OrderStatus::Pending,
        pay_url,
    })
}

/// `GET /api/orders/{id}`; someone else's order is a 404.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<Order, OrderError> {
    let payer = actor.payer()?;
    let mut conn = state.db.read().await?;
    let order = orders::get_in(&mut conn, &payer.orders(), id)
        .await?
        .ok_or(OrderError::NotFound)?;
    let items = orders::items_of(&mut conn, &[id]).await?;
    Ok(to_api(payer, order, items))
}

/// `GET /api/orders`: a trainee's orders (their own and their unit's for them) or a unit
/// admin's unit's orders, newest first.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Order>, OrderError> {
    let payer = actor.payer()?;
    let mut conn = state.db.read().await?;
    let rows = orders::list_in(&mut conn, &payer.orders()).await?;
    let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
    let mut items: HashMap<i64, Vec<ItemRow>> = HashMap::new();
    for item in orders::items_of(&mut conn, &ids).await? {
        items.entry(item.order_id).or_default().push(item);
    }
    Ok(rows
        .into_iter()
        .map(|o| {
            let its = items.remove(&o.id).unwrap_or_default();
            to_api(payer, o, its)
        })
        .collect())
}

fn to_api(payer: Payer<'_>, o: OrderRow, items: Vec<ItemRow>) -> Order {
    // A trainee whose unit pays sees their own line, not their colleagues'.
    let own_only = matches!(payer, Payer::Trainee(_)) && o.payer_id != payer.user().id;
    Order {
        id: o.id,
        order_no: o.merchant_order_id,
        kind: o.kind,
        year: o.year,
        amount_fen: o.amount_fen,
        status: o.status,
        unit_name: o.unit_name.filter(|_| o.kind == OrderKind::Unit),
        payer_name: o.payer_name,
        receipt_no: o.receipt_no,
        paid_at: o.paid_at.and_then(|t| DateTime::from_timestamp(t, 0)),
        created_at: DateTime::from_timestamp(o.created_at, 0).unwrap_or_default(),
        refund_fen: o.refund_fen,
        refund_reason: o.refund_reason,
        pay_url: o.pay_url.filter(|_| !o.status.is_settled() && !own_only),
        items: items
            .into_iter()
            .filter(|i| !own_only || i.user_id == payer.user().id)
            .map(|i| OrderItem {
                trainee_id: i.user_id,
                name: i.name,
                id_number: mask_id_number(&i.id_number),
                grade: i.grade,
                fee_fen: i.fee_fen,
                outcome: i.outcome,
            })
            .collect(),
    }
}

/// `GET /api/unit/staff`: the unit admin's unit's trainees, masked, with the year's fee and
/// whether each is paid for.
pub async fn unit_staff(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
) -> Result<UnitStaff, OrderError> {
    actor.unit_admin()?;
    let staff_scope = actor.people()?;
    let now = state.clock.now();
    let year = match year {
        None => policy::in_force(state, now).await?,
        Some(y) => {
            let mut conn = state.db.read().await?;
            policy_years::in_force(&mut conn, y)
                .await?
                .filter(|p| p.year == y)
                .ok_or(OrderError::NoPolicyYear(y))?
        }
    };
    let mut conn = state.db.read().await?;
    let staff = orders::unit_staff(&mut conn, &staff_scope, year.year).await?;
    Ok(UnitStaff {
        year: year.year,
        registration_open: year.payable(now),
        registration_deadline: year.registration_closes_at(),
        staff: staff
            .into_iter()
            .map(|s| {
                let grade = s.enrolled_grade.unwrap_or(s.grade);
                StaffMember {
                    id: s.id,
                    name: s.name,
                    id_number: mask_id_number(&s.id_number),
                    phone: mask_phone(&s.phone),
                    grade,
                    fee_fen: year.fee_fen(grade),
                    paid: s.active,
                    open_order_id: s.open_order_id,
                }
            })
            .collect(),
    })
}

/// The demo's paid trainee's order (`QINXUE_DEMO=1`): paid and settled the day the demo is
/// seeded, so that their orders page shows how a paid order looks. It never reaches the
/// platform, so its ids only have the platform's form.
pub async fn seed_paid(
    c: &mut sqlx::AnyConnection,
    trainee: &crate::storage::users::NewUser,
    trainee_id: i64,
    year: &PolicyYear,
    now: i64,
) -> Result<(), AppError> {
    let grade = trainee.grade.ok_or(AppError::Forbidden)?;
    let new = NewOrder {
        merchant_order_id: merchant_order_id(year.year)?,
        kind: OrderKind::Individual,
        payer_id: trainee_id,
        unit_id: trainee.unit_id,
        year: year.year,
        amount_fen: year.fee_fen(grade),
    };
    let id = orders::insert(&mut *c, &new, now)
        .await?
        .ok_or_else(|| AppError::Internal("demo order conflicted".into()))?;
    orders::insert_item(&mut *c, id, trainee_id, year.year, grade, new.amount_fen).await?;
    let paid_at = DateTime::from_timestamp(now, 0).unwrap_or_default();
    let day = qinxue_core::time::local_date(paid_at).format("%Y%m%d");
    let receipt = format!("FJ{day}00000001");
    let payment = format!("EP{day}{}", &new.merchant_order_id[6..]);
    orders::claim_paid(&mut *c, id, &payment, &receipt, paid_at, now).await?;
    orders::set_item_outcome(
        c,
        id,
        trainee_id,
        qinxue_core::order::ItemOutcome::Activated,
    )
    .await?;
    Ok(())
}
