//! Deadline arithmetic. A contract counts its limits in calendar days or in
//! business days; business days skip weekends, US federal holidays (as
//! observed) and the unit's own holidays. Some contracts also move a
//! calendar-day deadline that falls on a weekend or holiday to the next
//! business day. A wrong answer here forfeits a grievance, so every
//! deadline also says how it was reached.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

crate::db::text_enum::text_enum! {
    /// How a limit is counted.
    pub enum DayCount {
        /// Every day counts.
        Calendar = "calendar",
        /// Weekends and holidays do not count.
        Business = "business",
    }
}

/// The holidays a unit's contract adds to the federal ones.
pub type UnitHolidays = BTreeMap<NaiveDate, String>;

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    nth_weekday(year, month, weekday, 5).or_else(|| nth_weekday(year, month, weekday, 4))
}

/// Saturday holidays are observed the Friday before, Sunday ones the Monday
/// after (5 U.S.C. 6103 and the OPM rule for full-time staff).
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Days::new(1),
        Weekday::Sun => date + Days::new(1),
        _ => date,
    }
}

/// The federal holidays whose legal date falls in `year`, each on the day
/// it is observed (which for New Year's Day can be 31 December before).
pub fn federal_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let mut days: Vec<(Option<NaiveDate>, &'static str)> = vec![
        (fixed(1, 1).map(observed), "New Year's Day"),
        (
            nth_weekday(year, 1, Weekday::Mon, 3),
            "Birthday of Martin Luther King, Jr.",
        ),
        (
            nth_weekday(year, 2, Weekday::Mon, 3),
            "Washington's Birthday",
        ),
        (last_weekday(year, 5, Weekday::Mon), "Memorial Day"),
        (fixed(7, 4).map(observed), "Independence Day"),
        (nth_weekday(year, 9, Weekday::Mon, 1), "Labor Day"),
        (nth_weekday(year, 10, Weekday::Mon, 2), "Columbus Day"),
        (fixed(11, 11).map(observed), "Veterans Day"),
        (nth_weekday(year, 11, Weekday::Thu, 4), "Thanksgiving Day"),
        (fixed(12, 25).map(observed), "Christmas Day"),
    ];
    // Juneteenth became a federal holiday in June 2021.
    if year >= 2021 {
        days.push((
            fixed(6, 19).map(observed),
            "Juneteenth National Independence Day",
        ));
    }
    let mut days: Vec<(NaiveDate, &'static str)> = days
        .into_iter()
        .filter_map(|(date, name)| date.map(|d| (d, name)))
        .collect();
    days.sort();
    days
}

/// The federal holidays observed in `year`, in date order: a list for a
/// year holds the next New Year's Day when it is observed on 31 December,
/// and not this year's when it was observed the December before.
pub fn federal_holidays_observed_in(year: i32) -> Vec<(NaiveDate, &'static str)> {
    [year, year + 1]
        .into_iter()
        .flat_map(federal_holidays)
        .filter(|(day, _)| day.year() == year)
        .collect()
}

/// The federal holiday observed on `date`, if any.
pub fn federal_holiday(date: NaiveDate) -> Option<&'static str> {
    // Next year's New Year's Day can be observed on this year's 31 December.
    [date.year(), date.year() + 1]
        .into_iter()
        .flat_map(federal_holidays)
        .find(|(day, _)| *day == date)
        .map(|(_, name)| name)
}

/// Why `date` is not a business day, or None when it is one.
pub fn closed_because(date: NaiveDate, unit: &UnitHolidays) -> Option<String> {
    match date.weekday() {
        Weekday::Sat => return Some("Saturday".into()),
        Weekday::Sun => return Some("Sunday".into()),
        _ => {}
    }
    if let Some(name) = federal_holiday(date) {
        return Some(name.to_owned());
    }
    unit.get(&date).cloned()
}

/// True on a weekday that is neither a federal nor a unit holiday.
pub fn is_business_day(date: NaiveDate, unit: &UnitHolidays) -> bool {
    closed_because(date, unit).is_none()
}

/// A computed deadline and the holidays it stepped over, for the "how it
/// was computed" line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day on which the act is in time.
    pub due: NaiveDate,
    /// Weekday holidays skipped while counting business days.
    pub skipped_holidays: Vec<(NaiveDate, String)>,
    /// The day the count ended on, and why it is not a business day, when
    /// the deadline was moved on to the next business day.
    pub rolled_from: Option<(NaiveDate, String)>,
}

/// The day `days` calendar or business days after `from`. Day one is the
/// day after `from`; a business-day count lands on a business day.
pub fn add_days(from: NaiveDate, days: u32, count: DayCount, unit: &UnitHolidays) -> Deadline {
    match count {
        DayCount::Calendar => Deadline {
            due: from + Days::new(u64::from(days)),
            skipped_holidays: Vec::new(),
            rolled_from: None,
        },
        DayCount::Business => {
            let mut date = from;
            let mut counted = 0;
            let mut skipped_holidays = Vec::new();
            while counted < days {
                date = date + Days::new(1);
                match closed_because(date, unit) {
                    None => counted += 1,
                    Some(reason) if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => {
                        skipped_holidays.push((date, reason));
                    }
                    Some(_) => {}
                }
            }
            Deadline {
                due: date,
                skipped_holidays,
                rolled_from: None,
            }
        }
    }
}

/// The deadline moved on to the next business day when it falls on a
/// weekend or holiday (the contract option for calendar-day limits).
pub fn roll_forward(deadline: Deadline, unit: &UnitHolidays) -> Deadline {
    let Some(reason) = closed_because(deadline.due, unit) else {
        return deadline;
    };
    let mut due = deadline.due;
    while !is_business_day(due, unit) {
        due = due + Days::new(1);
    }
    Deadline {
        rolled_from: Some((deadline.due, reason)),
        due,
        ..deadline
    }
}

/// How a deadline was reached, in words: "10 business days from 2 Nov 2026
/// (filed), skipping weekends and Thanksgiving Day (26 Nov 2026)".
pub fn explain(
    deadline: &Deadline,
    days: u32,
    count: DayCount,
    from: NaiveDate,
    from_what: &str,
) -> String {
    let unit = match (count, days) {
        (DayCount::Calendar, 1) => "calendar day",
        (DayCount::Calendar, _) => "calendar days",
        (DayCount::Business, 1) => "business day",
        (DayCount::Business, _) => "business days",
    };
    let mut text = format!(
        "{days} {unit} from {} ({from_what})",
        crate::clock::long_date(from)
    );
    if count == DayCount::Business {
        text.push_str(", skipping weekends");
        if !deadline.skipped_holidays.is_empty() {
            let names: Vec<String> = deadline
                .skipped_holidays
                .iter()
                .map(|(date, name)| format!("{name} ({})", crate::clock::long_date(*date)))
                .collect();
            text.push_str(" and ");
            text.push_str(&names.join(", "));
        }
    }
    if let Some((ended, reason)) = &deadline.rolled_from {
        text.push_str(&format!(
            " end on {} ({reason}); the contract moves a deadline on a weekend or holiday to the next business day",
            crate::clock::long_date(*ended)
        ));
    }
    text
}

/// Calendar days from `earlier` to `later` (negative when reversed).
pub fn days_between(earlier: NaiveDate, later: NaiveDate) -> i64 {
    (later - earlier).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn none() -> UnitHolidays {
        UnitHolidays::new()
    }

    #[test]
    fn a_year_lists_the_holidays_observed_in_it() {
        let in_2027 = federal_holidays_observed_in(2027);
        assert_eq!(
            in_2027.last(),
            Some(&(d(2027, 12, 31), "New Year's Day")),
            "New Year's Day 2028 (a Saturday) is observed in 2027"
        );
        assert_eq!(in_2027.len(), 12, "eleven holidays of 2027 and one of 2028");
        let in_2028 = federal_holidays_observed_in(2028);
        assert!(
            in_2028.iter().all(|(day, _)| day.year() == 2028),
            "and 2028's list does not repeat it"
        );
        assert_eq!(in_2028.len(), 10);
    }

    #[test]
    fn federal_holidays_of_2026_fall_where_opm_lists_them() {
        let days: Vec<NaiveDate> = federal_holidays(2026).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            days,
            vec![
                d(2026, 1, 1),
                d(2026, 1, 19),
                d(2026, 2, 16),
                d(2026, 5, 25),
                d(2026, 6, 19),
                d(2026, 7, 3), // 4 July is a Saturday
                d(2026, 9, 7),
                d(2026, 10, 12),
                d(2026, 11, 11),
                d(2026, 11, 26),
                d(2026, 12, 25),
            ]
        );
    }

    #[test]
    fn new_years_day_on_a_saturday_is_observed_the_friday_before() {
        // 1 January 2028 is a Saturday.
        assert_eq!(federal_holiday(d(2027, 12, 31)), Some("New Year's Day"));
        assert!(!is_business_day(d(2027, 12, 31), &none()));
        assert_eq!(federal_holiday(d(2028, 1, 1)), None);
        // Ten business days from Thu 23 Dec 2027: Fri 24 Dec is Christmas
        // observed (25th is a Saturday), Fri 31 Dec is New Year's observed.
        let deadline = add_days(d(2027, 12, 23), 10, DayCount::Business, &none());
        assert_eq!(deadline.due, d(2028, 1, 10));
        assert_eq!(
            deadline.skipped_holidays,
            vec![
                (d(2027, 12, 24), "Christmas Day".to_owned()),
                (d(2027, 12, 31), "New Year's Day".to_owned()),
            ]
        );
    }

    #[test]
    fn business_days_skip_thanksgiving() {
        // Fri 20 Nov 2026 + 5 business days: 23, 24, 25, (26 Thanksgiving), 27, 30.
        let deadline = add_days(d(2026, 11, 20), 5, DayCount::Business, &none());
        assert_eq!(deadline.due, d(2026, 11, 30));
        let text = explain(&deadline, 5, DayCount::Business, d(2026, 11, 20), "filed");
        assert_eq!(
            text,
            "5 business days from Fri 20 Nov 2026 (filed), skipping weekends and Thanksgiving Day (Thu 26 Nov 2026)"
        );
    }

    #[test]
    fn business_days_skip_christmas_and_juneteenth() {
        // Wed 23 Dec 2026 + 2: Thu 24, (Fri 25 Christmas), Mon 28.
        assert_eq!(
            add_days(d(2026, 12, 23), 2, DayCount::Business, &none()).due,
            d(2026, 12, 28)
        );
        // Thu 18 Jun 2026 + 1: (Fri 19 Juneteenth), Mon 22.
        assert_eq!(
            add_days(d(2026, 6, 18), 1, DayCount::Business, &none()).due,
            d(2026, 6, 22)
        );
        // Before 2021 Juneteenth was an ordinary day.
        assert!(is_business_day(d(2020, 6, 19), &none()));
    }

    #[test]
    fn a_unit_holiday_is_skipped_too() {
        let unit = UnitHolidays::from([(d(2026, 11, 27), "Day after Thanksgiving".to_owned())]);
        // Wed 25 + 1: (Thu 26 Thanksgiving), (Fri 27 the unit's), Mon 30.
        let deadline = add_days(d(2026, 11, 25), 1, DayCount::Business, &unit);
        assert_eq!(deadline.due, d(2026, 11, 30));
        assert_eq!(deadline.skipped_holidays.len(), 2);
        assert_eq!(deadline.skipped_holidays[1].1, "Day after Thanksgiving");
    }

    #[test]
    fn calendar_days_cross_month_and_year_ends() {
        assert_eq!(
            add_days(d(2026, 1, 25), 10, DayCount::Calendar, &none()).due,
            d(2026, 2, 4)
        );
        assert_eq!(
            add_days(d(2026, 12, 20), 15, DayCount::Calendar, &none()).due,
            d(2027, 1, 4)
        );
        assert_eq!(
            add_days(d(2028, 2, 20), 10, DayCount::Calendar, &none()).due,
            d(2028, 3, 1),
            "2028 is a leap year"
        );
    }

    #[test]
    fn a_calendar_deadline_on_a_weekend_or_holiday_rolls_to_the_next_business_day() {
        // 11 calendar days from Tue 1 Dec 2026 end on Sat 12 Dec: Mon 14.
        let deadline = add_days(d(2026, 12, 1), 11, DayCount::Calendar, &none());
        assert_eq!(deadline.due, d(2026, 12, 12));
        let rolled = roll_forward(deadline, &none());
        assert_eq!(rolled.due, d(2026, 12, 14));
        assert_eq!(
            explain(&rolled, 11, DayCount::Calendar, d(2026, 12, 1), "filed"),
            "11 calendar days from Tue 1 Dec 2026 (filed) end on Sat 12 Dec 2026 (Saturday); the contract moves a deadline on a weekend or holiday to the next business day"
        );
        // With the unit's holiday on that Monday, Tuesday.
        let unit = UnitHolidays::from([(d(2026, 12, 14), "Staff day".to_owned())]);
        let rolled = roll_forward(
            add_days(d(2026, 12, 1), 11, DayCount::Calendar, &unit),
            &unit,
        );
        assert_eq!(rolled.due, d(2026, 12, 15));
        // Christmas Day 2026 is a Friday: on to Mon 28 Dec.
        let rolled = roll_forward(
            add_days(d(2026, 12, 15), 10, DayCount::Calendar, &none()),
            &none(),
        );
        assert_eq!(rolled.due, d(2026, 12, 28));
        assert_eq!(
            rolled.rolled_from,
            Some((d(2026, 12, 25), "Christmas Day".to_owned()))
        );
        // Sat 1 Jan 2028, its holiday observed the Friday before: Mon 3 Jan.
        let rolled = roll_forward(
            add_days(d(2027, 12, 2), 30, DayCount::Calendar, &none()),
            &none(),
        );
        assert_eq!(rolled.due, d(2028, 1, 3));
        // A business day stays.
        let kept = roll_forward(
            add_days(d(2026, 12, 1), 10, DayCount::Calendar, &none()),
            &none(),
        );
        assert_eq!((kept.due, kept.rolled_from), (d(2026, 12, 11), None));
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..20_000).prop_map(|n| d(2000, 1, 1) + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn a_business_deadline_is_a_business_day_n_business_days_on(
            from in any_date(), days in 1u32..60,
        ) {
            let unit = none();
            let deadline = add_days(from, days, DayCount::Business, &unit);
            prop_assert!(is_business_day(deadline.due, &unit));
            let mut counted = 0;
            let mut date = from;
            while date < deadline.due {
                date = date + Days::new(1);
                if is_business_day(date, &unit) {
                    counted += 1;
                }
            }
            prop_assert_eq!(counted, days);
        }

        #[test]
        fn more_days_never_come_sooner(from in any_date(), days in 0u32..60) {
            for count in [DayCount::Calendar, DayCount::Business] {
                let shorter = add_days(from, days, count, &none()).due;
                let longer = add_days(from, days + 1, count, &none()).due;
                prop_assert!(longer > shorter);
            }
        }

        #[test]
        fn a_rolled_deadline_is_the_first_business_day_on_or_after_the_count(
            from in any_date(), days in 0u32..400,
        ) {
            let unit = UnitHolidays::from([(from + Days::new(u64::from(days)), "Unit day".to_owned())]);
            let counted = add_days(from, days, DayCount::Calendar, &unit);
            let rolled = roll_forward(counted.clone(), &unit);
            prop_assert!(is_business_day(rolled.due, &unit));
            prop_assert!(rolled.due >= counted.due);
            let mut date = counted.due;
            while date < rolled.due {
                prop_assert!(!is_business_day(date, &unit));
                date = date + Days::new(1);
            }
            prop_assert_eq!(rolled.rolled_from.is_some(), rolled.due != counted.due);
        }

        #[test]
        fn calendar_days_are_exact(from in any_date(), days in 0u32..400) {
            let due = add_days(from, days, DayCount::Calendar, &none()).due;
            prop_assert_eq!(days_between(from, due), i64::from(days));
        }

        #[test]
        fn a_business_day_count_is_never_shorter_than_a_calendar_one(
            from in any_date(), days in 0u32..60,
        ) {
            let business = add_days(from, days, DayCount::Business, &none()).due;
            let calendar = add_days(from, days, DayCount::Calendar, &none()).due;
            prop_assert!(business >= calendar);
        }

        #[test]
        fn every_year_has_eleven_federal_holidays_on_weekdays(year in 2021i32..2200) {
            let days = federal_holidays(year);
            prop_assert_eq!(days.len(), 11);
            for (day, _) in days {
                prop_assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
            }
        }
    }
}
