//! 居民身份证号码 (GB 11643-1999): 6-digit region code, 8-digit birth date, 3-digit sequence
//! and an ISO 7064 MOD 11-2 check character.

use chrono::NaiveDate;
use std::fmt;

/// First two digits of every province-level division that issues 身份证号 (GB/T 2260).
/// Staff of Fujian's institutions may have been born anywhere in the country.
const PROVINCE_CODES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a string is not a valid 身份证号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号应为18位")]
    Length,
    #[error("身份证号前17位应为数字，最后一位为数字或X")]
    Characters,
    #[error("身份证号的地区代码不存在")]
    Region,
    #[error("身份证号中的出生日期不正确")]
    BirthDate,
    #[error("身份证号校验位不正确，请核对")]
    CheckDigit,
}

/// A validated 18-character 身份证号, stored in canonical form (upper-case `X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Validates length, characters, province prefix, birth date (not in the future of
    /// `today`, not before 1900) and the check character. Surrounding spaces are ignored and a
    /// lower-case `x` is accepted, since both are common when people type the number.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let s = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCE_CODES.contains(&province) {
            return Err(IdNumberError::Region);
        }
        let birth = yyyymmdd(&bytes[6..14]).ok_or(IdNumberError::BirthDate)?;
        if birth > today || birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
            return Err(IdNumberError::BirthDate);
        }
        if check_char(&bytes[..17]) != char::from(bytes[17]) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(Self(s))
    }

    /// The canonical 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth encoded in positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        yyyymmdd(&self.0.as_bytes()[6..14]).expect("checked by parse")
    }

    /// The form shown in lists and on screens other than the owner's own profile:
    /// the first 3 and last 4 characters, e.g. `350***********1235`.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The date of eight ASCII digits `YYYYMMDD`, if it exists. Done by hand rather than with
/// chrono's format parser, which would add its whole strftime machinery to the web bundle.
fn yyyymmdd(digits: &[u8]) -> Option<NaiveDate> {
    let n = |r: std::ops::Range<usize>| {
        digits[r].iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(n(0..4)?).ok()?, n(4..6)?, n(6..8)?)
}

/// Masks a stored 身份证号 for display; works on any string so that a malformed legacy value
/// is still never shown whole.
pub fn mask_id_number(raw: &str) -> String {
    mask_middle(raw, 3, 4)
}

pub(crate) fn mask_middle(raw: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_start - keep_end;
    let mut out: String = chars[..keep_start].iter().collect();
    out.push_str(&"*".repeat(hidden));
    out.extend(&chars[chars.len() - keep_end..]);
    out
}

/// The GB 11643 check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn the_demo_numbers_are_valid() {
        for n in ["350502198001011235", "350582199203025017"] {
            assert_eq!(IdNumber::parse(n, today()).unwrap().as_str(), n);
        }
    }

    #[test]
    fn a_published_sample_with_x_is_valid_in_either_case() {
        // The standard's own example: 11010519491231002X.
        assert!(IdNumber::parse("11010519491231002X", today()).is_ok());
        let lower = IdNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(lower.as_str(), "11010519491231002X");
    }

    #[test]
    fn each_kind_of_mistake_is_named() {
        assert_eq!(
            IdNumber::parse("3505021980", today()),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            IdNumber::parse("3505021980010112A5", today()),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("990502198001011235", today()),
            Err(IdNumberError::Region)
        );
        assert_eq!(
            IdNumber::parse("350502198002301235", today()),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            IdNumber::parse("350502198001011236", today()),
            Err(IdNumberError::CheckDigit)
        );
    }

    #[test]
    fn a_birth_date_after_today_is_refused() {
        let first17 = b"35050220270101123";
        let full = format!(
            "{}{}",
            std::str::from_utf8(first17).unwrap(),
            check_char(first17)
        );
        assert_eq!(
            IdNumber::parse(&full, today()),
            Err(IdNumberError::BirthDate)
        );
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        let id = IdNumber::parse("350502198001011235", today()).unwrap();
        assert_eq!(id.masked(), "350***********1235");
        assert_eq!(mask_id_number("12"), "**");
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(PROVINCE_CODES.to_vec()),
            0u32..10_000,
            0i64..(365 * 100),
            0u32..1000,
        )
            .prop_map(|(province, area, days, seq)| {
                let birth =
                    NaiveDate::from_ymd_opt(1926, 1, 1).unwrap() + chrono::Duration::days(days);
                format!("{province:02}{area:04}{}{seq:03}", birth.format("%Y%m%d"))
            })
    }

    proptest! {
        #[test]
        fn every_well_formed_number_with_its_check_char_is_accepted(first17 in valid_first17()) {
            let full = format!("{first17}{}", check_char(first17.as_bytes()));
            let parsed = IdNumber::parse(&full, today()).unwrap();
            prop_assert_eq!(parsed.as_str(), full.as_str());
            prop_assert_eq!(parsed.birth_date().format("%Y%m%d").to_string(), &first17[6..14]);
        }

        #[test]
        fn any_other_check_char_is_refused(first17 in valid_first17(), other in proptest::sample::select(CHECK_CHARS.to_vec())) {
            prop_assume!(other != check_char(first17.as_bytes()));
            let full = format!("{first17}{other}");
            prop_assert_eq!(IdNumber::parse(&full, today()), Err(IdNumberError::CheckDigit));
        }

        #[test]
        fn changing_any_one_digit_is_detected(first17 in valid_first17(), pos in 0usize..17, delta in 1u8..10) {
            let full = format!("{first17}{}", check_char(first17.as_bytes()));
            let mut bytes = full.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed, today()).is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
            let _ = IdNumber::parse(&s, today());
            let _ = mask_id_number(&s);
        }

        #[test]
        fn a_masked_number_never_reveals_the_birth_date(first17 in valid_first17()) {
            let full = format!("{first17}{}", check_char(first17.as_bytes()));
            let masked = IdNumber::parse(&full, today()).unwrap().masked();
            prop_assert!(!masked.contains(&first17[6..14]));
            prop_assert_eq!(masked.chars().count(), 18);
        }
    }
}
