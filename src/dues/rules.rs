//! The arithmetic of dues: what a month costs a member, and whether they
//! are in good standing on a date. Pure functions; no database.

use crate::money::{Cents, div_round_half_up};

/// How a unit's dues are set for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// A share of base salary in basis points (150 = 1.5%), with a monthly
    /// floor and ceiling.
    Percent {
        /// Basis points of annual base salary, charged per year.
        basis_points: i64,
        /// The least a month costs.
        monthly_min: Cents,
        /// The most a month costs.
        monthly_max: Cents,
    },
    /// The same amount every month.
    Flat {
        /// Per month.
        monthly: Cents,
    },
}

impl Rate {
    /// One month's dues on an annual base salary: the salary times the
    /// rate, divided by twelve, rounded half-up to the cent once (never
    /// twice), then held between the minimum and maximum.
    pub fn monthly_dues(&self, annual_salary: Cents) -> Cents {
        match *self {
            Rate::Flat { monthly } => monthly,
            Rate::Percent {
                basis_points,
                monthly_min,
                monthly_max,
            } => {
                let exact = div_round_half_up(
                    i128::from(annual_salary.0.max(0)) * i128::from(basis_points),
                    10_000 * 12,
                );
                let monthly = i64::try_from(exact).unwrap_or(i64::MAX);
                Cents(monthly.clamp(monthly_min.0, monthly_max.0.max(monthly_min.0)))
            }
        }
    }
}

crate::db::text_enum::text_enum! {
    /// The kind of a dues rate, as a rate is stored and as a form or a
    /// ballot question names it.
    pub enum RateKind {
        /// A share of base salary between a monthly minimum and maximum.
        Percent = "percent",
        /// The same amount every month.
        Flat = "flat",
    }
}

impl Rate {
    /// True when some salary pays more a month under this rate than under
    /// `before`: a dues increase, which only a secret ballot may adopt. A
    /// percentage's dues rise with salary between its minimum and maximum,
    /// so comparing the ends and the share decides it.
    pub fn raises(&self, before: &Rate) -> bool {
        match (self, before) {
            (
                Self::Percent {
                    basis_points,
                    monthly_min,
                    monthly_max,
                },
                Self::Percent {
                    basis_points: old_bp,
                    monthly_min: old_min,
                    monthly_max: old_max,
                },
            ) => basis_points > old_bp || monthly_min > old_min || monthly_max > old_max,
            (Self::Flat { monthly }, Self::Flat { monthly: old }) => monthly > old,
            // The lowest salaries paid the old minimum.
            (Self::Flat { monthly }, Self::Percent { monthly_min, .. }) => monthly > monthly_min,
            // The highest salaries will pay the new maximum.
            (Self::Percent { monthly_max, .. }, Self::Flat { monthly }) => monthly_max > monthly,
        }
    }

    /// Which kind of rate this is.
    pub fn kind(&self) -> RateKind {
        match self {
            Self::Percent { .. } => RateKind::Percent,
            Self::Flat { .. } => RateKind::Flat,
        }
    }
}

crate::db::text_enum::text_enum! {
    /// A person's membership status on the roster, in the roster's order.
    pub enum Status {
        /// A dues-paying member.
        Member = "member",
        /// In the bargaining unit, not a member (agency fee).
        NonMember = "non-member",
        /// On leave.
        OnLeave = "on-leave",
        /// Resigned membership.
        Resigned = "resigned",
        /// Retired.
        Retired = "retired",
    }
}

impl Status {
    /// Reads a name typed in a CSV file or a form, in any case.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().to_ascii_lowercase().parse().ok()
    }
}

/// What decides standing on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandingFacts {
    /// Roster status on the date.
    pub status: Status,
    /// Ledger balance on the date (charges minus payments): what is owed.
    pub balance: Cents,
    /// One month's dues at the rate in force on the date.
    pub monthly_dues: Cents,
    /// How many months of dues may be owed while still in good standing.
    pub allowance_months: i64,
}

/// The verdict, with the figures behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// True when the member may vote.
    pub good: bool,
    /// Whole months of dues owed, rounded up (0 when nothing is owed).
    pub months_behind: i64,
}

/// Good standing: status member, and no more owed than the allowance of
/// months of dues. Credit (a negative balance) is never arrears.
pub fn standing(facts: StandingFacts) -> Standing {
    let owed = facts.balance.0.max(0);
    let months_behind = if owed == 0 {
        0
    } else if facts.monthly_dues.0 <= 0 {
        // Nothing is due per month, so any debt is old: count it as one month.
        1
    } else {
        (owed + facts.monthly_dues.0 - 1) / facts.monthly_dues.0
    };
    let allowed = facts
        .monthly_dues
        .0
        .max(0)
        .saturating_mul(facts.allowance_months.max(0));
    Standing {
        good: facts.status == Status::Member && owed <= allowed,
        months_behind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: Rate = Rate::Percent {
        basis_points: 150,
        monthly_min: Cents(5000),
        monthly_max: Cents(12000),
    };

    #[test]
    fn the_sample_roster_gives_the_sample_check_off() {
        // samples/roster.csv salaries against samples/checkoff.csv amounts.
        assert_eq!(SAMPLE.monthly_dues(Cents(5_825_000)), Cents(7281));
        assert_eq!(SAMPLE.monthly_dues(Cents(6_400_000)), Cents(8000));
        assert_eq!(
            SAMPLE.monthly_dues(Cents(5_250_000)),
            Cents(6563),
            "6562.5 rounds up"
        );
        assert_eq!(SAMPLE.monthly_dues(Cents(7_120_000)), Cents(8900));
        assert_eq!(
            SAMPLE.monthly_dues(Cents(3_000_000)),
            Cents(5000),
            "the minimum"
        );
        assert_eq!(
            SAMPLE.monthly_dues(Cents(12_000_000)),
            Cents(12000),
            "the maximum"
        );
        assert_eq!(
            Rate::Flat {
                monthly: Cents(4200)
            }
            .monthly_dues(Cents(9_999_999)),
            Cents(4200)
        );
    }

    #[test]
    fn standing_counts_months_of_dues_owed() {
        let facts = |balance| StandingFacts {
            status: Status::Member,
            balance: Cents(balance),
            monthly_dues: Cents(8000),
            allowance_months: 2,
        };
        assert_eq!(
            standing(facts(0)),
            Standing {
                good: true,
                months_behind: 0
            }
        );
        assert_eq!(
            standing(facts(-5000)),
            Standing {
                good: true,
                months_behind: 0
            }
        );
        assert_eq!(
            standing(facts(16000)),
            Standing {
                good: true,
                months_behind: 2
            }
        );
        assert_eq!(
            standing(facts(16001)),
            Standing {
                good: false,
                months_behind: 3
            }
        );
        let on_leave = StandingFacts {
            status: Status::OnLeave,
            ..facts(0)
        };
        assert!(
            !standing(on_leave).good,
            "only members are in good standing"
        );
    }

    #[test]
    fn an_increase_is_any_salary_paying_more() {
        let flat = |c| Rate::Flat { monthly: Cents(c) };
        let pct = |bp, min, max| Rate::Percent {
            basis_points: bp,
            monthly_min: Cents(min),
            monthly_max: Cents(max),
        };
        assert!(pct(175, 5000, 12000).raises(&SAMPLE), "a higher share");
        assert!(pct(150, 5500, 12000).raises(&SAMPLE), "a higher minimum");
        assert!(pct(150, 5000, 13000).raises(&SAMPLE), "a higher maximum");
        assert!(!pct(150, 5000, 12000).raises(&SAMPLE), "the same");
        assert!(!pct(125, 4000, 12000).raises(&SAMPLE), "lower");
        assert!(flat(4600).raises(&flat(4500)));
        assert!(!flat(4500).raises(&flat(4500)));
        assert!(flat(6000).raises(&SAMPLE), "more than the old minimum");
        assert!(!flat(5000).raises(&SAMPLE));
        assert!(SAMPLE.raises(&flat(4500)), "the top pays more");
        assert!(!pct(150, 0, 4500).raises(&flat(4500)));
    }

    proptest! {
        #[test]
        fn a_rate_raising_on_no_salary_is_no_increase(salary in 0i64..50_000_000, bp in 0i64..1_000, min in 0i64..20_000, span in 0i64..20_000, bp2 in 0i64..1_000, min2 in 0i64..20_000, span2 in 0i64..20_000) {
            let old = Rate::Percent { basis_points: bp, monthly_min: Cents(min), monthly_max: Cents(min + span) };
            let new = Rate::Percent { basis_points: bp2, monthly_min: Cents(min2), monthly_max: Cents(min2 + span2) };
            if !new.raises(&old) {
                prop_assert!(new.monthly_dues(Cents(salary)) <= old.monthly_dues(Cents(salary)));
            }
        }

        #[test]
        fn percent_dues_stay_within_the_bounds(salary in 0i64..10_000_000_000, bp in 0i64..2_000, min in 0i64..20_000, span in 0i64..50_000) {
            let rate = Rate::Percent { basis_points: bp, monthly_min: Cents(min), monthly_max: Cents(min + span) };
            let dues = rate.monthly_dues(Cents(salary));
            prop_assert!(dues.0 >= min && dues.0 <= min + span);
        }

        #[test]
        fn percent_dues_are_the_exact_share_rounded_once(salary in 0i64..10_000_000_000, bp in 1i64..2_000) {
            let rate = Rate::Percent { basis_points: bp, monthly_min: Cents(0), monthly_max: Cents(i64::MAX) };
            let dues = rate.monthly_dues(Cents(salary)).0 as i128;
            // |dues - exact| <= 1/2 cent, with exact = salary * bp / 120000.
            let twice_error = (dues * 2 * 120_000 - i128::from(salary) * i128::from(bp) * 2).abs();
            prop_assert!(twice_error <= 120_000, "dues {dues} for {salary} at {bp}");
        }

        #[test]
        fn more_salary_never_means_less_dues(a in 0i64..5_000_000_000, extra in 0i64..5_000_000_000, bp in 0i64..2_000) {
            let rate = Rate::Percent { basis_points: bp, monthly_min: Cents(5000), monthly_max: Cents(12000) };
            prop_assert!(rate.monthly_dues(Cents(a + extra)) >= rate.monthly_dues(Cents(a)));
        }

        #[test]
        fn paying_never_loses_good_standing(balance in -1_000_000i64..1_000_000, paid in 0i64..1_000_000, dues in 1i64..20_000, allowance in 0i64..6) {
            let before = StandingFacts { status: Status::Member, balance: Cents(balance), monthly_dues: Cents(dues), allowance_months: allowance };
            let after = StandingFacts { balance: Cents(balance - paid), ..before };
            prop_assert!(!standing(before).good || standing(after).good);
            prop_assert!(standing(after).months_behind <= standing(before).months_behind);
        }

        #[test]
        fn standing_is_exactly_the_allowance_line(dues in 1i64..20_000, allowance in 0i64..6) {
            let facts = |balance| StandingFacts { status: Status::Member, balance: Cents(balance), monthly_dues: Cents(dues), allowance_months: allowance };
            prop_assert!(standing(facts(dues * allowance)).good);
            prop_assert!(!standing(facts(dues * allowance + 1)).good);
        }
    }
}
