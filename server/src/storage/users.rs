//! Accounts of every role.

use super::stored_enum;
use qinxue_core::{EmploymentType, Grade, Role};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use sqlx::Row;

/// One account as stored.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub role: Role,
    pub username: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub name: String,
    pub password_hash: String,
    pub unit_id: Option<i64>,
    pub region_code: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub trade: Option<String>,
    pub grade: Option<Grade>,
    /// Signed in with a one-time password (a roster import's, or an admin's reset): the person
    /// must set their own before anything else.
    pub must_change_password: bool,
}

/// What a new account is made of; `id` is assigned by the database.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub role: Role,
    pub username: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub name: String,
    pub password_hash: String,
    pub unit_id: Option<i64>,
    pub region_code: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub trade: Option<String>,
    pub grade: Option<Grade>,
}

pub(crate) const COLUMNS: &str = "u.id, u.role, u.username, u.id_number, u.phone, u.name, \
     u.password_hash, u.unit_id, u.region_code, u.employment_type, u.trade, u.grade, \
     u.must_change_password";

pub(crate) fn from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        role: stored_enum(&row.try_get::<String, _>("role")?, Role::from_wire)?,
        username: row.try_get("username")?,
        id_number: row.try_get("id_number")?,
        phone: row.try_get("phone")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        unit_id: row.try_get("unit_id")?,
        region_code: row.try_get("region_code")?,
        employment_type: opt_enum(row, "employment_type", EmploymentType::from_wire)?,
        trade: row.try_get("trade")?,
        grade: opt_enum(row, "grade", Grade::from_wire)?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
    })
}

fn opt_enum<T>(
    row: &AnyRow,
    col: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, sqlx::Error> {
    row.try_get::<Option<String>, _>(col)?
        .map(|v| stored_enum(&v, parse))
        .transpose()
}

pub async fn insert(conn: &mut AnyConnection, u: &NewUser, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (role, username, id_number, phone, name, password_hash, unit_id, \
         region_code, employment_type, trade, grade, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(u.role.as_str())
    .bind(u.username.as_deref())
    .bind(u.id_number.as_deref())
    .bind(u.phone.as_deref())
    .bind(&u.name)
    .bind(&u.password_hash)
    .bind(u.unit_id)
    .bind(u.region_code.as_deref())
    .bind(u.employment_type.map(EmploymentType::as_str))
    .bind(u.trade.as_deref())
    .bind(u.grade.map(Grade::as_str))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// The account a login names: its 身份证号, phone number or administrator username.
pub async fn find_by_login(
    conn: &mut AnyConnection,
    login: &str,
) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users u WHERE u.id_number = $1 OR u.phone = $1 OR u.username = $1"
    );
    sqlx::query(&sql)
        .bind(login)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await
}
