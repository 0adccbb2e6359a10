//! Turning what people type into values, each refusal a sentence they can
//! act on. Every feature's form uses these, so "72.81", "3%" and
//! "2026-07-01" mean the same thing on every page.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::clock::long_date;
use crate::money::Cents;

/// Capitalises a message and ends it with a full stop.
fn sentence(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 1);
    let mut chars = message.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// An amount of money: "72.81", "80", "$1,234.50", and a leading minus
/// when `allow_negative`.
pub fn money(raw: &str, allow_negative: bool) -> Result<Cents, String> {
    Cents::parse(raw, allow_negative).map_err(|e| sentence(&e.to_string()))
}

/// A percentage typed as "3", "2.75%" or "-1.5", in basis points (at most
/// two decimals).
pub fn percent(raw: &str) -> Result<i64, String> {
    let cleaned = raw.trim().trim_end_matches('%').trim();
    if cleaned.is_empty() {
        return Err("Enter a percentage, such as 3 or 2.75.".into());
    }
    Cents::parse(cleaned, true).map(|c| c.0).map_err(|_| {
        format!(
            "\"{}\" is not a percentage with at most two decimals, such as 3 or 2.75.",
            raw.trim()
        )
    })
}

/// A calendar date typed as 2026-07-01.
pub fn date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter a date such as 2026-07-01.".to_owned())
}

/// A date that may be left empty (a search filter, say).
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{raw:?} is not a date; use the form 2026-11-22."))
}

/// A date that has happened: `what` names it in the message ("incident
/// date"), `today` is the local's today.
pub fn past_date(raw: &str, what: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("Enter the {what}."));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("Enter the {what} as a date such as 2026-11-02."))?;
    if date > today {
        return Err(format!(
            "The {what} cannot be in the future (today is {}).",
            long_date(today)
        ));
    }
    Ok(date)
}

/// The first day of a month typed as 2026-12.
pub fn month(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d").ok()
}

/// A local date and time from a `datetime-local` field, as UTC.
pub fn local_datetime(timezone: Tz, raw: &str) -> Result<NaiveDateTime, String> {
    let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| "Enter a date and time such as 2026-12-01T09:00.".to_owned())?;
    timezone
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.naive_utc())
        .ok_or_else(|| {
            "That time does not exist here (the clocks change then); choose another.".to_owned()
        })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn money_refusals_are_sentences() {
        assert_eq!(money("$1,234.50", false), Ok(Cents(123_450)));
        assert_eq!(money("-5", true), Ok(Cents(-500)));
        let refused = money("-5", false).unwrap_err();
        assert!(
            refused.starts_with('"') && refused.ends_with("is negative."),
            "{refused}"
        );
        assert_eq!(money("", false).unwrap_err(), "The amount is empty.");
    }

    #[test]
    fn percentages_are_basis_points() {
        assert_eq!(percent("3"), Ok(300));
        assert_eq!(percent("2.75%"), Ok(275));
        assert!(percent("three").is_err());
        assert_eq!(percent("-1.5"), Ok(-150));
        assert!(percent("").is_err());
        assert!(
            percent("1.234")
                .unwrap_err()
                .contains("at most two decimals")
        );
    }

    #[test]
    fn dates_in_the_future_are_refused_in_words() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            past_date("2026-12-02", "incident date", today).unwrap_err(),
            "The incident date cannot be in the future (today is Tue 1 Dec 2026)."
        );
        assert_eq!(
            past_date(" 2026-11-30 ", "incident date", today),
            Ok(today.pred_opt().unwrap())
        );
        assert_eq!(optional_date(""), Ok(None));
        assert!(optional_date("2026-02-30").is_err());
        assert_eq!(month("2026-12"), NaiveDate::from_ymd_opt(2026, 12, 1));
    }

    #[test]
    fn local_times_that_the_clocks_skip_are_refused() {
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        assert!(local_datetime(la, "2027-03-14T02:30").is_err());
        let utc = local_datetime(la, "2026-12-01T09:00").unwrap();
        assert_eq!(utc.to_string(), "2026-12-01 17:00:00");
    }
}
