//! The comparison pages everyone in a unit may read, and the CSV exports.
//! Officers see every unit and every person's row; a member sees their own
//! unit only, its aggregates (groups of three or more, means rather than
//! medians or minimums, which in a small group are one person's salary),
//! and their own line.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::OptionalExtension as _;
use serde::Deserialize;

use super::calc::{self, Group, Outcome, Row, SMALLEST_GROUP};
use super::charts::{self, Chart};
use super::input::ReferenceKind;
use super::store::{self, ScenarioRow};
use crate::auth::{CurrentUser, OfficerUser};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::money::Cents;
use crate::money::plain_money;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::{db, render};

/// Who is looking, as these pages need to know.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub officer: bool,
    /// The viewer's own roster entry and unit.
    pub own: Option<(i64, i64)>,
}

impl Viewer {
    fn may_see_unit(&self, unit_id: i64) -> bool {
        self.officer || self.own.is_some_and(|(_, unit)| unit == unit_id)
    }
}

fn viewer(conn: &mut DbConnection, current: &CurrentUser) -> Result<Viewer, AppError> {
    let own = crate::roster::belonging(conn, current.user.id)?;
    Ok(Viewer {
        officer: current.user.can(Role::Officer),
        own,
    })
}

/// `/salary`: a unit's floors, references and scenarios.
#[derive(Template)]
#[template(path = "salary/index.html")]
pub struct IndexPage {
    page: Page,
    officer: bool,
    units: Vec<(i64, String)>,
    unit: Option<(i64, String)>,
    floors: Vec<(String, String)>,
    references: Vec<(String, String, String, String)>,
    scenarios: Vec<ScenarioRow>,
}

/// The unit `/salary?unit=` asks for.
#[derive(Debug, Deserialize)]
pub struct UnitQuery {
    #[serde(default)]
    unit: String,
}

/// `GET /salary`.
pub async fn index(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<UnitQuery>,
) -> Result<HttpResponse, AppError> {
    // An address with a unit that is not a number shows the first unit.
    let asked: Option<i64> = query.unit.parse().ok();
    let view = db(&state, move |conn| {
        let viewer = viewer(conn, &current)?;
        let visible: Vec<(i64, String)> = store::units(conn)?
            .into_iter()
            .filter(|(id, _)| viewer.may_see_unit(*id))
            .collect();
        let unit = match asked {
            Some(id) => Some(
                visible
                    .iter()
                    .find(|(u, _)| *u == id)
                    .cloned()
                    .ok_or(AppError::NotFound)?,
            ),
            None => visible.first().cloned(),
        };
        let (floors, references, scenarios) = match &unit {
            Some((id, _)) => {
                let floors = store::classes(conn, *id)?
                    .into_iter()
                    .map(|(_, name, floor)| {
                        (
                            name,
                            floor.map_or("not set".into(), |f| Cents(f).to_string()),
                        )
                    })
                    .collect();
                let refs = store::references(conn, *id)?;
                let references = ReferenceKind::ALL
                    .iter()
                    .filter_map(|kind| {
                        refs.get(kind.as_str()).map(|r| {
                            let amount = if *kind == ReferenceKind::Cpi {
                                format!("{}%", plain_money(r.amount))
                            } else {
                                Cents(r.amount).to_string()
                            };
                            (
                                kind.label().to_owned(),
                                amount,
                                r.source.clone(),
                                r.as_of.to_string(),
                            )
                        })
                    })
                    .collect();
                (floors, references, store::scenarios(conn, *id)?)
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        Ok((viewer, visible, unit, floors, references, scenarios))
    })
    .await?;
    let (viewer, units, unit, floors, references, scenarios) = view;
    render(
        StatusCode::OK,
        &IndexPage {
            page,
            officer: viewer.officer,
            units,
            unit,
            floors,
            references,
            scenarios,
        },
    )
}

/// One line of the side-by-side table.
#[derive(Debug, Clone)]
pub struct Metric {
    pub label: &'static str,
    pub cells: Vec<(String, String, &'static str)>,
}

fn metric(
    label: &'static str,
    groups: &[&Group],
    value: impl Fn(&Group) -> i64,
    show: impl Fn(i64) -> String,
    better_when_higher: Option<bool>,
) -> Metric {
    let base = groups.first().map(|g| value(g));
    let cells = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let v = value(g);
            let (diff, class) = match (i, base) {
                (0, _) | (_, None) => (String::new(), ""),
                (_, Some(b)) if v == b => ("same".to_owned(), ""),
                (_, Some(b)) => {
                    let d = v - b;
                    let text = if d > 0 {
                        format!("+{}", show(d))
                    } else {
                        format!("−{}", show(-d))
                    };
                    let class = match better_when_higher {
                        Some(true) if d > 0 => "diff-better",
                        Some(false) if d < 0 => "diff-better",
                        Some(_) => "diff-worse",
                        None => "diff",
                    };
                    (text, class)
                }
            };
            (show(v), diff, class)
        })
        .collect();
    Metric { label, cells }
}

fn money(v: i64) -> String {
    Cents(v).to_string()
}

fn count(v: i64) -> String {
    v.to_string()
}

/// Whether a member may see what bringing a group to the floor costs: the
/// sum over those below it, which for fewer than three (four when the
/// member is one of them and knows their own gap) gives one person's gap,
/// and so their salary.
fn floor_cost_visible(g: &Group, own: Option<&Row>) -> bool {
    let mine = own.is_some_and(|r| r.below_floor_by.0 > 0);
    g.below_floor >= calc::SMALLEST_GROUP + usize::from(mine)
}

fn metrics(groups: &[&Group], officer: bool, floor_cost: bool, has_cpi: bool) -> Vec<Metric> {
    let mut list = vec![
        metric(
            "People in the unit",
            groups,
            |g| g.headcount as i64,
            count,
            None,
        ),
        metric(
            "Below the floor now",
            groups,
            |g| g.below_floor as i64,
            count,
            Some(false),
        ),
        metric(
            "Cost over the current payroll, a year",
            groups,
            |g| g.cost.0,
            money,
            None,
        ),
        metric(
            "Go backward after premiums",
            groups,
            |g| g.backward as i64,
            count,
            Some(false),
        ),
        metric(
            "Rent-burdened after (over 30% of pay)",
            groups,
            |g| g.burdened_after as i64,
            count,
            Some(false),
        ),
        metric(
            "Severely rent-burdened after (over 50%)",
            groups,
            |g| g.severe_after as i64,
            count,
            Some(false),
        ),
    ];
    if officer || floor_cost {
        list.insert(
            2,
            metric(
                "Cost to bring everyone to the floor, a year",
                groups,
                |g| g.cost_to_floor.0,
                money,
                None,
            ),
        );
    }
    if officer {
        list.push(metric(
            "Largest loss after premiums, a year",
            groups,
            |g| -g.worst_net.0,
            money,
            Some(false),
        ));
        list.push(metric(
            "Median salary after",
            groups,
            |g| g.median_after.0,
            money,
            Some(true),
        ));
        list.push(metric(
            "Lowest salary after",
            groups,
            |g| g.min_after.0,
            money,
            Some(true),
        ));
        if has_cpi {
            list.push(metric(
                "Median real change after inflation",
                groups,
                |g| g.median_real_change.map_or(0, |c| c.0),
                money,
                Some(true),
            ));
        }
    } else {
        list.push(metric(
            "Average salary after",
            groups,
            |g| g.mean_after.0,
            money,
            Some(true),
        ));
        if has_cpi {
            list.push(metric(
                "Average real change after inflation",
                groups,
                |g| g.mean_real_change.map_or(0, |c| c.0),
                money,
                Some(true),
            ));
        }
    }
    list
}

/// One person's line as shown.
#[derive(Debug, Clone)]
pub struct RowView {
    pub scenario: String,
    pub name: String,
    pub classification: String,
    pub salary: String,
    pub floor: String,
    pub below_by: String,
    pub new_salary: String,
    pub raise: String,
    pub premium: String,
    pub net: String,
    pub backward: bool,
    pub burden_before: String,
    pub burden_after: String,
    pub real_change: String,
}

/// "56.3%": basis points to a tenth of a percent, rounded half away from zero.
fn percent(bp: Option<i64>) -> String {
    bp.map_or("—".into(), |b| {
        let tenths = i64::try_from(crate::money::div_round_half_up(i128::from(b), 10)).unwrap_or(0);
        format!("{}.{}%", tenths / 10, (tenths % 10).abs())
    })
}

fn row_view(scenario: &str, r: &Row) -> RowView {
    RowView {
        scenario: scenario.to_owned(),
        name: r.person.name.clone(),
        classification: r.person.classification.clone(),
        salary: r.person.salary.to_string(),
        floor: if r.floor.0 > 0 {
            r.floor.to_string()
        } else {
            "none".into()
        },
        below_by: if r.below_floor_by.0 > 0 {
            r.below_floor_by.to_string()
        } else {
            String::new()
        },
        new_salary: r.new_salary.to_string(),
        raise: r.raise.to_string(),
        premium: r.premium_year.to_string(),
        net: r.net.to_string(),
        backward: r.backward(),
        burden_before: percent(r.burden_before_bp),
        burden_after: percent(r.burden_after_bp),
        real_change: r.real_change.map_or("—".into(), |c| c.to_string()),
    }
}

/// A group's line in the per-group table.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub scenario: String,
    pub label: String,
    pub headcount: usize,
    pub centre_before: String,
    pub centre_after: String,
    pub lowest_after: String,
    pub below_floor: usize,
    pub cost: String,
    pub backward: usize,
}

/// The comparison (or one scenario) page.
#[derive(Template)]
#[template(path = "salary/compare.html")]
pub struct ComparePage {
    page: Page,
    officer: bool,
    unit_id: i64,
    unit_name: String,
    scenarios: Vec<ScenarioRow>,
    terms: Vec<Metric>,
    metrics: Vec<Metric>,
    groups: Vec<GroupView>,
    rows: Vec<RowView>,
    own: Vec<RowView>,
    charts: Vec<Chart>,
    hidden_small: bool,
    missing_rent: bool,
}

struct Computed {
    unit_name: String,
    scenarios: Vec<ScenarioRow>,
    outcomes: Vec<Outcome>,
    floors_by_group: Vec<Vec<Option<Cents>>>,
    viewer: Viewer,
    missing_rent: bool,
    has_cpi: bool,
}

fn compute(
    conn: &mut DbConnection,
    current: &CurrentUser,
    ids: &[i64],
) -> Result<Computed, AppError> {
    let viewer = viewer(conn, current)?;
    let mut scenarios = Vec::new();
    for id in ids {
        let row = store::scenario(conn, *id)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if !viewer.may_see_unit(row.unit_id) {
            return Err(AppError::NotFound);
        }
        scenarios.push(row);
    }
    let unit_id = scenarios
        .first()
        .map(|s| s.unit_id)
        .ok_or(AppError::NotFound)?;
    if scenarios.iter().any(|s| s.unit_id != unit_id) {
        return Err(AppError::BadRequest(
            "Compare scenarios of one unit at a time.".into(),
        ));
    }
    let (unit_name, _) = store::unit(conn, unit_id)?;
    let people = store::people(conn, unit_id)?;
    let refs = store::references(conn, unit_id)?;
    let figures = store::figures(&refs);
    let mut outcomes = Vec::new();
    let mut all_terms = Vec::new();
    for s in &scenarios {
        let terms = store::terms(conn, s)?;
        outcomes.push(calc::compute(&people, &terms, &figures));
        all_terms.push(terms);
    }
    let groups = shown_groups(&outcomes[0], viewer.officer);
    let floors_by_group = all_terms
        .iter()
        .map(|t| {
            groups
                .iter()
                .map(|g| t.floors.get(&g.label).copied())
                .collect()
        })
        .collect();
    Ok(Computed {
        unit_name,
        scenarios,
        outcomes,
        floors_by_group,
        viewer,
        missing_rent: figures.rent_monthly.is_none(),
        has_cpi: figures.cpi_bp.is_some(),
    })
}

/// The per-group figures a viewer may see.
fn shown_groups(outcome: &Outcome, officer: bool) -> Vec<Group> {
    if officer {
        outcome.by_class.clone()
    } else {
        calc::public_groups(outcome)
    }
}

fn page_for(page: Page, c: Computed) -> ComparePage {
    let officer = c.viewer.officer;
    let names: Vec<String> = c.scenarios.iter().map(|s| s.name.clone()).collect();
    let units: Vec<&Group> = c.outcomes.iter().map(|o| &o.unit).collect();
    // The unit as a whole is a group too: under three people, members see no figures.
    let unit_visible = officer
        || c.outcomes
            .first()
            .is_some_and(|o| o.unit.headcount >= SMALLEST_GROUP);
    let own_rows: Vec<Option<&Row>> = c
        .outcomes
        .iter()
        .map(|o| {
            c.viewer
                .own
                .and_then(|(member_id, _)| o.rows.iter().find(|r| r.person.member_id == member_id))
        })
        .collect();
    let floor_cost = c
        .outcomes
        .iter()
        .zip(&own_rows)
        .all(|(o, own)| floor_cost_visible(&o.unit, *own));
    let metrics = if unit_visible {
        metrics(&units, officer, floor_cost, c.has_cpi)
    } else {
        Vec::new()
    };
    let terms = vec![
        Metric {
            label: "Effective",
            cells: c
                .scenarios
                .iter()
                .map(|s| (s.effective_date.to_string(), String::new(), ""))
                .collect(),
        },
        Metric {
            label: "Across-the-board raise",
            cells: c
                .scenarios
                .iter()
                .map(|s| {
                    (
                        format!("{}%", plain_money(i64::from(s.raise_bp))),
                        String::new(),
                        "",
                    )
                })
                .collect(),
        },
        Metric {
            label: "Flat raise, a year",
            cells: c
                .scenarios
                .iter()
                .map(|s| (Cents(s.flat_raise_cents).to_string(), String::new(), ""))
                .collect(),
        },
        Metric {
            label: "Health premium change, a month",
            cells: c
                .scenarios
                .iter()
                .map(|s| {
                    (
                        Cents(s.premium_monthly_cents).to_string(),
                        String::new(),
                        "",
                    )
                })
                .collect(),
        },
    ];
    let mut groups = Vec::new();
    for (s, outcome) in c.scenarios.iter().zip(&c.outcomes) {
        for g in shown_groups(outcome, officer) {
            groups.push(GroupView {
                scenario: s.name.clone(),
                label: g.label.clone(),
                headcount: g.headcount,
                centre_before: if officer {
                    g.median_before
                } else {
                    g.mean_before
                }
                .to_string(),
                centre_after: if officer {
                    g.median_after
                } else {
                    g.mean_after
                }
                .to_string(),
                lowest_after: if officer {
                    g.min_after.to_string()
                } else {
                    String::new()
                },
                below_floor: g.below_floor,
                cost: g.cost.to_string(),
                backward: g.backward,
            });
        }
    }
    let rows = if officer {
        c.scenarios
            .iter()
            .zip(&c.outcomes)
            .flat_map(|(s, o)| {
                o.rows
                    .iter()
                    .map(|r| row_view(&s.name, r))
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        Vec::new()
    };
    let own = match c.viewer.own {
        Some((member_id, _)) => c
            .scenarios
            .iter()
            .zip(&c.outcomes)
            .filter_map(|(s, o)| {
                o.rows
                    .iter()
                    .find(|r| r.person.member_id == member_id)
                    .map(|r| row_view(&s.name, r))
            })
            .collect(),
        None => Vec::new(),
    };
    let shown = c
        .outcomes
        .first()
        .map(|o| shown_groups(o, officer))
        .unwrap_or_default();
    let dots: Option<Vec<(String, Vec<Cents>)>> = officer.then(|| {
        shown
            .iter()
            .map(|g| {
                let salaries = c.outcomes[0]
                    .rows
                    .iter()
                    .filter(|r| r.person.classification == g.label)
                    .map(|r| r.person.salary)
                    .collect();
                (g.label.clone(), salaries)
            })
            .collect()
    });
    let mut charts = vec![charts::floors(
        "chart-floors",
        &names,
        &shown,
        &c.floors_by_group,
        dots.as_deref(),
    )];
    if unit_visible {
        charts.push(charts::net("chart-net", &names, &c.outcomes));
        if !c.missing_rent {
            let owned: Vec<Group> = units.iter().map(|g| (*g).clone()).collect();
            charts.push(charts::burden("chart-burden", &names, &owned));
        }
    }
    let hidden_small = !officer
        && c.outcomes.first().is_some_and(|o| {
            calc::public_groups(o)
                .iter()
                .any(|g| g.label == calc::OTHER_GROUP)
        });
    ComparePage {
        page,
        officer,
        unit_id: c.scenarios.first().map_or(0, |s| s.unit_id),
        unit_name: c.unit_name,
        scenarios: c.scenarios,
        terms,
        metrics,
        groups,
        rows,
        own,
        charts,
        hidden_small,
        missing_rent: c.missing_rent,
    }
}

/// `GET /salary/scenarios/{id}`.
pub async fn scenario(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let ids = vec![id.into_inner()];
    let computed = db(&state, move |conn| compute(conn, &current, &ids)).await?;
    render(StatusCode::OK, &page_for(page, computed))
}

/// `GET /salary/compare?scenario=1&scenario=2`.
pub async fn compare(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let ids: Vec<i64> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == "scenario")
        .filter_map(|(_, v)| v.parse().ok())
        .take(6)
        .collect();
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "Choose at least one scenario to compare.".into(),
        ));
    }
    let computed = db(&state, move |conn| compute(conn, &current, &ids)).await?;
    render(StatusCode::OK, &page_for(page, computed))
}

fn plain(c: Cents) -> String {
    plain_money(c.0)
}

/// `GET /officer/salary/scenarios/{id}/rows.csv`: every person's line.
pub async fn rows_csv(
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let ids = vec![id.into_inner()];
    let computed = db(&state, move |conn| compute(conn, &officer, &ids)).await?;
    let mut records = vec![
        [
            "scenario",
            "name",
            "classification",
            "salary",
            "floor",
            "below_floor_by",
            "new_salary",
            "raise",
            "premium_increase_year",
            "net",
            "backward",
            "rent_burden_before_pct",
            "rent_burden_after_pct",
            "real_change",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    ];
    let name = computed.scenarios[0].name.clone();
    for r in &computed.outcomes[0].rows {
        records.push(vec![
            name.clone(),
            r.person.name.clone(),
            r.person.classification.clone(),
            plain(r.person.salary),
            plain(r.floor),
            plain(r.below_floor_by),
            plain(r.new_salary),
            plain(r.raise),
            plain(r.premium_year),
            plain(r.net),
            if r.backward() { "yes" } else { "no" }.into(),
            r.burden_before_bp.map_or(String::new(), plain_money),
            r.burden_after_bp.map_or(String::new(), plain_money),
            r.real_change.map_or(String::new(), plain),
        ]);
    }
    crate::web::csv::download("scenario-rows.csv", records)
}

/// `GET /salary/scenarios/{id}/aggregates.csv`: the groups the viewer may see.
pub async fn aggregates_csv(
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let ids = vec![id.into_inner()];
    let computed = db(&state, move |conn| compute(conn, &current, &ids)).await?;
    let officer = computed.viewer.officer;
    let centre = if officer { "median" } else { "average" };
    let mut records = vec![vec![
        "scenario".to_owned(),
        "group".into(),
        "headcount".into(),
        format!("{centre}_salary_before"),
        format!("{centre}_salary_after"),
        "below_floor".into(),
        "cost_to_floor".into(),
        "cost_over_payroll".into(),
        "backward".into(),
        "rent_burdened_after".into(),
        "severely_burdened_after".into(),
    ]];
    let outcome = &computed.outcomes[0];
    let own = computed.viewer.own.and_then(|(member_id, _)| {
        outcome
            .rows
            .iter()
            .find(|r| r.person.member_id == member_id)
    });
    let mut groups = shown_groups(outcome, officer);
    if officer || outcome.unit.headcount >= SMALLEST_GROUP {
        groups.push(outcome.unit.clone());
    }
    for g in groups {
        records.push(vec![
            computed.scenarios[0].name.clone(),
            g.label.clone(),
            g.headcount.to_string(),
            plain(if officer {
                g.median_before
            } else {
                g.mean_before
            }),
            plain(if officer {
                g.median_after
            } else {
                g.mean_after
            }),
            g.below_floor.to_string(),
            if officer || floor_cost_visible(&g, own) {
                plain(g.cost_to_floor)
            } else {
                String::new()
            },
            plain(g.cost),
            g.backward.to_string(),
            g.burdened_after.to_string(),
            g.severe_after.to_string(),
        ]);
    }
    crate::web::csv::download("scenario-aggregates.csv", records)
}
