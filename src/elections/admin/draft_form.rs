//! The draft form: what an officer typed for an election and its numbered
//! questions (`q1_text`, `q2_kind`, …), kept as typed to show again, and
//! parsed into an `ElectionDraft` or the problems beside each field.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::value::{Error as ValueError, MapDeserializer};

use crate::config::Config;
use crate::dues::rules::Rate;
use crate::elections::rules::{self, PassRule};
use crate::elections::states::QuestionKind;
use crate::elections::store::{ElectionDraft, ElectionRow, Question, QuestionDraft};
use crate::forms::dues_rate::{RateFieldNames, RateFields, RateKind, parse_rate};
use crate::forms::{FieldErrors, parse};
use crate::money::plain_money;

/// Questions offered on the form.
pub const QUESTION_ROWS: usize = 3;

/// The election's own fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ElectionFields {
    pub unit: String,
    pub title: String,
    pub description: String,
    pub opens_at: String,
    pub closes_at: String,
    pub cutoff: String,
}

/// One numbered question's fields, as typed, without their `q{n}_` prefix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QuestionFields {
    pub text: String,
    pub kind: String,
    pub choices: String,
    pub rule: String,
    pub turnout: String,
    pub dues_percent: String,
    pub dues_min: String,
    pub dues_max: String,
    pub dues_flat: String,
    pub dues_from: String,
}

/// The whole form, as typed: `questions` has `QUESTION_ROWS` entries.
#[derive(Debug, Clone)]
pub struct DraftForm {
    pub election: ElectionFields,
    pub questions: Vec<QuestionFields>,
}

/// The name a numbered question's field carries on the form.
pub fn question_field(n: usize, field: &str) -> String {
    format!("q{n}_{field}")
}

fn deserialize<T: for<'de> Deserialize<'de>>(
    fields: HashMap<String, String>,
) -> Result<T, ValueError> {
    T::deserialize(MapDeserializer::<_, ValueError>::new(fields.into_iter()))
}

impl DraftForm {
    /// Reads the submitted pairs: the numbered fields into their question,
    /// the rest into the election's (a repeated name keeps its last value).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ValueError> {
        let mut own = HashMap::new();
        let mut numbered = vec![HashMap::new(); QUESTION_ROWS];
        for (key, value) in pairs {
            let question = key.strip_prefix('q').and_then(|rest| {
                let (n, field) = rest.split_once('_')?;
                let n: usize = n.parse().ok()?;
                (1..=QUESTION_ROWS)
                    .contains(&n)
                    .then(|| (n, field.to_owned()))
            });
            match question {
                Some((n, field)) => {
                    numbered[n - 1].insert(field, value);
                }
                None => {
                    own.insert(key, value);
                }
            }
        }
        Ok(Self {
            election: deserialize(own)?,
            questions: numbered
                .into_iter()
                .map(deserialize)
                .collect::<Result<_, _>>()?,
        })
    }

    /// A new election's form: one yes/no question by two thirds with half
    /// the roll voting, and the roll drawn as of today.
    pub fn blank(today: NaiveDate) -> Self {
        let mut questions = vec![QuestionFields::default(); QUESTION_ROWS];
        questions[0] = QuestionFields {
            kind: QuestionKind::YesNo.as_str().to_owned(),
            rule: "two_thirds".to_owned(),
            turnout: "50".to_owned(),
            ..QuestionFields::default()
        };
        Self {
            election: ElectionFields {
                cutoff: today.to_string(),
                ..ElectionFields::default()
            },
            questions,
        }
    }

    /// A stored draft, as the form shows it for editing.
    pub fn of_stored(config: &Config, row: &ElectionRow, stored: &[Question]) -> Self {
        let local = |at: NaiveDateTime| {
            at.and_utc()
                .with_timezone(&config.timezone)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        };
        let mut questions: Vec<QuestionFields> = stored.iter().map(QuestionFields::of).collect();
        questions.resize(
            QUESTION_ROWS.max(questions.len()),
            QuestionFields::default(),
        );
        Self {
            election: ElectionFields {
                unit: row.unit_id.to_string(),
                title: row.title.clone(),
                description: row.description.clone(),
                opens_at: local(row.opens_at),
                closes_at: local(row.closes_at),
                cutoff: row.cutoff.to_string(),
            },
            questions,
        }
    }

    /// The draft, or the problems by field: times are read in `timezone`,
    /// `units` are the units that may vote, and the vote may not open
    /// before `now`.
    pub fn parse(
        &self,
        timezone: Tz,
        units: &[i64],
        now: NaiveDateTime,
    ) -> Result<ElectionDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let own = &self.election;
        let unit_id = own
            .unit
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|u| units.contains(u));
        if unit_id.is_none() {
            errors.add("unit", "Choose the unit that votes.");
        }
        let title = own.title.trim().to_owned();
        if title.is_empty() {
            errors.add("title", "Give the election a title.");
        }
        let opens = errors.take(
            "opens_at",
            parse::local_datetime(timezone, own.opens_at.trim()),
        );
        let closes = errors.take(
            "closes_at",
            parse::local_datetime(timezone, own.closes_at.trim()),
        );
        if opens.is_some_and(|o| o < now) {
            errors.add(
                "opens_at",
                "That time has passed; the vote must open later than now.",
            );
        }
        if let (Some(o), Some(c)) = (opens, closes)
            && c <= o
        {
            errors.add("closes_at", "The vote must close after it opens.");
        }
        let cutoff = errors.take(
            "cutoff",
            parse::date(&own.cutoff).map_err(|_| {
                "Enter the eligibility cut-off as a date such as 2026-11-30.".to_owned()
            }),
        );
        let local_date = |at: NaiveDateTime| at.and_utc().with_timezone(&timezone).date_naive();
        if let (Some(cut), Some(o)) = (cutoff, opens)
            && cut > local_date(o)
        {
            errors.add("cutoff", "The cut-off must come before the vote opens.");
        }
        let last_day = closes.map(local_date);
        let mut questions = Vec::new();
        for (i, fields) in self.questions.iter().enumerate() {
            let n = i + 1;
            if fields.text.trim().is_empty() {
                if n == 1 {
                    errors.add(question_field(n, "text"), "Write the question.");
                }
                continue;
            }
            let mut found = FieldErrors::new();
            if let Some(question) = fields.parse(last_day, &mut found) {
                questions.push(question);
            }
            errors.extend_prefixed(&format!("q{n}_"), found);
        }
        match (unit_id, opens, closes, cutoff) {
            (Some(unit_id), Some(opens_at), Some(closes_at), Some(cutoff)) if errors.is_empty() => {
                Ok(ElectionDraft {
                    unit_id,
                    title,
                    description: own.description.trim().to_owned(),
                    opens_at,
                    closes_at,
                    cutoff,
                    questions,
                })
            }
            _ => Err(errors),
        }
    }
}

impl QuestionFields {
    fn of(q: &Question) -> Self {
        let rule = PassRule::CHOICES
            .iter()
            .find(|(_, _, num, den, al)| {
                *num == q.rule.num && *den == q.rule.den && *al == q.rule.at_least
            })
            .map_or("majority", |c| c.0);
        let mut fields = Self {
            text: q.text.clone(),
            kind: q.kind.as_str().to_owned(),
            rule: rule.to_owned(),
            turnout: rules::percent(q.rule.min_turnout_bp),
            ..Self::default()
        };
        if q.kind == QuestionKind::Choice {
            fields.choices = q
                .choices
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join("\n");
        }
        if let Some((rate, from)) = &q.dues {
            fields.dues_from = from.to_string();
            match rate {
                Rate::Percent {
                    basis_points,
                    monthly_min,
                    monthly_max,
                } => {
                    fields.dues_percent = rules::percent(*basis_points);
                    fields.dues_min = plain_money(monthly_min.0);
                    fields.dues_max = plain_money(monthly_max.0);
                }
                Rate::Flat { monthly } => fields.dues_flat = plain_money(monthly.0),
            }
        }
        fields
    }

    /// The question, or `None` with its problems in `errors` under the
    /// unprefixed names. `last_day` is the local day the vote closes.
    fn parse(
        &self,
        last_day: Option<NaiveDate>,
        errors: &mut FieldErrors,
    ) -> Option<QuestionDraft> {
        let kind = errors.take(
            "kind",
            self.kind
                .trim()
                .parse::<QuestionKind>()
                .map_err(|_| "Choose yes/no or one choice among several.".to_owned()),
        );
        let choices: Vec<String> = match kind {
            Some(QuestionKind::YesNo) => vec!["Yes".into(), "No".into()],
            Some(QuestionKind::Choice) => {
                let list: Vec<String> = self
                    .choices
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
                if list.len() < 2 {
                    errors.add("choices", "List at least two choices, one a line.");
                }
                list
            }
            None => Vec::new(),
        };
        let Some((_, _, num, den, at_least)) =
            PassRule::CHOICES.iter().find(|c| c.0 == self.rule.trim())
        else {
            errors.add("rule", "Choose the rule to pass.");
            return None;
        };
        let turnout = errors.take(
            "turnout",
            parse::percent(&self.turnout)
                .ok()
                .filter(|bp| (0..=10_000).contains(bp))
                .ok_or_else(|| {
                    "Enter the minimum turnout as a percentage from 0 to 100.".to_owned()
                }),
        );
        let dues = self.dues(kind, last_day, errors);
        let rule = PassRule {
            num: *num,
            den: *den,
            at_least: *at_least,
            min_turnout_bp: turnout?,
        };
        Some(QuestionDraft {
            text: self.text.trim().to_owned(),
            kind: kind?,
            choices,
            rule,
            dues,
        })
    }

    /// The dues rate this question adopts, if one was typed.
    fn dues(
        &self,
        kind: Option<QuestionKind>,
        last_day: Option<NaiveDate>,
        errors: &mut FieldErrors,
    ) -> Option<(Rate, NaiveDate)> {
        let (percent, flat) = (self.dues_percent.trim(), self.dues_flat.trim());
        if percent.is_empty() && flat.is_empty() {
            return None;
        }
        let from = errors.take(
            "dues_from",
            parse::date(&self.dues_from)
                .map_err(|_| "Enter the date the new dues rate takes effect.".to_owned()),
        );
        if kind != Some(QuestionKind::YesNo) {
            errors.add(
                "dues_percent",
                "A dues rate can ride only on a yes/no question.",
            );
        }
        let typed = RateFields {
            kind: if flat.is_empty() {
                RateKind::Percent
            } else {
                RateKind::Flat
            },
            percent,
            min: self.dues_min.trim(),
            max: self.dues_max.trim(),
            flat,
        };
        let names = RateFieldNames {
            percent: "dues_percent",
            min: "dues_min",
            max: "dues_max",
            flat: "dues_flat",
        };
        let rate = parse_rate(typed, names)
            .map_err(|problems| errors.extend_prefixed("", problems))
            .ok()?;
        let from = from?;
        // A rate adopted by the ballot starts after the ballot: never
        // backwards over charges and standings already worked out.
        if last_day.is_some_and(|last| from <= last) {
            errors.add(
                "dues_from",
                "The new dues rate must take effect after the vote closes.",
            );
            return None;
        }
        Some((rate, from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn before_opening() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn form(extra: &[(&str, &str)]) -> DraftForm {
        let mut all = vec![
            ("unit", "1"),
            ("title", "Strike vote"),
            ("opens_at", "2026-12-01T09:00"),
            ("closes_at", "2026-12-08T17:00"),
            ("cutoff", "2026-11-30"),
            ("q1_text", "Strike?"),
            ("q1_kind", "yes_no"),
            ("q1_rule", "two_thirds"),
            ("q1_turnout", "50"),
            ("csrf_token", "ignored"),
        ];
        all.extend_from_slice(extra);
        DraftForm::from_pairs(pairs(&all)).unwrap()
    }

    #[test]
    fn a_draft_cannot_open_in_the_past() {
        let late = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let errors = form(&[]).parse(Tz::UTC, &[1], late).unwrap_err();
        assert_eq!(
            errors.get("opens_at"),
            "That time has passed; the vote must open later than now."
        );
    }

    #[test]
    fn numbered_fields_land_in_their_question() {
        let form = form(&[("q2_text", "Also?"), ("q9_text", "beyond the rows")]);
        assert_eq!(form.election.title, "Strike vote");
        assert_eq!(form.questions.len(), QUESTION_ROWS);
        assert_eq!(form.questions[0].rule, "two_thirds");
        assert_eq!(form.questions[1].text, "Also?");
        assert_eq!(form.questions[2].text, "");
    }

    #[test]
    fn a_dues_rate_goes_through_the_one_rate_parser() {
        let wrong = form(&[("q1_dues_percent", "12"), ("q1_dues_from", "2027-01-01")]);
        let errors = wrong.parse(Tz::UTC, &[1], before_opening()).unwrap_err();
        assert_eq!(
            errors.get("q1_dues_percent"),
            "A dues rate is above 0% and at most 10%."
        );
        let right = form(&[
            ("q1_dues_percent", "1.75"),
            ("q1_dues_max", "130"),
            ("q1_dues_from", "2027-01-01"),
        ]);
        let draft = right.parse(Tz::UTC, &[1], before_opening()).unwrap();
        assert!(matches!(
            draft.questions[0].dues,
            Some((
                Rate::Percent {
                    basis_points: 175,
                    ..
                },
                _
            ))
        ));
    }

    #[test]
    fn an_unknown_kind_or_unit_is_refused_by_field() {
        let errors = form(&[("q1_kind", "maybe")])
            .parse(Tz::UTC, &[2], before_opening())
            .unwrap_err();
        assert!(errors.has("unit"));
        assert!(errors.has("q1_kind"));
    }
}
