//! The one reading of a dues rate typed into a form, with the one set of
//! limits: the officer's rate form and a ballot question that adopts a rate
//! both come through here.

use super::FieldErrors;
use super::parse;
use crate::dues::rules::Rate;
pub use crate::dues::rules::RateKind;
use crate::money::Cents;

/// The highest percentage rate accepted, in basis points. Locals' dues run
/// around 1–2.5% of pay; anything above this is a typing slip.
pub const MAX_BASIS_POINTS: i64 = 1_000;

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

/// A share above 0% and at most `MAX_BASIS_POINTS`.
fn share_limits(basis_points: i64, names: RateFieldNames<'_>, errors: &mut FieldErrors) {
    if basis_points <= 0 || basis_points > MAX_BASIS_POINTS {
        errors.add(
            names.percent,
            format!(
                "A dues rate is above 0% and at most {}%.",
                MAX_BASIS_POINTS / 100
            ),
        );
    }
}

/// A monthly minimum not below zero and a maximum not below the minimum.
fn bounds_limits(min: Cents, max: Cents, names: RateFieldNames<'_>, errors: &mut FieldErrors) {
    if min.0 < 0 {
        errors.add(names.min, "The monthly minimum cannot be negative.");
    }
    if max < min {
        errors.add(names.max, "The monthly maximum is below the minimum.");
    }
}

/// Records, under the field each concerns, what keeps `rate` from being a
/// dues rate.
fn limits(rate: &Rate, names: RateFieldNames<'_>, errors: &mut FieldErrors) {
    match *rate {
        Rate::Percent {
            basis_points,
            monthly_min,
            monthly_max,
        } => {
            share_limits(basis_points, names, errors);
            bounds_limits(monthly_min, monthly_max, names, errors);
        }
        Rate::Flat { monthly } => {
            if monthly.0 <= 0 {
                errors.add(names.flat, "A flat rate is more than $0.00 a month.");
            }
        }
    }
}

/// Checks a rate built elsewhere (the command line's basis points) against
/// the same limits as the forms.
pub fn check_rate(rate: Rate, names: RateFieldNames<'_>) -> Result<Rate, FieldErrors> {
    let mut errors = FieldErrors::new();
    limits(&rate, names, &mut errors);
    errors.into_result(|| rate)
}

/// Reads the rate, or says what is wrong with each field.
pub fn parse_rate(fields: RateFields<'_>, names: RateFieldNames<'_>) -> Result<Rate, FieldErrors> {
    let mut errors = FieldErrors::new();
    match fields.kind {
        RateKind::Flat => {
            let parsed = errors
                .take(names.flat, amount(fields.flat))
                .map(|monthly| Rate::Flat { monthly });
            if let Some(rate) = parsed {
                limits(&rate, names, &mut errors);
            }
            match parsed {
                Some(rate) if errors.is_empty() => Ok(rate),
                _ => Err(errors),
            }
        }
        RateKind::Percent => {
            let basis_points = errors.take(
                names.percent,
                Cents::parse(fields.percent.trim().trim_end_matches('%'), false)
                    .map(|c| c.0)
                    .map_err(|_| {
                        format!("{:?} is not a percentage like 1.5", fields.percent.trim())
                    }),
            );
            let min_raw = if fields.min.trim().is_empty() {
                "0"
            } else {
                fields.min
            };
            let monthly_min = errors.take(names.min, amount(min_raw));
            let monthly_max = errors.take(names.max, amount(fields.max));
            // Each part is checked as soon as it reads, so one bad field
            // does not hide another's problem.
            if let Some(basis_points) = basis_points {
                share_limits(basis_points, names, &mut errors);
            }
            if let (Some(min), Some(max)) = (monthly_min, monthly_max) {
                bounds_limits(min, max, names, &mut errors);
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

    #[test]
    fn a_rate_from_the_command_line_meets_the_same_limits() {
        let rate = |basis_points| Rate::Percent {
            basis_points,
            monthly_min: Cents(5_000),
            monthly_max: Cents(12_000),
        };
        assert!(check_rate(rate(150), PLAIN_NAMES).is_ok());
        let errors = check_rate(rate(1_001), PLAIN_NAMES).unwrap_err();
        assert!(errors.get("percent").contains("at most 10%"));
        assert!(check_rate(rate(0), PLAIN_NAMES).is_err());
    }
}
