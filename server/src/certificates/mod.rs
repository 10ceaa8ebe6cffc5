//! What certificates need at run time: the province's Ed25519 signing key (made at the first
//! start, kept in the data folder), the font they are printed in, and the limits of the
//! public look-ups. The PDF itself is [`pdf`].
//!
//! Several instances on one PostgreSQL must share the key file (one data folder, or a copy of
//! the file): a certificate verifies against the key that signed it.

pub mod pdf;

use crate::throttle::Throttle;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use qinxue_core::certificate::{self, CertificateFacts};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name of the signing key inside `QINXUE_DATA`: the 32-byte Ed25519 seed in hex.
pub const KEY_FILE: &str = "certificate-signing.key";

/// Public verifications (`GET /api/verify/{code}`) per address and minute.
const VERIFY_PER_MINUTE: u32 = 30;
/// Eligibility look-ups per API token and minute.
const LOOKUPS_PER_MINUTE: u32 = 120;

/// Why certificates cannot be made; the server does not start without them.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read or create the certificate signing key {path}: {source}")]
    Key {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the certificate signing key {path} is not 64 hex digits; restore it from a backup (certificates it signed verify only against it)")]
    KeyFormat { path: PathBuf },
    #[error("QINXUE_CERT_FONT: cannot read the certificate font {path}: {source} (on Debian: apt-get install fonts-wqy-microhei, or name another font with Chinese glyphs)")]
    FontMissing {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("QINXUE_CERT_FONT: {path} is not a TrueType/OpenType font with Chinese glyphs")]
    FontUnusable { path: PathBuf },
    #[error("cannot draw the random signing key: {0}")]
    Random(String),
}

/// A payload that does not verify: unreadable, or not signed by this province's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid certificate payload")]
pub struct Invalid;

#[derive(Debug)]
pub struct Certificates {
    key: SigningKey,
    font: Arc<Vec<u8>>,
    /// `GET /api/verify/{code}`, per address.
    pub verify_limit: Throttle,
    /// `GET /api/eligibility`, per token.
    pub lookup_limit: Throttle,
}

impl Certificates {
    /// Reads (or at the first start creates) the key in `data_dir`, and reads the font.
    pub fn load(data_dir: &Path, font_path: &Path) -> Result<Self, SetupError> {
        let font = std::fs::read(font_path).map_err(|source| SetupError::FontMissing {
            path: font_path.to_owned(),
            source,
        })?;
        let font = Arc::new(font);
        if !pdf::font_has_chinese(&font) {
            return Err(SetupError::FontUnusable {
                path: font_path.to_owned(),
            });
        }
        std::fs::create_dir_all(data_dir).map_err(|source| SetupError::Key {
            path: data_dir.to_owned(),
            source,
        })?;
        Ok(Self {
            key: load_key(&data_dir.join(KEY_FILE))?,
            font,
            verify_limit: Throttle::new(VERIFY_PER_MINUTE, 60),
            lookup_limit: Throttle::new(LOOKUPS_PER_MINUTE, 60),
        })
    }

    /// The public key that verifies every certificate's QR code.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The signed payload (Base45) of a certificate's facts.
    pub fn sign(&self, facts: &CertificateFacts) -> Result<String, certificate::PayloadError> {
        let message = certificate::message(facts)?;
        let signature = self.key.sign(&message).to_bytes();
        Ok(certificate::payload(&message, &signature))
    }

    /// The Ed25519 signature of `message` (the revocation list's), in hex.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }

    /// The facts of a payload signed by this key.
    pub fn verify(&self, payload: &str) -> Result<CertificateFacts, Invalid> {
        verify_with(&self.key.verifying_key(), payload)
    }

    pub fn font(&self) -> Arc<Vec<u8>> {
        Arc::clone(&self.font)
    }
}

/// The facts of a payload signed by `key`.
pub fn verify_with(key: &VerifyingKey, payload: &str) -> Result<CertificateFacts, Invalid> {
    let opened = certificate::open(payload).map_err(|_| Invalid)?;
    key.verify(&opened.message, &Signature::from_bytes(&opened.signature))
        .map_err(|_| Invalid)?;
    Ok(opened.facts)
}

fn load_key(path: &Path) -> Result<SigningKey, SetupError> {
    let io = |source| SetupError::Key {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed).map_err(|e| SetupError::Random(e.to_string()))?;
            // `create_new`: of two instances starting at once, one writes and both read it.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(hex::encode(seed).as_bytes()).map_err(io)?;
                    file.sync_all().map_err(io)?;
                    tracing::info!(path = %path.display(), "created the certificate signing key");
                    Ok(SigningKey::from_bytes(&seed))
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    parse_key(path, &std::fs::read_to_string(path).map_err(io)?)
                }
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

fn parse_key(path: &Path, text: &str) -> Result<SigningKey, SetupError> {
    let bad = || SetupError::KeyFormat {
        path: path.to_owned(),
    };
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use qinxue_core::certificate::TenthsBySource;
    use qinxue_core::Grade;

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
                activity: 0,
            },
            completed_on: NaiveDate::from_ymd_opt(2025, 10, 3).unwrap(),
        }
    }

    fn certificates(dir: &Path) -> Certificates {
        Certificates::load(dir, Path::new(crate::config::DEFAULT_CERTIFICATE_FONT))
            .expect("fonts-wqy-microhei is installed for the tests")
    }

    #[test]
    fn a_signed_payload_verifies_and_states_its_facts() {
        let dir = tempfile::tempdir().unwrap();
        let c = certificates(dir.path());
        let payload = c.sign(&facts()).unwrap();
        assert_eq!(c.verify(&payload), Ok(facts()));
    }

    #[test]
    fn a_tampered_payload_or_another_key_fails() {
        let dir = tempfile::tempdir().unwrap();
        let c = certificates(dir.path());
        let payload = c.sign(&facts()).unwrap();
        // More hours than were signed: the layout reads, the signature does not hold.
        let mut bytes = certificate::base45_decode(&payload).unwrap();
        let online = 1 + 6 + 2 + 2 + 1 + 1;
        bytes[online + 1] = bytes[online + 1].wrapping_add(10);
        let doctored = certificate::base45_encode(&bytes);
        assert!(certificate::open(&doctored).is_ok());
        assert_eq!(c.verify(&doctored), Err(Invalid));
        assert_eq!(c.verify("not a payload"), Err(Invalid));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(certificates(other.path()).verify(&payload), Err(Invalid));
    }

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = certificates(dir.path()).public_key();
        assert_eq!(certificates(dir.path()).public_key(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the server's user reads the key");
        }
        std::fs::write(dir.path().join(KEY_FILE), "nonsense").unwrap();
        assert!(matches!(
            Certificates::load(
                dir.path(),
                Path::new(crate::config::DEFAULT_CERTIFICATE_FONT)
            ),
            Err(SetupError::KeyFormat { .. })
        ));
    }

    #[test]
    fn a_missing_font_names_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let err = Certificates::load(dir.path(), Path::new("/nonexistent/font.ttf")).unwrap_err();
        assert!(err.to_string().starts_with("QINXUE_CERT_FONT"), "{err}");
    }
}
