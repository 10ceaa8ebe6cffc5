//! The checks after the last restart, on the database the server left behind (it has been
//! stopped, so nothing moves): the file is sound, every payment the simulator made is paid
//! exactly once, and every session's stored credit agrees with the replies its learner got.

use crate::load::{Log, Record, HEARTBEAT};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The most one heartbeat (or one released check) can credit: the period and its grace
/// (`LedgerConfig`).
const MOST_PER_BEAT: i64 = 30;

/// Prints the counts; `Ok(false)` when a check failed.
pub async fn verify(
    url: String,
    record: &Record,
    kills: usize,
    lesson_secs: i64,
) -> Result<bool, BoxError> {
    sqlx::any::install_default_drivers();
    let db = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    let log = record.snapshot();
    let mut ok = true;
    let mut fail = |what: String| {
        println!("FAIL: {what}");
        ok = false;
    };

    if url.starts_with("sqlite:") {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&db)
            .await?;
        println!("PRAGMA integrity_check: {integrity}");
        if integrity != "ok" {
            fail(format!("integrity_check said {integrity:?}"));
        }
    }
    println!("kills: {} of {kills}", log.crashes);
    println!("heartbeat outcomes: {:?}", log.outcomes);

    let payments = payments(&db, &log).await?;
    println!(
        "orders the simulator reported paid: {}; paid in the database: {}; applied exactly \
         once: {}; with the enrolment active: {}; refunds owed: {}; orders left unpaid: {}",
        log.paid_orders.len(),
        payments.paid,
        payments.applied_once,
        payments.active,
        payments.refunds,
        log.unpaid_orders
    );
    let n = log.paid_orders.len() as i64;
    if payments.paid != n || payments.applied_once != n || payments.active != n {
        fail(
            "an order the simulator paid is not paid exactly once with its enrolment active".into(),
        );
    }
    if payments.refunds != 0 {
        fail(format!("{} orders owe a refund", payments.refunds));
    }

    let activities = count_in(
        &db,
        "SELECT COUNT(*) FROM activities WHERE id IN",
        &log.activities,
    )
    .await?;
    println!(
        "activities acknowledged: {}; stored: {activities}",
        log.activities.len()
    );
    if activities != log.activities.len() as i64 {
        fail("an acknowledged activity is missing".into());
    }

    let credit = credit(&db, &log, lesson_secs).await?;
    println!(
        "sessions: {}; acknowledged credit {} s, stored {} s; heartbeats and answers without a \
         reply: {}; sessions with acknowledged credit lost: {}; sessions credited more than \
         acknowledged plus the unanswered: {}; ended by the server: {}",
        credit.sessions,
        credit.acked,
        credit.stored,
        credit.unknown,
        credit.lost_acked,
        credit.double,
        credit.ended
    );
    let allowed = HEARTBEAT.as_secs() as i64 * log.crashes as i64;
    println!(
        "credit lost to the kills (wall time of the session minus credit): {} s in all, at most \
         {} s in one session ({:.2} s per session per kill); allowed per session: one period per \
         kill, {allowed} s",
        credit.lost_total,
        credit.lost_max,
        credit.lost_total as f64 / credit.sessions.max(1) as f64 / log.crashes.max(1) as f64
    );
    if credit.lost_acked > 0 {
        fail(format!(
            "{} sessions lost credit that was acknowledged",
            credit.lost_acked
        ));
    }
    if credit.double > 0 {
        fail(format!("{} sessions were credited twice", credit.double));
    }
    if credit.lost_max > allowed {
        fail(format!(
            "a session lost {} s, more than {allowed} s",
            credit.lost_max
        ));
    }
    if credit.ended > 0 {
        fail(format!("the server ended {} live sessions", credit.ended));
    }
    println!(
        "{}",
        if ok {
            "crash test passed"
        } else {
            "crash test FAILED"
        }
    );
    Ok(ok)
}

async fn count_in(db: &AnyPool, select: &str, ids: &[i64]) -> Result<i64, sqlx::Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    sqlx::query_scalar(&format!("{select} ({})", list.join(", ")))
        .fetch_one(db)
        .await
}

struct Payments {
    paid: i64,
    applied_once: i64,
    active: i64,
    refunds: i64,
}

async fn payments(db: &AnyPool, log: &Log) -> Result<Payments, sqlx::Error> {
    let ids = &log.paid_orders;
    Ok(Payments {
        paid: count_in(db, "SELECT COUNT(*) FROM orders WHERE status = 'paid' AND id IN", ids).await?,
        // One applied notification (or reconciliation answer) per order, never two.
        applied_once: count_in(
            db,
            "SELECT COUNT(*) FROM (SELECT order_id FROM payment_notifications \
             WHERE verdict IN ('paid', 'refund_due') GROUP BY order_id HAVING COUNT(*) = 1) AS once \
             WHERE order_id IN",
            ids,
        )
        .await?,
        active: count_in(
            db,
            "SELECT COUNT(*) FROM orders o JOIN order_items i ON i.order_id = o.id \
             JOIN enrolments e ON e.user_id = i.user_id AND e.year = i.year \
             WHERE e.status = 'active' AND i.outcome = 'activated' AND o.id IN",
            ids,
        )
        .await?,
        refunds: sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE refund_fen > 0")
            .fetch_one(db)
            .await?,
    })
}

#[derive(Default)]
struct Credit {
    sessions: usize,
    acked: i64,
    stored: i64,
    unknown: u64,
    lost_acked: usize,
    double: usize,
    ended: usize,
    lost_total: i64,
    lost_max: i64,
}

/// Compares each session's stored credit with its replies. The learners are new, so the
/// lesson's credit is this session's alone. Between two accepted heartbeats the server
/// credits the time between them, up to [`MOST_PER_BEAT`]: what a session's wall time
/// (first to last accepted heartbeat, on the server's clock) exceeds its credit by is what
/// the kills cost it (a check forfeited counts too, and would show as more).
async fn credit(db: &AnyPool, log: &Log, lesson_secs: i64) -> Result<Credit, sqlx::Error> {
    let ids: Vec<String> = log.sessions.keys().map(i64::to_string).collect();
    // A live session carries its lesson's credit and hands it over to `lesson_progress` when
    // it ends (`storage::study`); the stored credit is the larger of the two.
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.started_at, s.last_beat, s.held_secs, s.ended_at, \
         CASE WHEN s.credited_secs > COALESCE(p.credited_secs, 0) THEN s.credited_secs \
         ELSE COALESCE(p.credited_secs, 0) END AS credited \
         FROM study_sessions s LEFT JOIN lesson_progress p \
         ON p.user_id = s.user_id AND p.lesson_id = s.lesson_id AND p.year = s.year \
         WHERE s.id IN ({})",
        ids.join(", ")
    ))
    .fetch_all(db)
    .await?;
    let mut c = Credit {
        sessions: rows.len(),
        ..Credit::default()
    };
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let stored: i64 = r.try_get("credited")?;
        let wall = r.try_get::<i64, _>("last_beat")? - r.try_get::<i64, _>("started_at")?;
        let held: i64 = r.try_get("held_secs")?;
        let s = log.sessions.get(&id).cloned().unwrap_or_default();
        c.acked += s.acked_secs;
        c.stored += stored;
        c.unknown += u64::from(s.unknown);
        if stored < s.acked_secs {
            c.lost_acked += 1;
            println!(
                "session {id}: stored {stored} s < acknowledged {} s",
                s.acked_secs
            );
        }
        if stored > s.acked_secs + MOST_PER_BEAT * i64::from(s.unknown) {
            c.double += 1;
            println!(
                "session {id}: stored {stored} s > acknowledged {} s + {} unanswered × {MOST_PER_BEAT} s",
                s.acked_secs, s.unknown
            );
        }
        if s.ended_by_server || r.try_get::<Option<i64>, _>("ended_at")?.is_some() {
            c.ended += 1;
        }
        if stored < lesson_secs {
            let lost = (wall - stored - held).max(0);
            c.lost_total += lost;
            c.lost_max = c.lost_max.max(lost);
        }
    }
    Ok(c)
}
