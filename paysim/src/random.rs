//! Randomness for identifiers, nonces and fault decisions, from the operating system
//! (`getrandom`), so that payment ids and nonces cannot be guessed.

/// A uniformly random `u64`.
pub fn u64() -> u64 {
    let mut bytes = [0u8; 8];
    // The OS source fails only on a broken system; a simulator cannot do anything useful then.
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    u64::from_le_bytes(bytes)
}

/// A number in `0..n` (`n > 0`). The modulo bias is below 2⁻³² for the small `n` used here.
pub fn below(n: u64) -> u64 {
    u64() % n
}

/// `true` with probability `p` (0 ≤ p ≤ 1).
pub fn chance(p: f64) -> bool {
    // 53 random bits give a uniform f64 in [0, 1).
    let unit = (u64() >> 11) as f64 / (1u64 << 53) as f64;
    unit < p
}

/// `len` random lowercase hex digits.
pub fn hex(len: usize) -> String {
    let mut bytes = vec![0u8; len.div_ceil(2)];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source works");
    let mut s = hex::encode(bytes);
    s.truncate(len);
    s
}

/// Fisher–Yates shuffle.
pub fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_has_the_asked_length_and_alphabet() {
        for len in [1, 8, 16, 17] {
            let s = hex(len);
            assert_eq!(s.len(), len);
            assert!(s
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }

    #[test]
    fn chance_respects_its_bounds() {
        assert!((0..1000).all(|_| chance(1.0)));
        assert!((0..1000).all(|_| !chance(0.0)));
    }

    #[test]
    fn shuffle_keeps_every_item() {
        let mut v: Vec<u32> = (0..50).collect();
        shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }
}
