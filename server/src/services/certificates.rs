//! Certificates (学时证明): issued for a completed year when first asked for, kept with the
//! facts they stated then, printed as a PDF, and verified by anyone with their code (or,
//! offline, with the signed payload of their QR code and the province's public key).

use crate::access::{AccessError, Actor};
use crate::certificates::pdf::{self, Sheet};
use crate::error::AppError;
use crate::services::completion;
use crate::services::study::random_u64;
use crate::state::AppState;
use crate::storage::certificates::{self as store, Stored};
use crate::storage::{audit, units};
use chrono::{DateTime, Datelike};
use qinxue_core::api::{Certificate, VerifyKey};
use qinxue_core::catalogue::format_hours;
use qinxue_core::certificate::{
    code_from_bytes, normalise_code, revocation_message, CertificateFacts, RevocationList,
    TenthsBySource, CODE_BYTES, MAX_REASON_CHARS,
};
use qinxue_core::completion::Source;
use qinxue_core::id_number::mask_id_number;
use qinxue_core::time::local_date;
use qinxue_core::Grade;
use sqlx::AnyConnection;
use std::io::Write;

/// Why a certificate is not issued, shown, verified or revoked.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// No such year of the holder, or no certificate of that code.
    #[error("not found")]
    NotFound,
    /// The year is not completed; the text says what it lacks, as the holder is told (and as
    /// a unit's ZIP lists it).
    #[error("year not completed: {0}")]
    NotCompleted(String),
    /// Too many verifications from one address.
    #[error("verifications rate limited")]
    RateLimited,
    /// A revocation without a reason, or with one over the limit.
    #[error("revocation reason empty or too long")]
    BadReason,
    /// A fault of the layers below (database, writer, signing, PDF, ZIP, randomness).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for CertificateError {
    fn from(e: sqlx::Error) -> Self {
        CertificateError::Fault(e.into())
    }
}

/// Who a certificate is for.
#[derive(Debug, Clone)]
pub struct Holder {
    pub user_id: i64,
    pub name: String,
    pub id_number: Option<String>,
    pub unit_id: Option<i64>,
    pub grade: Option<Grade>,
}

impl Holder {
    fn of(actor: &Actor) -> Result<Self, CertificateError> {
        let u = actor.trainee()?;
        Ok(Self {
            user_id: u.id,
            name: u.name.clone(),
            id_number: u.id_number.clone(),
            unit_id: u.unit_id,
            grade: u.grade,
        })
    }
}

/// The page that verifies a certificate, and what its QR code holds: the page with the
/// signed payload after `#` (never sent to the server; the page reads it itself), its three
/// Base45 characters that a URL cannot carry escaped.
fn urls(state: &AppState, c: &Stored) -> (String, String) {
    let url = format!("{}/verify/{}", state.public_url, c.facts.code);
    let fragment = c
        .payload
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('+', "%2B");
    let qr = format!("{url}#{fragment}");
    (url, qr)
}

fn to_wire(state: &AppState, c: Stored, with_pdf: bool) -> Certificate {
    let (url, qr_text) = urls(state, &c);
    let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or_default();
    Certificate {
        pdf_url: with_pdf.then(|| format!("/api/me/certificates/{}/pdf", c.facts.year)),
        code: c.facts.code.clone(),
        url,
        qr_text,
        payload: c.payload,
        facts: c.facts,
        unit_name: c.unit_name,
        issued_at: at(c.issued_at),
        revoked: c.revoked_at.is_some(),
        revoked_at: c.revoked_at.map(at),
        revoked_reason: c.revoked_reason,
    }
}

/// The valid certificate of a holder's year, issuing it if the year is completed and has
/// none yet; 409 `not_completed` saying what is missing otherwise.
pub async fn issue(
    state: &AppState,
    holder: &Holder,
    year: i32,
) -> Result<Stored, CertificateError> {
    let now = state.clock.now();
    let facts_and_unit = {
        let mut conn = state.db.read().await?;
        if let Some(c) = store::valid_for(&mut conn, holder.user_id, year).await? {
            return Ok(c);
        }
        facts_of(&mut conn, holder, year, now).await?
    };
    let (mut facts, unit_name) = facts_and_unit;
    let mut code = [0u8; CODE_BYTES];
    code.copy_from_slice(&random_u64()?.to_be_bytes()[..CODE_BYTES]);
    facts.code = code_from_bytes(code);
    let payload = state
        .certificates
        .sign(&facts)
        .map_err(|e| AppError::Internal(format!("certificate layout: {e}")))?;
    let new = Stored {
        user_id: holder.user_id,
        facts,
        unit_name,
        issued_at: now.timestamp(),
        payload,
        revoked_at: None,
        revoked_reason: None,
    };
    state
        .db
        .write(move |c| Box::pin(async move { Ok(store::insert(c, &new).await?) }))
        .await
        .map_err(CertificateError::from)
}

/// What a completed year's certificate states; 409 when the year is not completed.
async fn facts_of(
    conn: &mut AnyConnection,
    holder: &Holder,
    year: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(CertificateFacts, String), CertificateError> {
    let years = completion::of_trainee(conn, holder.user_id, holder.grade, now)
        .await?
        .ok_or(CertificateError::NotFound)?;
    let y = years
        .iter()
        .find(|y| y.policy.year == year)
        .ok_or(CertificateError::NotFound)?;
    let o = &y.outcome;
    let (Some(grade), Some(completed_at), true) = (y.grade, o.completed_at, o.completed) else {
        let message = if !o.enrolled {
            format!("{year}年度未报名缴费，没有学时证明")
        } else {
            format!(
                "{year}年度尚未完成：要求 {} 学时，还差 {} 学时",
                y.required_hours(),
                format_hours(o.missing_secs(), y.policy.minutes_per_hour)
            )
        };
        return Err(CertificateError::NotCompleted(message));
    };
    // Tenths of a 学时, as the pages show them (rounded down, like every figure of hours).
    let per_tenth = i64::from(y.policy.minutes_per_hour.max(1)) * 6;
    let tenths = |s: Source| u16::try_from(o.credited.get(s) / per_tenth).unwrap_or(u16::MAX);
    let completed_on = DateTime::from_timestamp(completed_at, 0)
        .map(local_date)
        .ok_or_else(|| AppError::Internal("completion instant out of range".into()))?;
    let unit_name = match holder.unit_id {
        Some(id) => units::get(conn, id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok((
        CertificateFacts {
            code: String::new(),
            year,
            name: holder.name.clone(),
            id_number: mask_id_number(holder.id_number.as_deref().unwrap_or_default()),
            grade,
            required_hours: y.required_hours(),
            tenths: TenthsBySource {
                online: tenths(Source::Online),
                practice: tenths(Source::Practice),
                group: tenths(Source::Group),
                activity: tenths(Source::Activity),
            },
            completed_on,
        },
        unit_name,
    ))
}

/// `GET /api/me/certificates/{year}`.
pub async fn mine(
    state: &AppState,
    actor: &Actor,
    year: i32,
) -> Result<Certificate, CertificateError> {
    let holder = Holder::of(actor)?;
    let c = issue(state, &holder, year).await?;
    Ok(to_wire(state, c, true))
}

/// The PDF of a stored certificate.
pub async fn render(state: &AppState, c: &Stored) -> Result<Vec<u8>, CertificateError> {
    let (url, qr_text) = urls(state, c);
    let font = state.certificates.font();
    let (facts, unit_name) = (c.facts.clone(), c.unit_name.clone());
    let issued_on = DateTime::from_timestamp(c.issued_at, 0)
        .map(local_date)
        .unwrap_or(facts.completed_on);
    // Subsetting the font and compressing take tens of milliseconds of CPU.
    tokio::task::spawn_blocking(move || {
        pdf::render(
            font,
            &Sheet {
                facts: &facts,
                unit_name: &unit_name,
                verify_url: &url,
                qr_text: &qr_text,
                issued_on,
            },
        )
    })
    .await
    .map_err(|e| AppError::Internal(format!("PDF task: {e}")))?
    .map_err(|e| AppError::Internal(e).into())
}

/// `GET /api/me/certificates/{year}/pdf`: (file name, PDF).
pub async fn my_pdf(
    state: &AppState,
    actor: &Actor,
    year: i32,
) -> Result<(String, Vec<u8>), CertificateError> {
    let holder = Holder::of(actor)?;
    let c = issue(state, &holder, year).await?;
    let name = file_name(&c);
    Ok((name, render(state, &c).await?))
}

/// `GET /api/me/certificates/{year}/qr.svg`: the QR code the PDF prints, for the print page.
pub async fn my_qr(state: &AppState, actor: &Actor, year: i32) -> Result<String, CertificateError> {
    let holder = Holder::of(actor)?;
    let c = issue(state, &holder, year).await?;
    let (_, qr_text) = urls(state, &c);
    pdf::qr_svg(&qr_text).map_err(|e| AppError::Internal(e).into())
}

fn file_name(c: &Stored) -> String {
    format!(
        "学时证明-{}-{}-{}.pdf",
        c.facts.year, c.facts.name, c.facts.code
    )
}

/// `GET /api/verify/{code}`: what the certificate states, for anyone with its code; an
/// unknown or malformed code is not found. Limited per address (`Certificates::verify_limit`).
pub async fn verify(
    state: &AppState,
    ip: &str,
    code: &str,
) -> Result<Certificate, CertificateError> {
    if !state
        .certificates
        .verify_limit
        .allow(ip, state.clock.now_secs())
    {
        return Err(CertificateError::RateLimited);
    }
    let code = normalise_code(code).ok_or(CertificateError::NotFound)?;
    let mut conn = state.db.read().await?;
    let c = store::by_code(&mut conn, &code)
        .await?
        .ok_or(CertificateError::NotFound)?;
    Ok(to_wire(state, c, false))
}

/// `POST /api/admin/certificates/{code}/revoke`: the province revokes a certificate, with a
/// reason its verification page shows; audited. Revoking a revoked one changes nothing (its
/// first reason stays); an unknown code is not found. The holder may then be issued a new one.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    code: &str,
    reason: &str,
) -> Result<Certificate, CertificateError> {
    let admin_id = actor.policy_manager()?.id;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(CertificateError::BadReason);
    }
    let code = normalise_code(code).ok_or(CertificateError::NotFound)?;
    let now = state.clock.now_secs();
    let revoked = state
        .db
        .write(move |c| {
            Box::pin(async move {
                store::by_code(&mut *c, &code)
                    .await?
                    .ok_or(CertificateError::NotFound)?;
                if store::revoke(&mut *c, &code, now, &reason).await? {
                    audit::record(
                        &mut *c,
                        now,
                        Some(admin_id),
                        "certificate.revoke",
                        &format!("certificate:{code}"),
                        &reason,
                    )
                    .await?;
                }
                store::by_code(c, &code)
                    .await?
                    .ok_or_else(|| CertificateError::NotFound.into())
            })
        })
        .await?;
    Ok(to_wire(state, revoked, false))
}

/// `GET /api/verify/revoked`: every revoked code, signed, as of now.
pub async fn revocations(state: &AppState) -> Result<RevocationList, CertificateError> {
    let codes = {
        let mut conn = state.db.read().await?;
        store::revoked_codes(&mut conn).await?
    };
    let generated_at = state.clock.now_secs();
    let signature = state
        .certificates
        .sign_hex(&revocation_message(generated_at, &codes));
    Ok(RevocationList {
        generated_at,
        codes,
        signature,
    })
}

/// `GET /api/verify/key`.
pub fn key(state: &AppState) -> VerifyKey {
    VerifyKey {
        algorithm: "Ed25519".into(),
        public_key: hex::encode(state.certificates.public_key()),
        layout: "Base45 (RFC 9285) of: version 1 (1 byte), code (6), year (2), completion day \
                 since 2000-01-01 (2), grade index (1), required hours (1), tenths of hours \
                 online/practice/group/activity (4 x 2), masked id number (1 + n, UTF-8), name \
                 (1 + n, UTF-8), then the Ed25519 signature (64) of all bytes before it; \
                 integers big-endian"
            .into(),
    }
}

/// `GET /api/unit/certificates.zip?year=` (default: the year in force): every certificate of the unit admin's staff for the
/// year (issuing those not yet issued) as one ZIP of PDFs; the staff who have not completed
/// the year are listed in `未完成名单.txt` inside it. Audited.
pub async fn unit_zip(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
) -> Result<(i32, String, Vec<u8>), CertificateError> {
    let (admin, unit_id) = actor.unit_admin()?;
    let year = year.unwrap_or_else(|| local_date(state.clock.now()).year());
    let scope = actor.people()?;
    let people = {
        let mut conn = state.db.read().await?;
        store::enrolled_in(&mut conn, &scope, year).await?
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut unfinished: Vec<String> = Vec::new();
    for p in people {
        let holder = Holder {
            user_id: p.id,
            name: p.name,
            id_number: p.id_number,
            unit_id: Some(unit_id),
            grade: p.grade,
        };
        match issue(state, &holder, year).await {
            Ok(c) => files.push((file_name(&c), render(state, &c).await?)),
            Err(CertificateError::NotCompleted(message)) => unfinished.push(format!(
                "{}\t{}\t{message}",
                holder.name,
                mask_id_number(holder.id_number.as_deref().unwrap_or_default())
            )),
            Err(e) => return Err(e),
        }
    }
    let count = files.len();
    if !unfinished.is_empty() {
        files.push((
            "未完成名单.txt".into(),
            format!("{}\n", unfinished.join("\n")).into_bytes(),
        ));
    }
    let zip = tokio::task::spawn_blocking(move || zip_of(&files))
        .await
        .map_err(|e| AppError::Internal(format!("ZIP task: {e}")))??;
    let (admin_id, now) = (admin.id, state.clock.now_secs());
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                audit::record(
                    c,
                    now,
                    Some(admin_id),
                    "certificates.unit_zip",
                    &format!("unit:{unit_id}"),
                    &format!("{year}年度 {count} 份学时证明"),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok((year, format!("学时证明-{year}年度.zip"), zip))
}

/// Files as a ZIP, stored (PDFs are compressed already).
fn zip_of(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, CertificateError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("ZIP: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
