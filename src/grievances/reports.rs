//! Reports for chief stewards and officers: open cases by step, article and
//! department; outcomes with back pay; days from filing to resolution; and
//! every case as CSV.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::QueryResult;

use super::case::Procedure;
use super::store::{self, reads};
use crate::auth::ChiefStewardUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The figures on the reports page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Open cases.
    pub open: usize,
    /// Open cases per step name, in procedure order.
    pub by_step: Vec<(String, usize)>,
    /// Open cases per article (a case citing two articles counts in both).
    pub by_article: Vec<(String, usize)>,
    /// Open cases per department.
    pub by_department: Vec<(String, usize)>,
    /// Closed cases per outcome.
    pub outcomes: Vec<(String, usize)>,
    /// Back pay won across closed cases.
    pub back_pay: Cents,
    /// Closed cases.
    pub resolved: usize,
    /// Median calendar days from filing to resolution, in half days (so
    /// an even count's midpoint needs no float).
    pub median_half_days: Option<i64>,
}

impl Figures {
    /// "12" or "12.5".
    pub fn median_text(&self) -> String {
        match self.median_half_days {
            Some(0) => "0: at least half the cases closed the day they were filed".into(),
            Some(h) if h % 2 == 0 => format!("{}", h / 2),
            Some(h) => format!("{}.5", h / 2),
            None => "—".into(),
        }
    }
}

fn counted(map: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut rows: Vec<(String, usize)> = map.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// Computes the figures over every case.
pub fn figures(conn: &mut DbConnection) -> QueryResult<Figures> {
    let rows = reads::every(conn)?;
    let articles_of = reads::articles_by_case(conn)?;
    let mut procedures = HashMap::new();
    // Steps are listed in procedure order: (position, name) keys.
    let mut by_step: BTreeMap<(i32, String), usize> = BTreeMap::new();
    let (mut by_article, mut by_department, mut outcomes) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut figures = Figures::default();
    let mut durations = Vec::new();
    for row in &rows {
        if row.is_open() {
            figures.open += 1;
            if let std::collections::hash_map::Entry::Vacant(slot) = procedures.entry(row.unit_id) {
                slot.insert(store::procedure(conn, row.unit_id)?);
            }
            let step = procedures
                .get(&row.unit_id)
                .map_or_else(String::new, |p: &Procedure| p.step_name(row.step_position));
            *by_step.entry((row.step_position, step)).or_insert(0) += 1;
            for article in articles_of.get(&row.id).into_iter().flatten() {
                *by_article.entry(article.clone()).or_insert(0) += 1;
            }
            *by_department.entry(row.department.clone()).or_insert(0) += 1;
        } else {
            figures.resolved += 1;
            *outcomes.entry(row.status.label().to_owned()).or_insert(0) += 1;
            figures.back_pay.0 += row.back_pay_cents.unwrap_or(0);
            if let Some(resolved) = row.resolved_on {
                durations.push((resolved - row.filed_on).num_days());
            }
        }
    }
    let mut steps: BTreeMap<String, (i32, usize)> = BTreeMap::new();
    for ((position, name), count) in by_step {
        let entry = steps.entry(name).or_insert((position, 0));
        entry.0 = entry.0.min(position);
        entry.1 += count;
    }
    let mut steps: Vec<(i32, String, usize)> =
        steps.into_iter().map(|(n, (p, c))| (p, n, c)).collect();
    steps.sort();
    figures.by_step = steps.into_iter().map(|(_, n, c)| (n, c)).collect();
    figures.by_article = counted(by_article);
    figures.by_department = counted(by_department);
    figures.outcomes = counted(outcomes);
    durations.sort_unstable();
    figures.median_half_days = match durations.len() {
        0 => None,
        n if n % 2 == 1 => Some(durations[n / 2] * 2),
        n => Some(durations[n / 2 - 1] + durations[n / 2]),
    };
    Ok(figures)
}

/// `/stewards/reports`.
#[derive(Template)]
#[template(path = "grievances/reports.html")]
pub struct ReportsPage {
    page: Page,
    figures: Figures,
}

/// `GET /stewards/reports`.
pub async fn reports(
    page: Page,
    _chief: ChiefStewardUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let figures = db(&state, |conn| Ok(figures(conn)?)).await?;
    render(StatusCode::OK, &ReportsPage { page, figures })
}

/// The CSV columns.
pub const CSV_COLUMNS: [&str; 16] = [
    "number",
    "unit",
    "kind",
    "grievants",
    "incident_date",
    "filed_on",
    "late_days",
    "articles",
    "department",
    "step",
    "status",
    "continuing_violation",
    "next_deadline",
    "resolved_on",
    "days_to_resolution",
    "back_pay",
];

/// `GET /stewards/reports/grievances.csv`: one line per case, without the
/// narrative or names, which stay on the case pages.
pub async fn export(
    _chief: ChiefStewardUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (rows, unit_names, articles, counts, procedures) = db(&state, |conn| {
        let rows = reads::every(conn)?;
        let unit_names = reads::unit_names(conn)?;
        let articles = reads::articles_by_case(conn)?;
        let counts = reads::grievant_counts(conn)?;
        let mut procedures = HashMap::new();
        for unit in unit_names.keys() {
            procedures.insert(*unit, store::procedure(conn, *unit)?);
        }
        Ok((rows, unit_names, articles, counts, procedures))
    })
    .await?;
    let mut records = vec![
        CSV_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect::<Vec<_>>(),
    ];
    for row in rows {
        let step = procedures
            .get(&row.unit_id)
            .map(|p| p.step_name(row.step_position))
            .unwrap_or_default();
        let back_pay = row
            .back_pay_cents
            .map(|c| format!("{}.{:02}", c / 100, c % 100))
            .unwrap_or_default();
        let record = [
            row.number(),
            unit_names.get(&row.unit_id).cloned().unwrap_or_default(),
            row.kind.to_string(),
            counts.get(&row.id).copied().unwrap_or(0).to_string(),
            row.incident_date.to_string(),
            row.filed_on.to_string(),
            row.late_days.to_string(),
            articles
                .get(&row.id)
                .map(|a| a.join("; "))
                .unwrap_or_default(),
            row.department.clone(),
            step,
            row.status.to_string(),
            if row.continuing_violation {
                "yes"
            } else {
                "no"
            }
            .to_owned(),
            if row.is_open() {
                row.due_on.map(|d| d.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            row.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
            row.resolved_on
                .map(|d| (d - row.filed_on).num_days().to_string())
                .unwrap_or_default(),
            back_pay,
        ];
        records.push(record.to_vec());
    }
    crate::web::csv::download("grievances.csv", records)
}
