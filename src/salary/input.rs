//! What the officer's salary forms send, and its parsing into floors,
//! reference costs and scenarios. Every refusal is an enum that knows its
//! field; what was typed is kept to show again.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::store::{Reference, ScenarioInput, ScenarioRow};
use crate::forms::{FieldErrors, FieldProblem, parse};
use crate::money::{plain_money, plain_percent};

/// A classification: its id, name and current floor (cents a year).
pub type Class = (i64, String, Option<i64>);

/// A kind of reference cost a unit's figures are compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    /// Median one-bedroom rent, a month.
    Rent,
    /// The living wage, a year.
    LivingWage,
    /// Consumer-price inflation over the period, a rate.
    Cpi,
}

impl ReferenceKind {
    /// Every kind, in the order the forms show them.
    pub const ALL: [Self; 3] = [Self::Rent, Self::LivingWage, Self::Cpi];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rent => "rent",
            Self::LivingWage => "living_wage",
            Self::Cpi => "cpi",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rent => "Median one-bedroom rent",
            Self::LivingWage => "Living wage",
            Self::Cpi => "CPI inflation over the period",
        }
    }

    /// The amount field's label: what the figure is measured in.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Rent => "Amount a month ($)",
            Self::LivingWage => "Amount a year ($)",
            Self::Cpi => "Rate (%)",
        }
    }

    /// An example of a source, shown under the source field.
    pub fn source_hint(self) -> &'static str {
        match self {
            Self::Rent => "For example: Zillow observed rent index, October 2026",
            Self::LivingWage => "For example: MIT Living Wage Calculator, one adult, 2026",
            Self::Cpi => "For example: BLS CPI-U, September 2025 to September 2026",
        }
    }

    /// The amount field's name.
    pub fn amount_field(self) -> &'static str {
        match self {
            Self::Rent => "rent_amount",
            Self::LivingWage => "living_wage_amount",
            Self::Cpi => "cpi_amount",
        }
    }

    /// The source field's name.
    pub fn source_field(self) -> &'static str {
        match self {
            Self::Rent => "rent_source",
            Self::LivingWage => "living_wage_source",
            Self::Cpi => "cpi_source",
        }
    }

    /// The as-of date field's name.
    pub fn as_of_field(self) -> &'static str {
        match self {
            Self::Rent => "rent_as_of",
            Self::LivingWage => "living_wage_as_of",
            Self::Cpi => "cpi_as_of",
        }
    }

    /// The amount as the form shows it.
    pub fn plain_amount(self, amount: i64) -> String {
        match self {
            Self::Cpi => plain_percent(amount),
            _ => plain_money(amount),
        }
    }
}

/// Why a reference cost was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceProblem {
    /// A figure without its source.
    #[error("Say where the {} figure comes from.", .0.label().to_lowercase())]
    NoSource(ReferenceKind),
    /// Inflation of -100% or less, or above 100%.
    #[error("Inflation must be above -100% and at most 100%.")]
    InflationOutOfRange,
}

impl FieldProblem for ReferenceProblem {
    fn field(&self) -> &'static str {
        match self {
            Self::NoSource(kind) => kind.source_field(),
            Self::InflationOutOfRange => ReferenceKind::Cpi.amount_field(),
        }
    }
}

/// Why a scenario was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioProblem {
    /// No name.
    #[error("Give the scenario a name, such as Union proposal.")]
    NameMissing,
    /// A name over 100 characters.
    #[error("Keep the name under 100 characters.")]
    NameTooLong,
    /// Another scenario of the unit has the name.
    #[error("The unit already has a scenario called \"{0}\".")]
    NameTaken(String),
    /// A raise beyond 100% either way.
    #[error("A raise beyond 100% either way is not a bargaining position; check the figure.")]
    RaiseBeyondReason,
    /// A flat raise over $100,000 either way.
    #[error("A flat raise over $100,000 is beyond reason; check the figure.")]
    FlatRaiseBeyondReason,
    /// Effective before the contract starts.
    #[error("The effective date cannot be before the contract starts ({0}).")]
    BeforeContract(NaiveDate),
    /// No classification has a floor.
    #[error(
        "Give at least one classification a floor: a scenario without floors compares nothing."
    )]
    NoFloors,
}

impl FieldProblem for ScenarioProblem {
    fn field(&self) -> &'static str {
        match self {
            Self::NameMissing | Self::NameTooLong | Self::NameTaken(_) => "name",
            Self::RaiseBeyondReason => "raise",
            Self::FlatRaiseBeyondReason => "flat_raise",
            Self::BeforeContract(_) => "effective_date",
            Self::NoFloors => "floors",
        }
    }
}

/// The field of a classification's floor.
pub fn floor_field(class_id: i64) -> String {
    format!("floor_{class_id}")
}

/// Parses the floor fields: `None` for an empty one; a negative floor is
/// refused beside its field.
fn parse_floors(
    typed: &BTreeMap<String, String>,
    classes: &[Class],
    errors: &mut FieldErrors,
) -> Vec<(i64, Option<i64>)> {
    let mut floors = Vec::new();
    for (id, name, _) in classes {
        let field = floor_field(*id);
        let raw = typed.get(&field).map_or("", |v| v.trim());
        if raw.is_empty() {
            floors.push((*id, None));
            continue;
        }
        match parse::money(raw, true).map(|c| c.0) {
            Ok(c) if c < 0 => {
                errors.add(field, format!("The floor for {name} cannot be negative."))
            }
            Ok(c) => floors.push((*id, Some(c))),
            Err(m) => errors.add(field, m),
        }
    }
    floors
}

/// What the floors-and-reference-costs form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitSettingsForm {
    #[serde(default)]
    rent_amount: String,
    #[serde(default)]
    rent_source: String,
    #[serde(default)]
    rent_as_of: String,
    #[serde(default)]
    living_wage_amount: String,
    #[serde(default)]
    living_wage_source: String,
    #[serde(default)]
    living_wage_as_of: String,
    #[serde(default)]
    cpi_amount: String,
    #[serde(default)]
    cpi_source: String,
    #[serde(default)]
    cpi_as_of: String,
    /// `floor_{class id}`, one per classification.
    #[serde(flatten)]
    floors: BTreeMap<String, String>,
}

/// A unit's floors and reference costs, parsed.
#[derive(Debug)]
pub struct UnitSettings {
    /// Each classification's floor, `None` for none.
    pub floors: Vec<(i64, Option<i64>)>,
    /// The reference costs given, by kind.
    pub references: BTreeMap<String, Reference>,
}

impl UnitSettingsForm {
    /// The form filled in with what is stored.
    pub fn stored(classes: &[Class], references: &BTreeMap<String, Reference>) -> Self {
        let mut form = Self {
            floors: classes
                .iter()
                .map(|(id, _, floor)| {
                    (floor_field(*id), floor.map(plain_money).unwrap_or_default())
                })
                .collect(),
            ..Self::default()
        };
        for kind in ReferenceKind::ALL {
            if let Some(r) = references.get(kind.as_str()) {
                let (amount, source, as_of) = form.reference_mut(kind);
                *amount = kind.plain_amount(r.amount);
                source.clone_from(&r.source);
                *as_of = r.as_of.to_string();
            }
        }
        form
    }

    fn reference(&self, kind: ReferenceKind) -> (&str, &str, &str) {
        let (amount, source, as_of) = match kind {
            ReferenceKind::Rent => (&self.rent_amount, &self.rent_source, &self.rent_as_of),
            ReferenceKind::LivingWage => (
                &self.living_wage_amount,
                &self.living_wage_source,
                &self.living_wage_as_of,
            ),
            ReferenceKind::Cpi => (&self.cpi_amount, &self.cpi_source, &self.cpi_as_of),
        };
        (amount.trim(), source.trim(), as_of.trim())
    }

    fn reference_mut(&mut self, kind: ReferenceKind) -> (&mut String, &mut String, &mut String) {
        match kind {
            ReferenceKind::Rent => (
                &mut self.rent_amount,
                &mut self.rent_source,
                &mut self.rent_as_of,
            ),
            ReferenceKind::LivingWage => (
                &mut self.living_wage_amount,
                &mut self.living_wage_source,
                &mut self.living_wage_as_of,
            ),
            ReferenceKind::Cpi => (
                &mut self.cpi_amount,
                &mut self.cpi_source,
                &mut self.cpi_as_of,
            ),
        }
    }

    /// What was typed in `field`, to show again.
    pub fn value(&self, field: &str) -> &str {
        for kind in ReferenceKind::ALL {
            let (amount, source, as_of) = self.reference(kind);
            if field == kind.amount_field() {
                return amount;
            } else if field == kind.source_field() {
                return source;
            } else if field == kind.as_of_field() {
                return as_of;
            }
        }
        self.floors.get(field).map_or("", String::as_str)
    }

    /// The floors and references, or what is wrong by field.
    pub fn parse(&self, classes: &[Class]) -> Result<UnitSettings, FieldErrors> {
        let mut errors = FieldErrors::new();
        let floors = parse_floors(&self.floors, classes, &mut errors);
        let references = self.parse_references(&mut errors);
        errors.into_result(|| UnitSettings { floors, references })
    }

    /// The reference costs given: an amount needs a source and a date.
    fn parse_references(&self, errors: &mut FieldErrors) -> BTreeMap<String, Reference> {
        let mut refs = BTreeMap::new();
        for kind in ReferenceKind::ALL {
            let (amount_raw, source, as_of_raw) = self.reference(kind);
            if amount_raw.is_empty() && source.is_empty() && as_of_raw.is_empty() {
                continue;
            }
            let amount = match kind {
                ReferenceKind::Cpi => parse::percent(amount_raw).and_then(|a| {
                    if (-9_999..=10_000).contains(&a) {
                        Ok(a)
                    } else {
                        Err(ReferenceProblem::InflationOutOfRange.to_string())
                    }
                }),
                _ => parse::money(amount_raw, false).map(|c| c.0),
            };
            let amount = errors.take(kind.amount_field(), amount);
            if source.is_empty() {
                errors.add_problem(&ReferenceProblem::NoSource(kind));
            }
            let as_of = errors.take(kind.as_of_field(), parse::date(as_of_raw));
            if let (Some(amount), Some(as_of), false) = (amount, as_of, source.is_empty()) {
                refs.insert(
                    kind.as_str().to_owned(),
                    Reference {
                        amount,
                        source: source.chars().take(300).collect(),
                        as_of,
                    },
                );
            }
        }
        refs
    }
}

/// What the scenario form sends.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScenarioForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    raise: String,
    #[serde(default)]
    flat_raise: String,
    #[serde(default)]
    premium: String,
    #[serde(default)]
    effective_date: String,
    /// `floor_{class id}`, one per classification.
    #[serde(flatten)]
    floors: BTreeMap<String, String>,
}

impl ScenarioForm {
    /// A new scenario: no raise, from the current contract's floors.
    pub fn starting(classes: &[Class]) -> Self {
        Self {
            raise: "0".into(),
            flat_raise: "0".into(),
            premium: "0".into(),
            floors: classes
                .iter()
                .map(|(id, _, floor)| {
                    (floor_field(*id), floor.map(plain_money).unwrap_or_default())
                })
                .collect(),
            ..Self::default()
        }
    }

    /// A stored scenario, to edit.
    pub fn stored(row: &ScenarioRow, floors: &BTreeMap<i64, i64>, classes: &[Class]) -> Self {
        Self {
            name: row.name.clone(),
            raise: plain_percent(i64::from(row.raise_bp)),
            flat_raise: plain_money(row.flat_raise_cents),
            premium: plain_money(row.premium_monthly_cents),
            effective_date: row.effective_date.to_string(),
            floors: classes
                .iter()
                .map(|(id, _, _)| {
                    let floor = floors.get(id).map(|f| plain_money(*f));
                    (floor_field(*id), floor.unwrap_or_default())
                })
                .collect(),
        }
    }

    /// What was typed in `field`, to show again.
    pub fn value(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "raise" => &self.raise,
            "flat_raise" => &self.flat_raise,
            "premium" => &self.premium,
            "effective_date" => &self.effective_date,
            _ => self.floors.get(field).map_or("", String::as_str),
        }
    }

    /// The scenario, or what is wrong by field.
    pub fn parse(
        &self,
        unit_id: i64,
        classes: &[Class],
        contract_start: Option<NaiveDate>,
    ) -> Result<ScenarioInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add_problem(&ScenarioProblem::NameMissing);
        } else if name.chars().count() > 100 {
            errors.add_problem(&ScenarioProblem::NameTooLong);
        }
        let raise = parse::percent(self.raise.trim()).and_then(|bp| {
            i32::try_from(bp)
                .ok()
                .filter(|bp| (-10_000..=10_000).contains(bp))
                .ok_or_else(|| ScenarioProblem::RaiseBeyondReason.to_string())
        });
        let raise = errors.take("raise", raise);
        let flat = parse::money(self.flat_raise.trim(), true).and_then(|c| {
            if c.0.abs() > 10_000_000 {
                Err(ScenarioProblem::FlatRaiseBeyondReason.to_string())
            } else {
                Ok(c.0)
            }
        });
        let flat = errors.take("flat_raise", flat);
        let premium = errors.take(
            "premium",
            parse::money(self.premium.trim(), true).map(|c| c.0),
        );
        let effective =
            parse::date(self.effective_date.trim()).and_then(|date| match contract_start {
                Some(start) if date < start => {
                    Err(ScenarioProblem::BeforeContract(start).to_string())
                }
                _ => Ok(date),
            });
        let effective = errors.take("effective_date", effective);
        let floors: BTreeMap<i64, i64> = parse_floors(&self.floors, classes, &mut errors)
            .into_iter()
            .filter_map(|(id, floor)| Some((id, floor?)))
            .collect();
        let floor_refused = classes
            .iter()
            .any(|(id, _, _)| errors.has(&floor_field(*id)));
        if floors.is_empty() && !floor_refused {
            errors.add_problem(&ScenarioProblem::NoFloors);
        }
        match (raise, flat, premium, effective) {
            (Some(raise_bp), Some(flat_raise), Some(premium_monthly), Some(effective_date))
                if errors.is_empty() =>
            {
                Ok(ScenarioInput {
                    unit_id,
                    name: name.to_owned(),
                    raise_bp,
                    flat_raise,
                    premium_monthly,
                    effective_date,
                    floors,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed<T: serde::de::DeserializeOwned>(pairs: &[(&str, &str)]) -> T {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).into()))
            .collect();
        serde_json::from_value(map.into()).unwrap()
    }

    #[test]
    fn a_scenario_beyond_reason_is_refused_by_field() {
        let classes = vec![(1, "Analyst".to_owned(), None)];
        let start = NaiveDate::from_ymd_opt(2026, 1, 1);
        let form: ScenarioForm = typed(&[
            ("name", "X"),
            ("raise", "150"),
            ("flat_raise", "0"),
            ("premium", "0"),
            ("effective_date", "2025-07-01"),
            ("floor_1", "-5"),
        ]);
        let errors = form.parse(9, &classes, start).unwrap_err();
        assert!(errors.get("raise").starts_with("A raise beyond 100%"));
        assert_eq!(
            errors.get("effective_date"),
            "The effective date cannot be before the contract starts (2026-01-01)."
        );
        assert_eq!(
            errors.get("floor_1"),
            "The floor for Analyst cannot be negative."
        );
        let form: ScenarioForm = typed(&[
            ("name", "X"),
            ("raise", "3"),
            ("flat_raise", "0"),
            ("premium", "0"),
            ("effective_date", "2026-07-01"),
        ]);
        let errors = form.parse(9, &classes, start).unwrap_err();
        assert!(
            errors
                .get("floors")
                .starts_with("Give at least one classification a floor")
        );
    }

    #[test]
    fn a_reference_cost_needs_its_source() {
        let form: UnitSettingsForm = typed(&[
            ("rent_amount", "2800"),
            ("rent_as_of", "2026-10-01"),
            ("cpi_amount", "5"),
            ("cpi_source", "BLS CPI-U"),
            ("cpi_as_of", "2026-09-30"),
        ]);
        let mut errors = FieldErrors::new();
        let refs = form.parse_references(&mut errors);
        assert_eq!(
            errors.get("rent_source"),
            "Say where the median one-bedroom rent figure comes from."
        );
        assert_eq!(refs.get("cpi").map(|r| r.amount), Some(500));
        assert!(!refs.contains_key("rent"));
    }
}
