//! Counts in words, with the noun in the right number ("1 month", "2 months").

/// Anything counted: every integer type, and a reference to one (as a
/// template hands a field over).
pub trait Countable {
    /// The count as a signed number.
    fn as_count(&self) -> i64;
}

macro_rules! countable {
    ($($t:ty),*) => {$(
        impl Countable for $t {
            fn as_count(&self) -> i64 {
                i64::try_from(*self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
countable!(i32, i64, u32, u64, usize);

impl<T: Countable + ?Sized> Countable for &T {
    fn as_count(&self) -> i64 {
        (**self).as_count()
    }
}

/// `n` and the noun that agrees with it.
pub fn count(n: impl Countable, one: &str, many: &str) -> String {
    let n = n.as_count();
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
