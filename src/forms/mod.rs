//! What every form shares: the errors it shows beside its fields, and the
//! parsers that turn what people type into domain values (money, percent,
//! dates, a dues rate), each refusing in words.
//!
//! A handler deserializes its form into a struct of strings (what was typed,
//! kept to show again), parses that into a domain value or a `FieldErrors`,
//! and only then writes.

pub mod dues_rate;
pub mod limits;
pub mod parse;
#[cfg(test)]
mod properties;
pub mod text;

use std::fmt;

/// A refusal from a domain rule that knows which form field it is about, so
/// a handler places it without matching on the message.
pub trait FieldProblem: fmt::Display {
    /// The form field (its `name`) the problem belongs beside.
    fn field(&self) -> &'static str;
}

/// The problems with a submitted form: one message per field, in the order
/// they were found, so the summary and the fields agree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    entries: Vec<(String, String)>,
}

impl FieldErrors {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field`; the first problem found for a field
    /// is the one shown.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if !self.has(&field) {
            self.entries.push((field, message.into()));
        }
    }

    /// Records a domain refusal beside the field it names.
    pub fn add_problem(&mut self, problem: &dyn FieldProblem) {
        self.add(problem.field(), problem.to_string());
    }

    /// Records what is wrong with the text `value` of `field`, if anything:
    /// too long, or a character that cannot be stored.
    pub fn check_text(&mut self, field: &str, value: &str, limit: text::Limit) {
        if let Err(problem) = text::check(value, limit) {
            self.add(field, problem.to_string());
        }
    }

    /// Keeps `value` when it parsed, else records the message for `field`.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Merges another form part's problems, each under `prefix` + its field.
    pub fn extend_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for (field, message) in other.entries {
            self.add(format!("{prefix}{field}"), message);
        }
    }

    /// The message for `field`, or "" when it is fine (what the templates'
    /// field macros expect).
    pub fn get(&self, field: &str) -> &str {
        self.entries
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(f, _)| f == field)
    }

    /// Whether any field among `fields` has a problem (to open the section
    /// of a form that holds them).
    pub fn any_of(&self, fields: &[&str]) -> bool {
        fields.iter().any(|f| self.has(f))
    }

    /// Whether any field whose name starts with `prefix` has a problem.
    pub fn any_starting(&self, prefix: &str) -> bool {
        self.entries.iter().any(|(f, _)| f.starts_with(prefix))
    }

    /// How many fields have a problem: the summary's count.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// No problems.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each (field, message), in the order found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// `Ok(value)` when nothing was found wrong, else these errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldErrors, FieldProblem};

    #[derive(Debug)]
    struct TooLong;
    impl std::fmt::Display for TooLong {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Use at most 100 characters.")
        }
    }
    impl FieldProblem for TooLong {
        fn field(&self) -> &'static str {
            "name"
        }
    }

    #[test]
    fn the_first_problem_of_a_field_is_kept_and_counted_once() {
        let mut errors = FieldErrors::new();
        errors.add("amount", "Enter an amount.");
        errors.add("amount", "Something later.");
        errors.add_problem(&TooLong);
        assert_eq!(errors.count(), 2);
        assert_eq!(errors.get("amount"), "Enter an amount.");
        assert_eq!(errors.get("name"), "Use at most 100 characters.");
        assert_eq!(errors.get("other"), "");
        assert!(errors.any_of(&["x", "name"]));
        assert!(!errors.any_of(&["x"]));
    }

    #[test]
    fn take_keeps_a_parsed_value_or_records_why_not() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.take("a", Ok::<_, String>(3)), Some(3));
        assert_eq!(errors.take::<i32>("b", Err("Enter a number.".into())), None);
        assert_eq!(
            errors.iter().collect::<Vec<_>>(),
            vec![("b", "Enter a number.")]
        );
        assert!(errors.into_result(|| ()).is_err());
        assert_eq!(FieldErrors::new().into_result(|| 7), Ok(7));
    }

    #[test]
    fn parts_of_a_form_merge_under_their_prefix() {
        let mut step = FieldErrors::new();
        step.add("limit", "Enter a number of days.");
        let mut form = FieldErrors::new();
        form.extend_prefixed("step2_", step);
        assert_eq!(form.get("step2_limit"), "Enter a number of days.");
        assert!(form.any_starting("step2_"));
    }
}
