//! Money is integer fen everywhere; these helpers only format it for people.

/// `12600` → `126.00`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `126`, `126.5` or `126.50` (元) → `12650` fen; `None` for anything else (a negative
/// amount, a third decimal, letters).
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('元').trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 9 {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_are_shown_as_yuan_with_two_decimals() {
        assert_eq!(format_yuan(12600), "126.00");
        assert_eq!(format_yuan(7200), "72.00");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(-150), "-1.50");
    }

    #[test]
    fn yuan_typed_by_people_become_fen() {
        assert_eq!(parse_yuan("126"), Some(12600));
        assert_eq!(parse_yuan(" 72.5 元"), Some(7250));
        assert_eq!(parse_yuan("0.05"), Some(5));
        for bad in ["", "-1", "1.234", "12a", ".5", "1e3"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }
}
