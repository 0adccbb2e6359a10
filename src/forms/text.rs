//! Free text as people type or paste it: a length counted in characters,
//! and no control characters, checked the same way for a form field and a
//! CSV cell so that what one backend stores the other stores too
//! (PostgreSQL refuses a NUL byte outright; SQLite would keep it).

use std::fmt;

/// Whether a text may hold line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name, a number, a title: no tab and no line break.
    One,
    /// A note or a description: tabs and line breaks are part of it.
    Many,
}

/// The most a text may hold, in characters, and whether it spans lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most characters (not bytes) kept.
    pub chars: usize,
    /// Whether line breaks belong in it.
    pub lines: Lines,
}

impl Limit {
    /// A one-line text of at most `chars` characters.
    pub const fn line(chars: usize) -> Self {
        Self {
            chars,
            lines: Lines::One,
        }
    }

    /// A text of several lines of at most `chars` characters.
    pub const fn lines(chars: usize) -> Self {
        Self {
            chars,
            lines: Lines::Many,
        }
    }
}

/// What is wrong with a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than its limit.
    TooLong {
        /// The limit, in characters.
        limit: usize,
        /// Its length, in characters.
        length: usize,
    },
    /// Holds a character no keyboard types and no page shows.
    Control {
        /// The character.
        found: char,
        /// Where, counting characters from 1.
        at: usize,
    },
}

/// Checks `value` against `limit`: control characters first (an invisible
/// character is worth naming even in a text that is also too long).
pub fn check(value: &str, limit: Limit) -> Result<(), TextProblem> {
    let mut length = 0;
    for (i, c) in value.chars().enumerate() {
        length += 1;
        let allowed = limit.lines == Lines::Many && matches!(c, '\t' | '\n' | '\r');
        if c.is_control() && !allowed {
            return Err(TextProblem::Control {
                found: c,
                at: i + 1,
            });
        }
    }
    if length > limit.chars {
        return Err(TextProblem::TooLong {
            limit: limit.chars,
            length,
        });
    }
    Ok(())
}

/// The first field of a URL-encoded form (or query) whose name or value
/// holds a control character other than a tab or line break, and where:
/// the check for forms that do not check their texts themselves.
pub fn control_in_form(encoded: &[u8]) -> Option<(String, TextProblem)> {
    let anything = Limit::lines(usize::MAX);
    url::form_urlencoded::parse(encoded).find_map(|(name, value)| {
        check(&name, anything)
            .and(check(&value, anything))
            .err()
            .map(|problem| (name.into_owned(), problem))
    })
}

/// `12345` as "12,345", as people write counts.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn character_name(c: char) -> String {
    match c {
        '\0' => "a NUL byte (U+0000)".to_owned(),
        '\t' => "a tab".to_owned(),
        '\n' | '\r' => "a line break".to_owned(),
        c => format!("the control character U+{:04X}", u32::from(c)),
    }
}

impl TextProblem {
    /// A fragment naming the text, for a line of a file:
    /// "the first name is longer than 100 characters (it has 250)".
    pub fn about(&self, what: &str) -> String {
        match self {
            Self::TooLong { limit, length } => format!(
                "{what} is longer than {} characters (it has {})",
                count(*limit),
                count(*length)
            ),
            Self::Control { found, at } => format!(
                "{what} holds {} at character {}, which cannot be stored",
                character_name(*found),
                count(*at)
            ),
        }
    }
}

/// The sentence shown beside a form field.
impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { limit, length } => write!(
                f,
                "Use at most {} characters; this has {}.",
                count(*limit),
                count(*length)
            ),
            Self::Control { found, at } => {
                let name = character_name(*found);
                let mut chars = name.chars();
                let capitalised: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                write!(
                    f,
                    "{capitalised} at character {} cannot be stored; remove it (it may have come with pasted text).",
                    count(*at)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(check(&"ñ".repeat(100), Limit::line(100)), Ok(()));
        assert_eq!(
            check(&"ñ".repeat(101), Limit::line(100)),
            Err(TextProblem::TooLong {
                limit: 100,
                length: 101
            })
        );
    }

    #[test]
    fn line_breaks_belong_only_in_texts_of_several_lines() {
        assert_eq!(check("a\tb\r\nc", Limit::lines(10)), Ok(()));
        assert_eq!(
            check("a\tb", Limit::line(10)),
            Err(TextProblem::Control { found: '\t', at: 2 })
        );
        assert_eq!(
            check("ab\0", Limit::lines(10)),
            Err(TextProblem::Control { found: '\0', at: 3 })
        );
        assert!(check("\u{7f}", Limit::lines(10)).is_err());
        assert!(check("\u{85}", Limit::lines(10)).is_err());
    }

    fn nul_at(at: usize) -> TextProblem {
        TextProblem::Control { found: '\0', at }
    }

    #[test]
    fn problems_read_as_words() {
        let long = TextProblem::TooLong {
            limit: 20_000,
            length: 20_001,
        };
        assert_eq!(
            long.to_string(),
            "Use at most 20,000 characters; this has 20,001."
        );
        assert_eq!(
            long.about("the note"),
            "the note is longer than 20,000 characters (it has 20,001)"
        );
        let nul = TextProblem::Control { found: '\0', at: 4 };
        assert_eq!(
            nul.to_string(),
            "A NUL byte (U+0000) at character 4 cannot be stored; remove it (it may have come with pasted text)."
        );
        assert_eq!(
            nul.about("the first name"),
            "the first name holds a NUL byte (U+0000) at character 4, which cannot be stored"
        );
        assert_eq!(control_in_form(b"a=1&b=x%0Ay"), None);
        assert_eq!(
            control_in_form(b"a=1&note=ab%00"),
            Some(("note".to_owned(), nul_at(3)))
        );
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(10_485_760), "10,485,760");
    }
}
