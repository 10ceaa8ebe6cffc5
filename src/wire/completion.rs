//! Decoders of the completion answers (`GET /api/me/years`).

use super::{boolean, int, maybe, maybe_instant, nullable, string, time, uint, FromJson, Json};
use chrono::NaiveDate;
use qinxue_core::api::{Certificate, TrainingYear, VerifyKey};
use qinxue_core::certificate::{CertificateFacts, RevocationList, TenthsBySource};
use qinxue_core::completion::BySource;
use qinxue_core::reminder::{Reminder, ReminderKind};
use qinxue_core::Grade;

/// A calendar date on the wire (`2025-10-03`), read by hand: chrono's parser would add its
/// formatting machinery to the bundle.
pub(super) fn date<J: Json>(o: &J, key: &str) -> Option<NaiveDate> {
    let text = string(o, key)?;
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn tenths<J: Json>(o: &J, key: &str) -> Option<u16> {
    u16::try_from(int(o, key)?).ok()
}

impl FromJson for TenthsBySource {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            online: tenths(o, "online")?,
            practice: tenths(o, "practice")?,
            group: tenths(o, "group")?,
            activity: tenths(o, "activity")?,
        })
    }
}

impl FromJson for CertificateFacts {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            code: string(o, "code")?,
            year: i32::try_from(int(o, "year")?).ok()?,
            name: string(o, "name")?,
            id_number: string(o, "id_number")?,
            grade: Grade::from_wire(&string(o, "grade")?)?,
            required_hours: uint(o, "required_hours")?,
            tenths: TenthsBySource::from_json(&o.member("tenths"))?,
            completed_on: date(o, "completed_on")?,
        })
    }
}

impl FromJson for RevocationList {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            generated_at: int(o, "generated_at")?,
            codes: Vec::from_json(&o.member("codes"))?,
            signature: string(o, "signature")?,
        })
    }
}

impl FromJson for Certificate {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            code: string(o, "code")?,
            url: string(o, "url")?,
            pdf_url: nullable(o, "pdf_url")?,
            qr_text: string(o, "qr_text")?,
            payload: string(o, "payload")?,
            facts: CertificateFacts::from_json(&o.member("facts"))?,
            unit_name: string(o, "unit_name")?,
            issued_at: time(o, "issued_at")?,
            revoked: boolean(o, "revoked")?,
            revoked_at: maybe_instant(o, "revoked_at")?,
            revoked_reason: nullable(o, "revoked_reason")?,
        })
    }
}

impl FromJson for Reminder {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            year: i32::try_from(int(o, "year")?).ok()?,
            kind: ReminderKind::from_wire(&string(o, "kind")?)?,
            days_before: uint(o, "days_before")?,
            deadline: date(o, "deadline")?,
            message: string(o, "message")?,
            sent_at: time(o, "sent_at")?,
        })
    }
}

impl FromJson for VerifyKey {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            algorithm: string(o, "algorithm")?,
            public_key: string(o, "public_key")?,
            layout: string(o, "layout")?,
        })
    }
}

impl FromJson for BySource {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            online: int(o, "online")?,
            practice: int(o, "practice")?,
            group: int(o, "group")?,
            activity: int(o, "activity")?,
        })
    }
}

impl FromJson for TrainingYear {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            year: i32::try_from(int(o, "year")?).ok()?,
            enrolled: boolean(o, "enrolled")?,
            grade: maybe(o, "grade", |v| Grade::from_wire(&v.text()?))?,
            required_hours: uint(o, "required_hours")?,
            minutes_per_hour: uint(o, "minutes_per_hour")?,
            credited_secs: BySource::from_json(&o.member("credited_secs"))?,
            credited_total_secs: int(o, "credited_total_secs")?,
            missing_secs: int(o, "missing_secs")?,
            completed: boolean(o, "completed")?,
            completed_at: maybe_instant(o, "completed_at")?,
            study_deadline: time(o, "study_deadline")?,
            registration_deadline: time(o, "registration_deadline")?,
            payable: boolean(o, "payable")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::FromJson;
    use chrono::DateTime;
    use qinxue_core::api::{Certificate, TrainingYear, VerifyKey};
    use qinxue_core::certificate::{CertificateFacts, TenthsBySource};
    use qinxue_core::completion::BySource;
    use qinxue_core::Grade;
    use serde_json::Value;

    fn year(completed: bool) -> TrainingYear {
        TrainingYear {
            year: 2025,
            enrolled: true,
            grade: Some(Grade::Intermediate),
            required_hours: 42,
            minutes_per_hour: 45,
            credited_secs: BySource {
                online: 1,
                practice: 2,
                group: 3,
                activity: 4,
            },
            credited_total_secs: 10,
            missing_secs: 5,
            completed,
            completed_at: completed.then(|| DateTime::from_timestamp(1_700_000_000, 0).unwrap()),
            study_deadline: DateTime::from_timestamp(1_767_196_799, 0).unwrap(),
            registration_deadline: DateTime::from_timestamp(1_761_926_399, 0).unwrap(),
            payable: !completed,
        }
    }

    fn certificate(revoked: bool) -> Certificate {
        Certificate {
            code: "7K3M9Q2XHP".into(),
            url: "http://x/verify/7K3M9Q2XHP".into(),
            pdf_url: (!revoked).then(|| "/api/me/certificates/2025/pdf".into()),
            qr_text: "http://x/verify/7K3M9Q2XHP#ABC".into(),
            payload: "ABC".into(),
            facts: CertificateFacts {
                code: "7K3M9Q2XHP".into(),
                year: 2025,
                name: "王建国".into(),
                id_number: "350***********1235".into(),
                grade: Grade::Senior,
                required_hours: 42,
                tenths: TenthsBySource {
                    online: 400,
                    practice: 21,
                    group: 3,
                    activity: 4,
                },
                completed_on: chrono::NaiveDate::from_ymd_opt(2025, 10, 3).unwrap(),
            },
            unit_name: "泉州市鲤城区机关事务服务中心".into(),
            issued_at: DateTime::from_timestamp(1_760_000_000, 0).unwrap(),
            revoked,
            revoked_at: revoked.then(|| DateTime::from_timestamp(1_770_000_000, 0).unwrap()),
            revoked_reason: revoked.then(|| "误发".into()),
        }
    }

    #[test]
    fn certificates_read_back_as_the_server_wrote_them() {
        for c in [certificate(false), certificate(true)] {
            let parsed: Value = serde_json::to_value(&c).unwrap();
            assert_eq!(Certificate::from_json(&&parsed), Some(c));
        }
        let key = VerifyKey {
            algorithm: "Ed25519".into(),
            public_key: "ab".repeat(32),
            layout: "…".into(),
        };
        let parsed: Value = serde_json::to_value(&key).unwrap();
        assert_eq!(VerifyKey::from_json(&&parsed), Some(key));
    }

    #[test]
    fn training_years_read_back_as_the_server_wrote_them() {
        for y in [year(true), year(false)] {
            let parsed: Value = serde_json::to_value(&y).unwrap();
            assert_eq!(TrainingYear::from_json(&&parsed), Some(y));
        }
    }
}
