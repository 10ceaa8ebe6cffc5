//! Mainland mobile numbers: 11 digits beginning with 1.

use std::fmt;

/// Why a string is not a mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("手机号应为以1开头的11位数字")]
    Format,
}

/// A validated 11-digit mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts 11 ASCII digits starting with `1`; spaces around it are ignored.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let s = input.trim();
        if s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(PhoneError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: the form used in lists.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Masks a stored phone number for display.
pub fn mask_phone(raw: &str) -> String {
    crate::id_number::mask_middle(raw, 3, 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mobile_numbers_are_eleven_digits_from_one() {
        assert!(Phone::parse("13800138000").is_ok());
        assert_eq!(
            Phone::parse(" 13800138000 ").unwrap().as_str(),
            "13800138000"
        );
        for bad in [
            "",
            "1380013800",
            "138001380000",
            "23800138000",
            "1380013800a",
            "１３８００１３８０００",
        ] {
            assert_eq!(Phone::parse(bad), Err(PhoneError::Format), "{bad}");
        }
    }

    #[test]
    fn masking_hides_the_middle_four() {
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_the_eleven_digit_numbers(s in "[0-9]{0,13}") {
            let ok = s.len() == 11 && s.starts_with('1');
            prop_assert_eq!(Phone::parse(&s).is_ok(), ok);
        }
    }
}
