//! The certificate (学时证明) as its QR code carries it: the facts it states in a fixed binary
//! layout, signed with the province's Ed25519 key and written in Base45 (RFC 9285), in the
//! manner of the EU Digital COVID Certificate, so that a printed certificate can be checked
//! without reaching the server and an edited PDF fails because its QR code disagrees with it.
//!
//! Layout, version 1 (integers big-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version, `1` |
//! | 6 | the certificate's code (its ten Crockford Base32 characters) |
//! | 2 | year |
//! | 2 | day of completion (Shanghai), days since 2000-01-01 |
//! | 1 | grade (index in [`Grade::ALL`]) |
//! | 1 | required 学时 |
//! | 4 × 2 | tenths of 学时 credited: online, practice, group, activity |
//! | 1 + n | masked 身份证号, UTF-8, its length first |
//! | 1 + n | name, UTF-8, its length first |
//! | 64 | Ed25519 signature of every byte before it |
//!
//! A certificate of an ordinary name is about 120 bytes, 180 Base45 characters.
//! Signing and verifying are the server's and the verifier's (this crate has no crypto): this
//! module makes the message to sign and reads a payload back.

use crate::completion::Source;
use crate::grade::Grade;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The layout's version byte.
pub const VERSION: u8 = 1;
/// Bytes of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Bytes of a certificate code.
pub const CODE_BYTES: usize = 6;

/// Tenths of 学时 by source, as a certificate states them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TenthsBySource {
    pub online: u16,
    pub practice: u16,
    pub group: u16,
    pub activity: u16,
}

impl TenthsBySource {
    pub fn get(&self, source: Source) -> u16 {
        match source {
            Source::Online => self.online,
            Source::Practice => self.practice,
            Source::Group => self.group,
            Source::Activity => self.activity,
        }
    }

    pub fn total(&self) -> u32 {
        Source::ALL.iter().map(|s| u32::from(self.get(*s))).sum()
    }
}

/// `12.5`: tenths of 学时 for people.
pub fn format_tenths(tenths: u32) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// What a certificate states, and its QR code carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CertificateFacts {
    /// Ten Crockford Base32 characters.
    pub code: String,
    pub year: i32,
    pub name: String,
    /// 身份证号 with all but its first three and last four characters hidden.
    pub id_number: String,
    pub grade: Grade,
    pub required_hours: u32,
    /// 学时 credited to the year, in tenths, by source.
    pub tenths: TenthsBySource,
    /// The Shanghai day the year's requirement was reached.
    pub completed_on: NaiveDate,
}

/// Why a payload or a code cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("not Base45")]
    Base45,
    #[error("not a version {VERSION} certificate")]
    Version,
    #[error("truncated or malformed")]
    Malformed,
    #[error("a field does not fit the layout")]
    TooLarge,
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code's ten characters from its six bytes.
pub fn code_from_bytes(bytes: [u8; CODE_BYTES]) -> String {
    let mut n = bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
    let mut out = [0u8; 10];
    for slot in out.iter_mut().rev() {
        *slot = CROCKFORD[(n & 31) as usize];
        n >>= 5;
    }
    out.iter().map(|b| char::from(*b)).collect()
}

/// A code's six bytes; `None` for anything but ten Crockford Base32 characters (read as
/// Crockford allows: any case, `O` as 0, `I` and `L` as 1).
pub fn code_to_bytes(code: &str) -> Option<[u8; CODE_BYTES]> {
    if code.len() != 10 {
        return None;
    }
    let mut n = 0u64;
    for c in code.bytes() {
        let c = match c.to_ascii_uppercase() {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            c => c,
        };
        let v = CROCKFORD.iter().position(|x| *x == c)?;
        n = (n << 5) | v as u64;
    }
    // Ten characters hold 50 bits, a code 48: the first character is at most 7.
    if n >> (CODE_BYTES * 8) != 0 {
        return None;
    }
    let bytes = n.to_be_bytes();
    let mut out = [0u8; CODE_BYTES];
    out.copy_from_slice(&bytes[8 - CODE_BYTES..]);
    Some(out)
}

/// The canonical form of a code as typed: uppercase, Crockford's look-alikes mapped.
pub fn normalise_code(code: &str) -> Option<String> {
    code_to_bytes(code.trim()).map(code_from_bytes)
}

fn push_text(out: &mut Vec<u8>, text: &str) -> Result<(), PayloadError> {
    let len = u8::try_from(text.len()).map_err(|_| PayloadError::TooLarge)?;
    out.push(len);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// The bytes that are signed: every field of the layout before the signature.
pub fn message(facts: &CertificateFacts) -> Result<Vec<u8>, PayloadError> {
    let too_large = |_| PayloadError::TooLarge;
    let code = code_to_bytes(&facts.code).ok_or(PayloadError::Malformed)?;
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&code);
    out.extend_from_slice(&u16::try_from(facts.year).map_err(too_large)?.to_be_bytes());
    let days = (facts.completed_on - EPOCH).num_days();
    out.extend_from_slice(&u16::try_from(days).map_err(too_large)?.to_be_bytes());
    let grade = Grade::ALL
        .iter()
        .position(|g| *g == facts.grade)
        .ok_or(PayloadError::Malformed)?;
    out.push(u8::try_from(grade).map_err(too_large)?);
    out.push(u8::try_from(facts.required_hours).map_err(too_large)?);
    for s in Source::ALL {
        out.extend_from_slice(&facts.tenths.get(s).to_be_bytes());
    }
    push_text(&mut out, &facts.id_number)?;
    push_text(&mut out, &facts.name)?;
    Ok(out)
}

/// The QR code's text: the message and its signature, in Base45.
pub fn payload(message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> String {
    let mut all = message.to_vec();
    all.extend_from_slice(signature);
    base45_encode(&all)
}

/// A payload read back: the facts it states, the message they were signed as, and the
/// signature to verify it with. Reading checks the layout, not the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub facts: CertificateFacts,
    pub message: Vec<u8>,
    pub signature: [u8; SIGNATURE_LEN],
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PayloadError> {
        if self.0.len() < n {
            return Err(PayloadError::Malformed);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u16(&mut self) -> Result<u16, PayloadError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u8(&mut self) -> Result<u8, PayloadError> {
        Ok(self.take(1)?[0])
    }

    fn text(&mut self) -> Result<String, PayloadError> {
        let len = usize::from(self.u8()?);
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| PayloadError::Malformed)
    }
}

/// Reads a payload (the QR code's text).
pub fn open(payload: &str) -> Result<Opened, PayloadError> {
    // Not `trim()`: a space is a Base45 digit, and a payload starts with one when its code's
    // first byte is 5 modulo 45 (about one certificate in 43).
    let pasted = payload.trim_matches(|c: char| c.is_whitespace() && c != ' ');
    let bytes = base45_decode(pasted).ok_or(PayloadError::Base45)?;
    if bytes.len() < SIGNATURE_LEN + 1 {
        return Err(PayloadError::Malformed);
    }
    let (message, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let mut r = Reader(message);
    if r.u8()? != VERSION {
        return Err(PayloadError::Version);
    }
    let mut code = [0u8; CODE_BYTES];
    code.copy_from_slice(r.take(CODE_BYTES)?);
    let year = i32::from(r.u16()?);
    let completed_on = EPOCH + chrono::Days::new(u64::from(r.u16()?));
    let grade = *Grade::ALL
        .get(usize::from(r.u8()?))
        .ok_or(PayloadError::Malformed)?;
    let required_hours = u32::from(r.u8()?);
    let tenths = TenthsBySource {
        online: r.u16()?,
        practice: r.u16()?,
        group: r.u16()?,
        activity: r.u16()?,
    };
    let id_number = r.text()?;
    let name = r.text()?;
    if !r.0.is_empty() {
        return Err(PayloadError::Malformed);
    }
    let mut sig = [0u8; SIGNATURE_LEN];
    sig.copy_from_slice(signature);
    Ok(Opened {
        facts: CertificateFacts {
            code: code_from_bytes(code),
            year,
            name,
            id_number,
            grade,
            required_hours,
            tenths,
            completed_on,
        },
        message: message.to_vec(),
        signature: sig,
    })
}

/// `2025年10月3日`.
pub fn format_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

const BASE45: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Base45 (RFC 9285): two bytes become three characters, a last single byte two. Its alphabet
/// is the QR code's alphanumeric mode, so the QR code stores 5.5 bits a character.
pub fn base45_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / 2 * 3 + 2);
    let mut push = |v: usize| out.push(char::from(BASE45[v]));
    for chunk in bytes.chunks(2) {
        match *chunk {
            [a, b] => {
                let n = usize::from(a) * 256 + usize::from(b);
                push(n % 45);
                push(n / 45 % 45);
                push(n / 2025);
            }
            [a] => {
                let n = usize::from(a);
                push(n % 45);
                push(n / 45);
            }
            _ => unreachable!("chunks of two"),
        }
    }
    out
}

/// Base45 back to bytes; `None` for a character outside the alphabet, a dangling character or
/// a group beyond the bytes it stands for.
pub fn base45_decode(text: &str) -> Option<Vec<u8>> {
    let values: Vec<u32> = text
        .bytes()
        .map(|c| BASE45.iter().position(|x| *x == c).map(|v| v as u32))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(values.len() / 3 * 2 + 1);
    for group in values.chunks(3) {
        match *group {
            [c, d, e] => {
                let n = c + d * 45 + e * 2025;
                let n = u16::try_from(n).ok()?;
                out.extend_from_slice(&n.to_be_bytes());
            }
            [c, d] => out.push(u8::try_from(c + d * 45).ok()?),
            _ => return None,
        }
    }
    Some(out)
}

/// `POST /api/admin/certificates/{code}/revoke`: why the province revokes a certificate
/// (shown by its verification page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevokeCertificate {
    /// 1–200 characters.
    pub reason: String,
}

/// The longest revocation reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// `GET /api/verify/revoked`: the codes of every revoked certificate, as of `generated_at`,
/// signed with the province's key, so that a verifier that keeps a copy can check a payload
/// offline against it and say how fresh its copy is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RevocationList {
    /// When the list was made (Unix seconds).
    pub generated_at: i64,
    /// Revoked codes, in ascending order.
    pub codes: Vec<String>,
    /// Hex of the Ed25519 signature of [`revocation_message`].
    pub signature: String,
}

impl RevocationList {
    pub fn is_revoked(&self, code: &str) -> bool {
        self.codes
            .binary_search_by(|c| c.as_str().cmp(code))
            .is_ok()
    }
}

/// What the list's signature covers: `qinxue-revocations 1`, the time and each code, one a
/// line (UTF-8, `\n` after each).
pub fn revocation_message(generated_at: i64, codes: &[String]) -> Vec<u8> {
    let mut text = format!("qinxue-revocations 1\n{generated_at}\n");
    for c in codes {
        text.push_str(c);
        text.push('\n');
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_list_says_which_codes_it_holds_and_signs_them_in_order() {
        let codes = vec!["0A1B2C3D4E".to_owned(), "7Z7Z7Z7Z7Z".to_owned()];
        let list = RevocationList {
            generated_at: 5,
            codes: codes.clone(),
            signature: String::new(),
        };
        assert!(list.is_revoked("7Z7Z7Z7Z7Z") && !list.is_revoked("1111111111"));
        assert_eq!(
            revocation_message(5, &codes),
            b"qinxue-revocations 1\n5\n0A1B2C3D4E\n7Z7Z7Z7Z7Z\n"
        );
    }

    fn facts() -> CertificateFacts {
        CertificateFacts {
            code: "7K3M9Q2XHP".into(),
            year: 2025,
            name: "王建国".into(),
            id_number: "350***********1235".into(),
            grade: Grade::Intermediate,
            required_hours: 42,
            tenths: TenthsBySource {
                online: 420,
                practice: 31,
                group: 0,
                activity: 12,
            },
            completed_on: NaiveDate::from_ymd_opt(2025, 10, 3).unwrap(),
        }
    }

    #[test]
    fn base45_matches_the_rfc_examples() {
        assert_eq!(base45_encode(b"AB"), "BB8");
        assert_eq!(base45_encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45_encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(base45_decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(base45_decode("GGW"), None, "65535 + 1 is no two bytes");
        assert_eq!(base45_decode("A"), None);
        assert_eq!(base45_decode("aB8"), None);
    }

    #[test]
    fn base45_round_trips_every_length() {
        let bytes: Vec<u8> = (0..=255).collect();
        for n in 0..bytes.len() {
            assert_eq!(
                base45_decode(&base45_encode(&bytes[..n])).unwrap(),
                &bytes[..n]
            );
        }
    }

    #[test]
    fn a_payload_reads_back_as_the_facts_signed() {
        let f = facts();
        let msg = message(&f).unwrap();
        let sig = [7u8; SIGNATURE_LEN];
        let text = payload(&msg, &sig);
        assert!(text.len() < 300, "{} characters", text.len());
        let opened = open(&text).unwrap();
        assert_eq!(opened.facts, f);
        assert_eq!(opened.message, msg);
        assert_eq!(opened.signature, sig);
    }

    #[test]
    fn a_payload_starting_with_a_space_reads_back_and_a_pasted_line_break_is_ignored() {
        let f = CertificateFacts {
            code: code_from_bytes([5, 0, 0, 0, 0, 0]),
            ..facts()
        };
        let text = payload(&message(&f).unwrap(), &[3; SIGNATURE_LEN]);
        assert!(text.starts_with(' '), "{text:?}");
        assert_eq!(open(&text).unwrap().facts, f);
        assert_eq!(open(&format!("{text}\r\n")).unwrap().facts, f);
    }

    #[test]
    fn a_long_name_still_fits_a_small_qr_code() {
        let f = CertificateFacts {
            name: "欧阳".repeat(10),
            ..facts()
        };
        let text = payload(&message(&f).unwrap(), &[0; SIGNATURE_LEN]);
        assert!(text.len() < 300, "{} characters", text.len());
    }

    #[test]
    fn broken_payloads_are_refused() {
        let text = payload(&message(&facts()).unwrap(), &[1; SIGNATURE_LEN]);
        assert_eq!(
            open(&text[..text.len() - 3]).unwrap_err(),
            PayloadError::Malformed
        );
        assert_eq!(open("hello").unwrap_err(), PayloadError::Base45);
        let mut bytes = base45_decode(&text).unwrap();
        bytes[0] = 2;
        assert_eq!(
            open(&base45_encode(&bytes)).unwrap_err(),
            PayloadError::Version
        );
    }

    #[test]
    fn codes_are_ten_crockford_characters_read_forgivingly() {
        let bytes = [0xde, 0xad, 0xbe, 0xef, 0x00, 0x01];
        let code = code_from_bytes(bytes);
        assert_eq!(code.len(), 10);
        assert_eq!(code_to_bytes(&code), Some(bytes));
        assert_eq!(normalise_code(&code.to_lowercase()), Some(code));
        assert_eq!(normalise_code("0O1IL00000"), Some("0011100000".into()));
        assert_eq!(code_to_bytes("ABC"), None);
        assert_eq!(code_to_bytes("UUUUUUUUUU"), None, "U is not Crockford's");
        assert_eq!(code_to_bytes("8000000000"), None, "more than 48 bits");
    }
}
