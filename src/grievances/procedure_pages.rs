//! The officer's page for a unit's grievance procedure: its ordered steps
//! with their limits, the unit's own holidays, and whether a calendar-day
//! deadline on a day off rolls to the next business day.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::calendar::{self, DayCount, UnitHolidays};
use super::case::{Procedure, Step};
use super::store::{self, procedures};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// Rows offered on the form; blank ones are ignored.
pub const ROWS: usize = 6;

/// One row of the form, as typed.
#[derive(Debug, Clone, Default)]
pub struct StepRow {
    pub index: usize,
    pub name: String,
    pub filing_days: String,
    pub response_days: String,
    pub count: String,
    pub arbitration: bool,
}

impl StepRow {
    /// The name of this row's field `what`: "filing_2".
    pub fn id(&self, what: &str) -> String {
        format!("{what}_{}", self.index)
    }
}

/// How a step's limits may be counted, as the form offers them.
const COUNTS: [(&str, &str); 2] = [("business", "business days"), ("calendar", "calendar days")];

/// The form.
#[derive(Template)]
#[template(path = "grievances/procedure.html")]
pub struct ProcedurePage {
    page: Page,
    unit_id: i64,
    unit_name: String,
    rows: Vec<StepRow>,
    holidays: String,
    roll_forward: bool,
    errors: FieldErrors,
    federal: Vec<(String, &'static str)>,
}

impl ProcedurePage {
    fn row_error(&self, index: &usize) -> &str {
        self.errors.get(&format!("step_{index}"))
    }

    /// The problem with field `what` of `row`, or "".
    fn field_error(&self, row: &StepRow, what: &str) -> &str {
        self.errors.get(&row.id(what))
    }

    fn counts(&self) -> &'static [(&'static str, &'static str)] {
        &COUNTS
    }
}

fn rows_of(steps: &[Step]) -> Vec<StepRow> {
    (1..=ROWS)
        .map(|index| match steps.get(index - 1) {
            Some(step) => StepRow {
                index,
                name: step.name.clone(),
                filing_days: step.filing_days.to_string(),
                response_days: step.response_days.to_string(),
                count: step.count.as_str().to_owned(),
                arbitration: step.arbitration,
            },
            None => StepRow {
                index,
                count: "business".into(),
                ..StepRow::default()
            },
        })
        .collect()
}

fn holidays_text(holidays: &UnitHolidays) -> String {
    holidays
        .iter()
        .map(|(day, name)| format!("{day} {name}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the officer typed, to show again with the problems.
struct Typed {
    rows: Vec<StepRow>,
    holidays: String,
    roll_forward: bool,
}

async fn show_form(
    page: Page,
    state: &web::Data<AppState>,
    unit_id: i64,
    typed: Option<Typed>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (unit_name, procedure) = db(state, move |conn| {
        let name = procedures::unit_name(conn, unit_id)?;
        Ok((name, store::procedure(conn, unit_id)?))
    })
    .await?;
    let year = state.config.today().year();
    let federal = calendar::federal_holidays_observed_in(year)
        .into_iter()
        .chain(calendar::federal_holidays_observed_in(year + 1))
        .map(|(day, name)| (crate::clock::long_date(day), name))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ProcedurePage {
            page,
            unit_id,
            unit_name,
            roll_forward: typed
                .as_ref()
                .map_or(procedure.roll_forward, |t| t.roll_forward),
            rows: match &typed {
                Some(t) => t.rows.clone(),
                None => rows_of(&procedure.steps),
            },
            holidays: match typed {
                Some(t) => t.holidays,
                None => holidays_text(&procedure.holidays),
            },
            errors,
            federal,
        },
    )
}

/// `GET /officer/units/{id}/procedure`.
pub async fn form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_form(page, &state, id.into_inner(), None, FieldErrors::new()).await
}

/// Checks the typed rows: the steps, or errors by field.
pub fn check_steps(rows: &[StepRow]) -> Result<Vec<Step>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut steps = Vec::new();
    for row in rows.iter().filter(|r| !r.name.trim().is_empty()) {
        let days = |raw: &str, what: &str| -> Result<u32, String> {
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 365)
                .ok_or_else(|| {
                    format!(
                        "{}: the {what} must be a number of days from 0 to 365.",
                        row.name.trim()
                    )
                })
        };
        // Every field is checked, so a row with two bad limits shows both.
        let filing = errors.take(
            &row.id("filing"),
            days(&row.filing_days, "filing or appeal limit"),
        );
        let response = errors.take(
            &row.id("response"),
            days(&row.response_days, "response limit"),
        );
        let count = errors.take(
            &row.id("count"),
            row.count
                .parse::<DayCount>()
                .map_err(|_| "Choose calendar or business days.".to_owned()),
        );
        if let (Some(filing_days), Some(response_days), Some(count)) = (filing, response, count) {
            steps.push(Step {
                position: i32::try_from(steps.len() + 1).unwrap_or(i32::MAX),
                name: row.name.trim().to_owned(),
                filing_days,
                response_days,
                count,
                arbitration: row.arbitration,
            });
        }
    }
    if steps.is_empty() && errors.is_empty() {
        errors.add("step_1", "A procedure needs at least one step.");
    }
    if let Some(pos) = steps.iter().position(|s| s.arbitration)
        && (pos + 1 != steps.len() || pos == 0)
    {
        errors.add(
            "step_1",
            "Arbitration must be the last step, after at least one other.",
        );
    }
    errors.into_result(|| steps)
}

/// Reads "2026-11-27 Day after Thanksgiving" lines.
pub fn parse_holidays(raw: &str) -> Result<UnitHolidays, String> {
    let mut holidays = UnitHolidays::new();
    for (n, line) in raw.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            format!(
                "Line {}: \"{line}\" does not start with a date such as 2026-11-27.",
                n + 1
            )
        })?;
        let name = name.trim();
        holidays.insert(
            date,
            if name.is_empty() {
                "Unit holiday".to_owned()
            } else {
                name.chars().take(100).collect()
            },
        );
    }
    Ok(holidays)
}

/// The procedure form: `name_N`, `filing_N`, `response_N`, `count_N` and
/// `arbitration_N` for each row N, the holidays and the roll-forward box.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProcedureForm {
    /// One a line.
    #[serde(default)]
    pub holidays: String,
    /// Any value: the roll-forward box is ticked.
    #[serde(default)]
    pub roll_forward: String,
    /// The step rows' fields, by name.
    #[serde(flatten)]
    pub steps: HashMap<String, String>,
}

impl ProcedureForm {
    /// The step rows as typed; a field not sent is empty.
    pub fn rows(&self) -> Vec<StepRow> {
        let get = |name: String| self.steps.get(&name).cloned().unwrap_or_default();
        (1..=ROWS)
            .map(|index| StepRow {
                index,
                name: get(format!("name_{index}")),
                filing_days: get(format!("filing_{index}")),
                response_days: get(format!("response_{index}")),
                count: get(format!("count_{index}")),
                arbitration: !get(format!("arbitration_{index}")).is_empty(),
            })
            .collect()
    }
}

/// `POST /officer/units/{id}/procedure`.
pub async fn save(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ProcedureForm>,
) -> Result<HttpResponse, AppError> {
    let unit_id = id.into_inner();
    let form = form.into_inner();
    let rows = form.rows();
    let holidays_raw = form.holidays.clone();
    let roll_forward = !form.roll_forward.trim().is_empty();
    let steps = check_steps(&rows);
    let holidays = parse_holidays(&holidays_raw);
    let (steps, holidays) = match (steps, holidays) {
        (Ok(steps), Ok(holidays)) => (steps, holidays),
        (steps, holidays) => {
            let mut errors = steps.err().unwrap_or_default();
            if let Err(message) = holidays {
                errors.add("holidays", message);
            }
            let typed = Typed {
                rows,
                holidays: holidays_raw,
                roll_forward,
            };
            return show_form(page, &state, unit_id, Some(typed), errors).await;
        }
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let summary = steps
        .iter()
        .map(|s| {
            format!(
                "{} ({}/{} {})",
                s.name,
                s.filing_days,
                s.response_days,
                s.count.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let procedure = Procedure {
        steps,
        holidays,
        roll_forward,
    };
    let moved = db(&state, move |conn| {
        // The procedure, the deadlines it moves and the audit entry are
        // one transaction: all of them, or none.
        write_tx(conn, |conn| {
            let unit = procedures::unit_name(conn, unit_id)?;
            let moved = store::save_procedure(conn, &ctx, unit_id, &procedure)?;
            let numbers = moved
                .iter()
                .map(|m| store::number(m.id))
                .collect::<Vec<_>>()
                .join(", ");
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "grievance_procedure",
                    target: &unit,
                    detail: &format!(
                        "{summary}; {} unit holidays; roll forward {}; deadlines moved: {}",
                        procedure.holidays.len(),
                        if procedure.roll_forward { "on" } else { "off" },
                        if numbers.is_empty() { "none" } else { &numbers }
                    ),
                },
            )?;
            Ok::<_, AppError>(moved)
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/officer/units/{unit_id}/procedure"),
        FlashKind::Success,
        &saved_message(&moved),
        state.config.behind_https(),
    ))
}

/// What the officer is told after saving: which open cases' deadlines moved.
fn saved_message(moved: &[store::Moved]) -> String {
    let numbers: Vec<String> = moved.iter().map(|m| store::number(m.id)).collect();
    match numbers.as_slice() {
        [] => "Grievance procedure saved. No open case's deadline moved.".to_owned(),
        [one] => format!(
            "Grievance procedure saved. The deadline of {one} moved; its timeline says from when to when."
        ),
        many => format!(
            "Grievance procedure saved. The deadlines of {} open cases moved ({}); each timeline says from when to when.",
            many.len(),
            many.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: usize, name: &str, filing: &str, response: &str, arbitration: bool) -> StepRow {
        StepRow {
            index,
            name: name.into(),
            filing_days: filing.into(),
            response_days: response.into(),
            count: "business".into(),
            arbitration,
        }
    }

    #[test]
    fn blank_rows_are_skipped_and_positions_close_up() {
        let steps = check_steps(&[
            row(1, "Step 1", "30", "10", false),
            row(2, "", "", "", false),
            row(3, "Arbitration", "30", "0", true),
        ])
        .unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].position, 2);
    }

    #[test]
    fn bad_limits_and_misplaced_arbitration_are_named() {
        let errors = check_steps(&[row(1, "Step 1", "ten", "10", false)]).unwrap_err();
        assert_eq!(
            errors.get("filing_1"),
            "Step 1: the filing or appeal limit must be a number of days from 0 to 365."
        );
        let errors = check_steps(&[
            row(1, "Arbitration", "30", "0", true),
            row(2, "Step 2", "10", "10", false),
        ])
        .unwrap_err();
        assert!(
            errors
                .get("step_1")
                .starts_with("Arbitration must be the last step")
        );
    }

    #[test]
    fn every_bad_field_of_a_step_is_named() {
        let errors = check_steps(&[row(1, "Step 1", "\u{2212}3", "ten", false)]).unwrap_err();
        assert_eq!(errors.count(), 2, "{errors:?}");
        assert!(errors.get("filing_1").contains("filing or appeal limit"));
        assert!(errors.get("response_1").contains("response limit"));
    }

    #[test]
    fn holidays_are_read_one_a_line() {
        let holidays = parse_holidays("2026-11-27 Day after Thanksgiving\n\n2026-12-24").unwrap();
        assert_eq!(holidays.len(), 2);
        assert_eq!(
            parse_holidays("27/11/2026 Friday").unwrap_err(),
            "Line 1: \"27/11/2026 Friday\" does not start with a date such as 2026-11-27."
        );
    }
}
