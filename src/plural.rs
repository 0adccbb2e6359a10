//! Counts in words, with the noun in the right number ("1 month", "2 months").

/// `n` and the noun that agrees with it.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 || n == -1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "month", "months"), "1 month");
        assert_eq!(count(0, "month", "months"), "0 months");
        assert_eq!(count(2, "case", "cases"), "2 cases");
        assert_eq!(count(1_u32, "challenge", "challenges"), "1 challenge");
    }
}
