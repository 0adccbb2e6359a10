//! Money as integer cents, parsed from what people and employers type.

use std::fmt;

/// An amount in cents. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

/// Why a typed amount was refused, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountProblem {
    /// Nothing was typed.
    #[error("the amount is empty")]
    Empty,
    /// Not a number of dollars and cents.
    #[error("{0:?} is not an amount in dollars and cents, like 72.81")]
    Malformed(String),
    /// More than two decimals.
    #[error("{0:?} has more than two decimals; amounts are in dollars and cents")]
    OverPrecise(String),
    /// Below zero where that makes no sense.
    #[error("{0:?} is negative")]
    Negative(String),
    /// Beyond any real amount.
    #[error("{0:?} is too large")]
    TooLarge(String),
}

impl Cents {
    /// Parses "72.81", "80", "$1,234.50" (a leading minus when `allow_negative`).
    pub fn parse(raw: &str, allow_negative: bool) -> Result<Self, AmountProblem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(AmountProblem::Empty);
        }
        let (negative, rest) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let rest = rest.strip_prefix('$').unwrap_or(rest);
        let malformed = || AmountProblem::Malformed(trimmed.to_owned());
        let (whole, fraction) = match rest.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (rest, ""),
        };
        let whole: String = if whole.contains(',') {
            // Thousands separators only in their proper places: 1,234,567.
            let groups: Vec<&str> = whole.split(',').collect();
            let proper = !groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            if !proper {
                return Err(malformed());
            }
            groups.concat()
        } else {
            whole.to_owned()
        };
        if whole.is_empty() && fraction.is_empty() {
            return Err(malformed());
        }
        if !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(malformed());
        }
        if rest.ends_with('.') {
            return Err(malformed());
        }
        if fraction.len() > 2 {
            return Err(AmountProblem::OverPrecise(trimmed.to_owned()));
        }
        if whole.len() > 12 {
            return Err(AmountProblem::TooLarge(trimmed.to_owned()));
        }
        let dollars: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| malformed())?
        };
        let cents: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| malformed())? * 10,
            _ => fraction.parse().map_err(|_| malformed())?,
        };
        let value = dollars * 100 + cents;
        if negative && value != 0 {
            if !allow_negative {
                return Err(AmountProblem::Negative(trimmed.to_owned()));
            }
            return Ok(Self(-value));
        }
        Ok(Self(value))
    }
}

impl fmt::Display for Cents {
    /// "$1,234.56", "-$5.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

/// Cents as a form shows them back for editing: "1234.50", "-5.00".
pub fn plain_money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Basis points as a form shows them back: "2.75", "-1.50".
pub fn plain_percent(basis_points: i64) -> String {
    plain_money(basis_points)
}

/// `numerator / denominator` rounded half-up (away from zero at .5), for
/// non-negative operands; the one rounding rule for dues.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    if numerator >= 0 {
        (numerator + denominator / 2) / denominator
    } else {
        -((-numerator + denominator / 2) / denominator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_cents() {
        assert_eq!(Cents::parse("72.81", false), Ok(Cents(7281)));
        assert_eq!(Cents::parse("80", false), Ok(Cents(8000)));
        assert_eq!(Cents::parse("80.5", false), Ok(Cents(8050)));
        assert_eq!(Cents::parse(" $1,234.50 ", false), Ok(Cents(123_450)));
        assert_eq!(Cents::parse("0.07", false), Ok(Cents(7)));
        assert_eq!(Cents::parse("-5.00", true), Ok(Cents(-500)));
    }

    #[test]
    fn bad_amounts_say_why() {
        assert_eq!(
            Cents::parse("eighty", false),
            Err(AmountProblem::Malformed("eighty".into()))
        );
        assert_eq!(
            Cents::parse("65.639", false),
            Err(AmountProblem::OverPrecise("65.639".into()))
        );
        assert_eq!(
            Cents::parse("-5.00", false),
            Err(AmountProblem::Negative("-5.00".into()))
        );
        assert_eq!(Cents::parse("", false), Err(AmountProblem::Empty));
        for bad in ["1,23.00", "12.", ".", "1e3", "1.2.3", "12,3456", "$", "--5"] {
            assert!(Cents::parse(bad, true).is_err(), "{bad}");
        }
        assert!(matches!(
            Cents::parse("9999999999999", false),
            Err(AmountProblem::TooLarge(_))
        ));
    }

    #[test]
    fn amounts_print_as_dollars() {
        assert_eq!(Cents(123_456_789).to_string(), "$1,234,567.89");
        assert_eq!(Cents(-500).to_string(), "-$5.00");
        assert_eq!(Cents(7).to_string(), "$0.07");
    }

    #[test]
    fn printing_and_parsing_round_trip() {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        for _ in 0..2000 {
            let value = Cents(rng.gen_range(-10_000_000_000..10_000_000_000));
            assert_eq!(Cents::parse(&value.to_string(), true), Ok(value), "{value}");
        }
    }

    #[test]
    fn half_up_rounding() {
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
        assert_eq!(div_round_half_up(15, 10), 2);
        assert_eq!(div_round_half_up(-15, 10), -2);
    }
}
