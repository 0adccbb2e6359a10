//! The one reading of a dues rate typed into a form, with the one set of
//! limits: the officer's rate form and a ballot question that adopts a rate
//! both come through here.

use super::FieldErrors;
use super::parse;
use crate::dues::rules::Rate;
use crate::money::Cents;

/// The highest percentage rate accepted, in basis points. Locals' dues run
/// around 1–2.5% of pay; anything above this is a typing slip.
pub const MAX_BASIS_POINTS: i64 = 1_000;

/// Which kind of rate the form describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKind {
    /// A share of base salary between a monthly minimum and maximum.
    Percent,
    /// The same amount every month.
    Flat,
}

/// What was typed for a rate, and the names its fields carry on this form
/// (the ballot form numbers its questions: `q1_dues_percent`).
#[derive(Debug, Clone, Copy)]
pub struct RateFields<'a> {
    /// Percent or flat.
    pub kind: RateKind,
    /// The share, "1.5".
    pub percent: &'a str,
    /// The monthly minimum; empty means none.
    pub min: &'a str,
    /// The monthly maximum.
    pub max: &'a str,
    /// The flat monthly amount.
    pub flat: &'a str,
}

/// The field names a rate's parts carry on a form.
#[derive(Debug, Clone, Copy)]
pub struct RateFieldNames<'a> {
    /// The share's field.
    pub percent: &'a str,
    /// The minimum's field.
    pub min: &'a str,
    /// The maximum's field.
    pub max: &'a str,
    /// The flat amount's field.
    pub flat: &'a str,
}

/// The dues page's names.
pub const PLAIN_NAMES: RateFieldNames<'static> = RateFieldNames {
    percent: "percent",
    min: "min",
    max: "max",
    flat: "flat",
};

fn amount(raw: &str) -> Result<Cents, String> {
    parse::money(raw, false).map_err(|e| format!("Enter an amount in dollars: {e}"))
}

/// Reads the rate, or says what is wrong with each field.
pub fn parse_rate(fields: RateFields<'_>, names: RateFieldNames<'_>) -> Result<Rate, FieldErrors> {
    let mut errors = FieldErrors::new();
    match fields.kind {
        RateKind::Flat => {
            let monthly = errors.take(names.flat, amount(fields.flat));
            if monthly.is_some_and(|m| m.0 == 0) {
                errors.add(names.flat, "A flat rate is more than $0.00 a month.");
            }
            match monthly {
                Some(monthly) if errors.is_empty() => Ok(Rate::Flat { monthly }),
                _ => Err(errors),
            }
        }
        RateKind::Percent => {
            let share = Cents::parse(fields.percent.trim().trim_end_matches('%'), false)
                .map(|c| c.0)
                .map_err(|_| format!("{:?} is not a percentage like 1.5", fields.percent.trim()))
                .and_then(|bp| {
                    if bp == 0 || bp > MAX_BASIS_POINTS {
                        Err(format!(
                            "A dues rate is above 0% and at most {}%.",
                            MAX_BASIS_POINTS / 100
                        ))
                    } else {
                        Ok(bp)
                    }
                });
            let basis_points = errors.take(names.percent, share);
            let min_raw = if fields.min.trim().is_empty() {
                "0"
            } else {
                fields.min
            };
            let monthly_min = errors.take(names.min, amount(min_raw));
            let monthly_max = errors.take(names.max, amount(fields.max));
            if let (Some(min), Some(max)) = (monthly_min, monthly_max)
                && max < min
            {
                errors.add(names.max, "The monthly maximum is below the minimum.");
            }
            match (basis_points, monthly_min, monthly_max) {
                (Some(basis_points), Some(monthly_min), Some(monthly_max)) if errors.is_empty() => {
                    Ok(Rate::Percent {
                        basis_points,
                        monthly_min,
                        monthly_max,
                    })
                }
                _ => Err(errors),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percent(p: &str, min: &str, max: &str) -> Result<Rate, FieldErrors> {
        parse_rate(
            RateFields {
                kind: RateKind::Percent,
                percent: p,
                min,
                max,
                flat: "",
            },
            PLAIN_NAMES,
        )
    }

    #[test]
    fn a_percentage_rate_reads_with_its_bounds() {
        assert_eq!(
            percent("1.5%", "50", "120"),
            Ok(Rate::Percent {
                basis_points: 150,
                monthly_min: Cents(5_000),
                monthly_max: Cents(12_000)
            })
        );
        let no_min = percent("1.5", "", "120").unwrap();
        assert!(matches!(
            no_min,
            Rate::Percent {
                monthly_min: Cents(0),
                ..
            }
        ));
    }

    #[test]
    fn each_field_says_what_is_wrong_with_it() {
        let errors = percent("one and a half", "50", "20").unwrap_err();
        assert!(
            errors
                .get("percent")
                .contains("is not a percentage like 1.5")
        );
        assert_eq!(
            errors.get("max"),
            "The monthly maximum is below the minimum."
        );
        let errors = percent("10.01", "x", "120").unwrap_err();
        assert!(errors.get("percent").contains("at most 10%"));
        assert!(errors.get("min").starts_with("Enter an amount in dollars"));
        assert!(percent("0", "0", "10").is_err());
        assert!(percent("10", "0", "10").is_ok());
    }

    #[test]
    fn a_flat_rate_is_a_positive_monthly_amount() {
        let flat = |amount: &str| {
            parse_rate(
                RateFields {
                    kind: RateKind::Flat,
                    percent: "",
                    min: "",
                    max: "",
                    flat: amount,
                },
                PLAIN_NAMES,
            )
        };
        assert_eq!(
            flat("40"),
            Ok(Rate::Flat {
                monthly: Cents(4_000)
            })
        );
        assert!(
            flat("0")
                .unwrap_err()
                .get("flat")
                .contains("more than $0.00")
        );
        assert!(flat("-4").is_err());
    }
}
