//! Money is integer fen everywhere; these helpers only format it for people.

/// `12600` → `126.00`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
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
}
