//! A unit's roster: the accounts an import's rows name, and its writes (`services::roster`).

use super::stored_enum;
use qinxue_core::{EmploymentType, Grade, Role};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// A person as a roster file has them: one valid row of an import (`row` its line), or a
/// trainee of the unit for an export (`row` 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub row: u64,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub employment_type: EmploymentType,
    pub trade: String,
    pub grade: Grade,
}

/// An account a row names, by 身份证号.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: i64,
    pub unit_id: Option<i64>,
    pub trainee: bool,
    pub name: String,
    pub phone: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub trade: Option<String>,
    pub grade: Option<Grade>,
}

/// The accounts of the rows' 身份证号, and the owners of their phone numbers.
#[derive(Debug, Default)]
pub struct Existing {
    pub people: HashMap<String, Found>,
    pub phones: HashMap<String, i64>,
}

/// Values per statement: well under SQLite's and PostgreSQL's limits.
const CHUNK: usize = 500;

fn found(r: &AnyRow) -> Result<Found, sqlx::Error> {
    let opt = |col: &str| -> Result<Option<String>, sqlx::Error> { r.try_get(col) };
    Ok(Found {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        trainee: r.try_get::<i64, _>("trainee")? == 1,
        name: r.try_get("name")?,
        phone: opt("phone")?,
        employment_type: opt("employment_type")?
            .as_deref()
            .and_then(EmploymentType::from_wire),
        trade: opt("trade")?,
        grade: opt("grade")?.as_deref().and_then(Grade::from_wire),
    })
}

pub async fn existing(
    conn: &mut AnyConnection,
    people: &[Person],
) -> Result<Existing, sqlx::Error> {
    let mut out = Existing::default();
    for chunk in people.chunks(CHUNK) {
        let marks = super::params(conn, 1, chunk.len());
        let sql = format!(
            "SELECT id, unit_id, CASE WHEN role = 'trainee' THEN 1 ELSE 0 END AS trainee, name, \
             phone, employment_type, trade, grade, id_number FROM users WHERE id_number IN ({marks})"
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(p.id_number.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id_number: String = r.try_get("id_number")?;
            out.people.insert(id_number, found(&r)?);
        }
        let sql = format!("SELECT id, phone FROM users WHERE phone IN ({marks})");
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(p.phone.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.phones.insert(r.try_get("phone")?, r.try_get("id")?);
        }
    }
    Ok(out)
}

/// One write of an import.
#[derive(Debug, Clone)]
pub enum Change {
    Create(Person),
    Update(i64, Person),
}

/// Writes one change; a new account gets `one_time_hash`, the hash of its one-time password,
/// and must set its own password at the first sign-in.
pub async fn apply(
    conn: &mut AnyConnection,
    unit_id: i64,
    change: &Change,
    one_time_hash: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    match change {
        Change::Create(p) => {
            let hash = one_time_hash.ok_or_else(|| {
                sqlx::Error::Protocol("a new account needs its one-time password".into())
            })?;
            sqlx::query(
                "INSERT INTO users (role, id_number, phone, name, password_hash, unit_id, \
                 employment_type, trade, grade, created_at, must_change_password) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
            )
            .bind(Role::Trainee.as_str())
            .bind(p.id_number.as_str())
            .bind(p.phone.as_str())
            .bind(p.name.as_str())
            .bind(hash)
            .bind(unit_id)
            .bind(p.employment_type.as_str())
            .bind(p.trade.as_str())
            .bind(p.grade.as_str())
            .bind(now)
            .execute(conn)
            .await?;
        }
        Change::Update(id, p) => {
            // Only staff of this unit: the condition keeps a row from moving anyone else.
            sqlx::query(
                "UPDATE users SET name = $1, phone = $2, employment_type = $3, trade = $4, \
                 grade = $5 WHERE id = $6 AND unit_id = $7 AND role = $8",
            )
            .bind(p.name.as_str())
            .bind(p.phone.as_str())
            .bind(p.employment_type.as_str())
            .bind(p.trade.as_str())
            .bind(p.grade.as_str())
            .bind(*id)
            .bind(unit_id)
            .bind(Role::Trainee.as_str())
            .execute(&mut *conn)
            .await?;
            // The grade decides what each of their years requires.
            super::year_standings::mark(conn, &[*id]).await?;
        }
    }
    Ok(())
}

/// The unit's trainees in the roster's columns, by name.
pub async fn of_unit(conn: &mut AnyConnection, unit_id: i64) -> Result<Vec<Person>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id_number, name, phone, employment_type, trade, grade FROM users \
         WHERE unit_id = $1 AND role = $2 ORDER BY name, id",
    )
    .bind(unit_id)
    .bind(Role::Trainee.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let text = |col: &str| -> Result<String, sqlx::Error> {
                Ok(r.try_get::<Option<String>, _>(col)?.unwrap_or_default())
            };
            Ok(Person {
                row: 0,
                id_number: text("id_number")?,
                name: text("name")?,
                phone: text("phone")?,
                employment_type: stored_enum(&text("employment_type")?, EmploymentType::from_wire)?,
                trade: text("trade")?,
                grade: stored_enum(&text("grade")?, Grade::from_wire)?,
            })
        })
        .collect()
}
