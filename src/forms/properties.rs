//! Fuzzing every form parser: whatever is typed or pasted, none panics,
//! and every refusal is words beside the field it is about.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::dues_rate::{self, PLAIN_NAMES, RateFields, RateKind};
use super::{parse, text};
use crate::grievances::filing::parse_articles;
use crate::money::Cents;

/// What people type into a field: anything at all, and near-misses of
/// the amounts, percentages, dates and article lists the parsers expect.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \\t$,.%0-9-]{0,24}",
        "-?[0-9]{0,16}(\\.[0-9]{0,4})?%?",
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}:[0-9]{1,2})?",
        "(Art\\.|article|)? ?[0-9]{1,4}(\\.[0-9]{1,4}){0,5}(\\([a-z0-9]{0,5}\\)?)?([,;] ?)?",
        proptest::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
    ]
}

/// A refusal in words: something to read, not a code or an empty box, and
/// no longer than what was typed plus a sentence (nothing blows up).
fn in_words(message: &str, typed: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        message.chars().filter(|c| c.is_alphabetic()).count() >= 8,
        "not words: {message:?}"
    );
    prop_assert!(
        message.len() <= typed.len() * 10 + 300,
        "longer than it needs to be: {message:?}"
    );
    Ok(())
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn amounts_and_percentages_read_or_are_refused_in_words(raw in typed(), negative: bool) {
        match parse::money(&raw, negative) {
            Ok(cents) => prop_assert_eq!(Cents::parse(&cents.to_string(), negative), Ok(cents)),
            Err(message) => in_words(&message, &raw)?,
        }
        if let Err(message) = parse::percent(&raw) {
            in_words(&message, &raw)?;
        }
    }

    #[test]
    fn dates_read_or_are_refused_in_words(raw in typed()) {
        for refused in [
            parse::date(&raw).err(),
            parse::optional_date(&raw).err(),
            parse::past_date(&raw, "incident date", today()).err(),
            parse::local_datetime(chrono_tz::America::Los_Angeles, &raw).err(),
        ]
        .into_iter()
        .flatten()
        {
            in_words(&refused, &raw)?;
        }
        let _ = parse::month(&raw);
    }

    #[test]
    fn article_lists_read_or_are_refused_in_words(raw in typed()) {
        match parse_articles(&raw) {
            Ok(articles) => prop_assert!(articles.iter().all(|a| a.starts_with("Article "))),
            Err(message) => in_words(&message, &raw)?,
        }
    }

    #[test]
    fn a_dues_rate_reads_or_each_refusal_is_beside_its_field(
        flat: bool,
        percent in typed(),
        min in typed(),
        max in typed(),
        monthly in typed(),
    ) {
        let fields = RateFields {
            kind: if flat { RateKind::Flat } else { RateKind::Percent },
            percent: &percent,
            min: &min,
            max: &max,
            flat: &monthly,
        };
        if let Err(errors) = dues_rate::parse_rate(fields, PLAIN_NAMES) {
            prop_assert!(!errors.is_empty());
            for (field, message) in errors.iter() {
                prop_assert!(["percent", "min", "max", "flat"].contains(&field), "{field}");
                let typed = [&percent, &min, &max, &monthly].map(|s| s.len()).into_iter().sum::<usize>();
                in_words(message, &"x".repeat(typed))?;
            }
        }
    }

    #[test]
    fn any_text_is_kept_or_refused_in_words(raw in typed(), chars in 0usize..64, many: bool) {
        let limit = if many { text::Limit::lines(chars) } else { text::Limit::line(chars) };
        match text::check(&raw, limit) {
            Ok(()) => {
                prop_assert!(raw.chars().count() <= chars);
                prop_assert!(!raw.chars().any(|c| c.is_control() && !(many && "\t\r\n".contains(c))));
            }
            Err(problem) => {
                in_words(&problem.to_string(), "")?;
                let about = problem.about("the first name");
                prop_assert!(about.starts_with("the first name "), "{about}");
                prop_assert!(!about.chars().any(char::is_control), "{about:?}");
            }
        }
    }

    #[test]
    fn any_form_body_is_read_for_control_characters(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Some((field, problem)) = text::control_in_form(&body) {
            prop_assert!(!problem.about(&field).is_empty());
        }
    }
}
