//! When a month's dues fall due, and what is owed as of a day. A charge is
//! dated the first of its month but is deducted from pay through that
//! month, so it falls due at the month's end plus the unit's grace days:
//! until then nobody is behind for it. The arrears list, the notices,
//! standing and the roll all count through here.

use chrono::{Datelike, Days, NaiveDate};

use crate::money::Cents;

/// The day a charge for the month starting `month_first` falls due (the
/// last day it may be paid without being behind): the last day of that
/// month, the pay period it is deducted in, plus `grace`.
pub fn falls_due(month_first: NaiveDate, grace_days: u32) -> NaiveDate {
    let (year, month) = if month_first.month() == 12 {
        (month_first.year() + 1, 1)
    } else {
        (month_first.year(), month_first.month() + 1)
    };
    let next_first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(month_first);
    let last_day = next_first.pred_opt().unwrap_or(month_first);
    last_day + Days::new(u64::from(grace_days))
}

/// One ledger entry as the as-of arithmetic needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedEntry {
    /// Positive for a charge, negative for a deduction or payment.
    pub amount: Cents,
    /// The entry's own date.
    pub entry_date: NaiveDate,
    /// For a dues charge, the last day to pay it: it is owed from the day
    /// after. Other entries count from their own date.
    pub due_on: Option<NaiveDate>,
}

impl DatedEntry {
    /// The first day the entry counts toward what is owed.
    pub fn counts_from(&self) -> NaiveDate {
        match self.due_on {
            Some(due) => due.succ_opt().unwrap_or(due),
            None => self.entry_date,
        }
    }
}

/// What a member owes on a day, and what is on the ledger but not yet
/// owing (a charge not yet due, a payment dated later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Owed {
    /// Owed as of the day; negative is credit.
    pub owed: Cents,
    /// Entries that count only after the day.
    pub upcoming: Cents,
}

/// What is owed as of `day`.
pub fn owed_as_of(entries: &[DatedEntry], day: NaiveDate) -> Owed {
    entries.iter().fold(Owed::default(), |mut sum, entry| {
        if entry.counts_from() <= day {
            sum.owed.0 += entry.amount.0;
        } else {
            sum.upcoming.0 += entry.amount.0;
        }
        sum
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_falls_due_at_its_end_plus_grace() {
        assert_eq!(falls_due(d(2026, 12, 1), 0), d(2026, 12, 31));
        assert_eq!(falls_due(d(2026, 12, 1), 10), d(2027, 1, 10));
        assert_eq!(falls_due(d(2028, 2, 1), 0), d(2028, 2, 29), "a leap year");
    }

    #[test]
    fn december_charged_and_deducted_leaves_nobody_behind() {
        let charge = DatedEntry {
            amount: Cents(7_281),
            entry_date: d(2026, 12, 1),
            due_on: Some(falls_due(d(2026, 12, 1), 5)),
        };
        let deduction = DatedEntry {
            amount: Cents(-7_281),
            entry_date: d(2026, 12, 31),
            due_on: None,
        };
        // Mid-month, before the deduction: the charge is upcoming, not owed.
        let mid = owed_as_of(&[charge], d(2026, 12, 15));
        assert_eq!(mid.owed, Cents(0));
        assert_eq!(mid.upcoming, Cents(7_281));
        // After the period and its grace, deducted in full: nothing owed.
        let after = owed_as_of(&[charge, deduction], d(2027, 1, 6));
        assert_eq!(after, Owed::default());
        // No deduction came: a month owed once the grace is over.
        assert_eq!(owed_as_of(&[charge], d(2027, 1, 5)).owed, Cents(0));
        assert_eq!(owed_as_of(&[charge], d(2027, 1, 6)).owed, Cents(7_281));
    }

    proptest! {
        #[test]
        fn what_is_owed_and_upcoming_add_up_to_the_whole_ledger(
            amounts in proptest::collection::vec(-20_000i64..20_000, 0..20),
            offsets in proptest::collection::vec(0u64..120, 20),
            day_offset in 0u64..150,
        ) {
            let start = d(2026, 1, 1);
            let entries: Vec<DatedEntry> = amounts.iter().zip(&offsets).map(|(a, o)| DatedEntry {
                amount: Cents(*a),
                entry_date: start + Days::new(*o),
                due_on: (*a > 0).then(|| falls_due(start + Days::new(*o), 3)),
            }).collect();
            let day = start + Days::new(day_offset);
            let owed = owed_as_of(&entries, day);
            prop_assert_eq!(owed.owed.0 + owed.upcoming.0, amounts.iter().sum::<i64>());
            // Nothing dated after the day is ever owed on it.
            let later = owed_as_of(&entries, day + Days::new(400));
            prop_assert_eq!(later.upcoming, Cents(0));
        }
    }
}
