//! The comparison pages everyone in a unit may read, and the CSV exports.
//! Officers see every unit and every person's row; a member sees their own
//! unit only, their own line, and of everyone else only what
//! `disclosure::member_view` gives: pages, charts and CSV files for members
//! are drawn from that alone.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::OptionalExtension as _;
use serde::Deserialize;

use super::calc::{self, Group, Outcome, Row};
use super::charts::{self, Burden, Chart};
use super::disclosure::{self, MemberGroup, MemberScenario};
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
use crate::web::pager::{self, Pager};
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

fn metric<T>(
    label: &'static str,
    groups: &[&T],
    value: impl Fn(&T) -> i64,
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

/// The unit's figures for officers: everything.
fn officer_metrics(groups: &[&Group], has_cpi: bool, has_living_wage: bool) -> Vec<Metric> {
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
            "Cost to bring everyone to the floor, a year",
            groups,
            |g| g.cost_to_floor.0,
            money,
            None,
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
        metric(
            "Largest loss after premiums, a year",
            groups,
            |g| -g.worst_net.0,
            money,
            Some(false),
        ),
        metric(
            "Median salary after",
            groups,
            |g| g.median_after.0,
            money,
            Some(true),
        ),
        metric(
            "Lowest salary after",
            groups,
            |g| g.min_after.0,
            money,
            Some(true),
        ),
    ];
    if has_living_wage {
        list.extend([
            metric(
                "Below the living wage now",
                groups,
                |g| g.below_living_before as i64,
                count,
                Some(false),
            ),
            metric(
                "Below the living wage after",
                groups,
                |g| g.below_living_after as i64,
                count,
                Some(false),
            ),
            metric(
                "Cost to bring everyone to the living wage after, a year",
                groups,
                |g| g.cost_to_living_after.0,
                money,
                None,
            ),
        ]);
    }
    if has_cpi {
        list.push(metric(
            "Median real change after inflation",
            groups,
            |g| g.median_real_change.map_or(0, |c| c.0),
            money,
            Some(true),
        ));
    }
    list
}

/// The unit's figures for members: what `disclosure` allows, nothing else.
fn member_metrics(units: &[&MemberGroup], has_living_wage: bool) -> Vec<Metric> {
    let mut list = vec![
        metric(
            "People in the unit",
            units,
            |g| g.headcount as i64,
            count,
            None,
        ),
        metric(
            "Average salary now",
            units,
            |g| g.average_now.0,
            money,
            None,
        ),
        metric(
            "Below the floor now",
            units,
            |g| g.below_floor as i64,
            count,
            Some(false),
        ),
        metric(
            "Go backward after premiums",
            units,
            |g| g.backward as i64,
            count,
            Some(false),
        ),
        metric(
            "Rent-burdened after (over 30% of pay)",
            units,
            |g| g.burdened_after as i64,
            count,
            Some(false),
        ),
        metric(
            "Severely rent-burdened after (over 50%)",
            units,
            |g| g.severe_after as i64,
            count,
            Some(false),
        ),
    ];
    if has_living_wage {
        list.extend([
            metric(
                "Below the living wage now",
                units,
                |g| g.below_living_before as i64,
                count,
                Some(false),
            ),
            metric(
                "Below the living wage after",
                units,
                |g| g.below_living_after as i64,
                count,
                Some(false),
            ),
        ]);
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

/// A group's line in the per-group table; the columns after `centre_before`
/// up to `below_floor` are empty for members.
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
    /// The pages of "Every person".
    pager: Pager,
    own: Vec<RowView>,
    charts: Vec<Chart>,
    hidden_small: bool,
    missing_rent: bool,
}

/// Where the comparison page lives, with what it was asked, so that the
/// pages of "Every person" keep the scenarios chosen.
struct RowsAt {
    path: String,
    filters: Vec<(&'static str, String)>,
    page: i64,
}

/// People's lines a page shows.
const ROWS_PER_PAGE: i64 = 100;

/// The figures behind a page, by who may see them.
enum Figures {
    /// Every person's line and every group's figures.
    Officer(Vec<Outcome>),
    /// Only what `disclosure` lets a member see.
    Member(Vec<MemberScenario>),
}

struct Computed {
    unit_name: String,
    scenarios: Vec<ScenarioRow>,
    figures: Figures,
    terms: Vec<calc::Terms>,
    viewer: Viewer,
    missing_rent: bool,
    has_cpi: bool,
    has_living_wage: bool,
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
    let terms = scenarios
        .iter()
        .map(|s| store::terms(conn, s))
        .collect::<Result<Vec<_>, _>>()?;
    let shown = if viewer.officer {
        Figures::Officer(
            terms
                .iter()
                .map(|t| calc::compute(&people, t, &figures))
                .collect(),
        )
    } else {
        let own = viewer.own.map(|(member_id, _)| member_id);
        Figures::Member(disclosure::member_view(&people, &terms, &figures, own))
    };
    Ok(Computed {
        unit_name,
        scenarios,
        figures: shown,
        terms,
        viewer,
        missing_rent: figures.rent_monthly.is_none(),
        has_cpi: figures.cpi_bp.is_some(),
        has_living_wage: figures.living_wage.is_some(),
    })
}

fn terms_table(scenarios: &[ScenarioRow]) -> Vec<Metric> {
    let cells = |f: &dyn Fn(&ScenarioRow) -> String| {
        scenarios
            .iter()
            .map(|s| (f(s), String::new(), ""))
            .collect()
    };
    vec![
        Metric {
            label: "Effective",
            cells: cells(&|s| s.effective_date.to_string()),
        },
        Metric {
            label: "Across-the-board raise",
            cells: cells(&|s| format!("{}%", plain_money(i64::from(s.raise_bp)))),
        },
        Metric {
            label: "Flat raise, a year",
            cells: cells(&|s| Cents(s.flat_raise_cents).to_string()),
        },
        Metric {
            label: "Health premium change, a month",
            cells: cells(&|s| Cents(s.premium_monthly_cents).to_string()),
        },
    ]
}

/// Each scenario's floor for each group shown, by label.
fn floors_by_group(terms: &[calc::Terms], labels: &[String]) -> Vec<Vec<Option<Cents>>> {
    terms
        .iter()
        .map(|t| labels.iter().map(|l| t.floors.get(l).copied()).collect())
        .collect()
}

/// What the page shows beyond the terms.
struct Shown {
    metrics: Vec<Metric>,
    groups: Vec<GroupView>,
    rows: Vec<RowView>,
    /// Every person's lines, over every scenario, before the page.
    row_total: usize,
    own: Vec<RowView>,
    charts: Vec<Chart>,
    hidden_small: bool,
}

fn officer_page(c: &Computed, outcomes: &[Outcome], names: &[String], page: i64) -> Shown {
    let units: Vec<&Group> = outcomes.iter().map(|o| &o.unit).collect();
    let groups = c
        .scenarios
        .iter()
        .zip(outcomes)
        .flat_map(|(s, o)| {
            o.by_class.iter().map(|g| GroupView {
                scenario: s.name.clone(),
                label: g.label.clone(),
                headcount: g.headcount,
                centre_before: g.median_before.to_string(),
                centre_after: g.median_after.to_string(),
                lowest_after: g.min_after.to_string(),
                below_floor: g.below_floor,
                cost: g.cost.to_string(),
                backward: g.backward,
            })
        })
        .collect();
    // Only the page's lines are made; the CSV has every one.
    let row_total = outcomes.iter().map(|o| o.rows.len()).sum();
    let rows = c
        .scenarios
        .iter()
        .zip(outcomes)
        .flat_map(|(s, o)| o.rows.iter().map(move |r| (s, r)))
        .skip(((page.max(1) - 1) * ROWS_PER_PAGE) as usize)
        .take(ROWS_PER_PAGE as usize)
        .map(|(s, r)| row_view(&s.name, r))
        .collect();
    let own = match c.viewer.own {
        Some((member_id, _)) => c
            .scenarios
            .iter()
            .zip(outcomes)
            .filter_map(|(s, o)| {
                o.rows
                    .iter()
                    .find(|r| r.person.member_id == member_id)
                    .map(|r| row_view(&s.name, r))
            })
            .collect(),
        None => Vec::new(),
    };
    let first = outcomes.first();
    let classes: Vec<&Group> = first
        .map(|o| o.by_class.iter().collect())
        .unwrap_or_default();
    let centres: Vec<(String, Cents)> = classes
        .iter()
        .map(|g| (g.label.clone(), g.median_before))
        .collect();
    let dots: Vec<(String, Vec<Cents>)> = classes
        .iter()
        .map(|g| {
            let salaries = first
                .map(|o| {
                    o.rows
                        .iter()
                        .filter(|r| r.person.classification == g.label)
                        .map(|r| r.person.salary)
                        .collect()
                })
                .unwrap_or_default();
            (g.label.clone(), salaries)
        })
        .collect();
    let labels: Vec<String> = centres.iter().map(|(l, _)| l.clone()).collect();
    let mut charts = vec![charts::floors(
        "chart-floors",
        names,
        &centres,
        &floors_by_group(&c.terms, &labels),
        Some(&dots),
    )];
    let nets: Vec<[usize; 5]> = outcomes.iter().map(charts::net_counts).collect();
    charts.push(charts::net("chart-net", names, &nets));
    if !c.missing_rent
        && let Some(first) = units.first()
    {
        let now = Burden {
            headcount: first.headcount,
            burdened: first.burdened_before,
            severe: first.severe_before,
        };
        let after: Vec<Burden> = units
            .iter()
            .map(|g| Burden {
                headcount: g.headcount,
                burdened: g.burdened_after,
                severe: g.severe_after,
            })
            .collect();
        charts.push(charts::burden("chart-burden", names, now, &after));
    }
    Shown {
        metrics: officer_metrics(&units, c.has_cpi, c.has_living_wage),
        groups,
        rows,
        row_total,
        own,
        charts,
        hidden_small: false,
    }
}

fn member_page(c: &Computed, seen: &[MemberScenario], names: &[String]) -> Shown {
    // The unit as a whole is a group too: under three people, members see no figures.
    let units: Option<Vec<&MemberGroup>> = seen.iter().map(|m| m.unit.as_ref()).collect();
    let groups = c
        .scenarios
        .iter()
        .zip(seen)
        .flat_map(|(s, m)| {
            m.groups.iter().map(|g| GroupView {
                scenario: s.name.clone(),
                label: g.label.clone(),
                headcount: g.headcount,
                centre_before: g.average_now.to_string(),
                centre_after: String::new(),
                lowest_after: String::new(),
                below_floor: g.below_floor,
                cost: String::new(),
                backward: g.backward,
            })
        })
        .collect();
    let own = c
        .scenarios
        .iter()
        .zip(seen)
        .filter_map(|(s, m)| m.own.as_ref().map(|r| row_view(&s.name, r)))
        .collect();
    let first = seen.first();
    let centres: Vec<(String, Cents)> = first
        .map(|m| {
            m.groups
                .iter()
                .map(|g| (g.label.clone(), g.average_now))
                .collect()
        })
        .unwrap_or_default();
    let labels: Vec<String> = centres.iter().map(|(l, _)| l.clone()).collect();
    let mut charts = vec![charts::floors(
        "chart-floors",
        names,
        &centres,
        &floors_by_group(&c.terms, &labels),
        None,
    )];
    if let Some(units) = &units {
        let nets: Option<Vec<[usize; 5]>> = seen.iter().map(|m| m.net_bands).collect();
        if let Some(nets) = nets {
            charts.push(charts::net("chart-net", names, &nets));
        }
        if !c.missing_rent
            && let Some(first) = units.first()
        {
            let now = Burden {
                headcount: first.headcount,
                burdened: first.burdened_before,
                severe: first.severe_before,
            };
            let after: Vec<Burden> = units
                .iter()
                .map(|g| Burden {
                    headcount: g.headcount,
                    burdened: g.burdened_after,
                    severe: g.severe_after,
                })
                .collect();
            charts.push(charts::burden("chart-burden", names, now, &after));
        }
    }
    Shown {
        metrics: units
            .as_deref()
            .map(|u| member_metrics(u, c.has_living_wage))
            .unwrap_or_default(),
        groups,
        rows: Vec::new(),
        row_total: 0,
        own,
        charts,
        hidden_small: labels.iter().any(|l| l == calc::OTHER_GROUP),
    }
}

fn page_for(page: Page, c: Computed, at: &RowsAt) -> ComparePage {
    let names: Vec<String> = c.scenarios.iter().map(|s| s.name.clone()).collect();
    let shown = match &c.figures {
        Figures::Officer(outcomes) => officer_page(&c, outcomes, &names, at.page),
        Figures::Member(seen) => member_page(&c, seen, &names),
    };
    let filters: Vec<(&str, &str)> = at.filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = Pager::new(
        &at.path,
        &filters,
        at.page,
        ROWS_PER_PAGE,
        shown.row_total as i64,
    )
    .at("every-person");
    ComparePage {
        page,
        officer: c.viewer.officer,
        unit_id: c.scenarios.first().map_or(0, |s| s.unit_id),
        unit_name: c.unit_name,
        terms: terms_table(&c.scenarios),
        scenarios: c.scenarios,
        metrics: shown.metrics,
        groups: shown.groups,
        rows: shown.rows,
        pager,
        own: shown.own,
        charts: shown.charts,
        hidden_small: shown.hidden_small,
        missing_rent: c.missing_rent,
    }
}

/// `GET /salary/scenarios/{id}`.
pub async fn scenario(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ids = vec![id];
    let at = RowsAt {
        path: format!("/salary/scenarios/{id}"),
        filters: Vec::new(),
        page: rows_page(&req),
    };
    let computed = db(&state, move |conn| compute(conn, &current, &ids)).await?;
    render(StatusCode::OK, &page_for(page, computed, &at))
}

/// The page of "Every person" asked for (`page=`), from 1.
fn rows_page(req: &HttpRequest) -> i64 {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "page")
        .map_or(1, |(_, v)| pager::page_number(&v))
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
    let at = RowsAt {
        path: "/salary/compare".into(),
        filters: ids.iter().map(|id| ("scenario", id.to_string())).collect(),
        page: rows_page(&req),
    };
    let computed = db(&state, move |conn| compute(conn, &current, &ids)).await?;
    render(StatusCode::OK, &page_for(page, computed, &at))
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
    let Figures::Officer(outcomes) = &computed.figures else {
        return Err(AppError::Forbidden);
    };
    let name = computed.scenarios[0].name.clone();
    for r in &outcomes[0].rows {
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
    let name = computed.scenarios[0].name.clone();
    let records = match &computed.figures {
        Figures::Officer(outcomes) => officer_aggregates(&name, &outcomes[0]),
        Figures::Member(seen) => member_aggregates(&name, &seen[0]),
    };
    crate::web::csv::download("scenario-aggregates.csv", records)
}

fn officer_aggregates(name: &str, outcome: &Outcome) -> Vec<Vec<String>> {
    let mut records = vec![
        [
            "scenario",
            "group",
            "headcount",
            "median_salary_before",
            "median_salary_after",
            "below_floor",
            "cost_to_floor",
            "cost_over_payroll",
            "backward",
            "rent_burdened_after",
            "severely_burdened_after",
            "below_living_wage_now",
            "below_living_wage_after",
            "cost_to_living_wage_after",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    ];
    for g in outcome.by_class.iter().chain([&outcome.unit]) {
        records.push(vec![
            name.to_owned(),
            g.label.clone(),
            g.headcount.to_string(),
            plain(g.median_before),
            plain(g.median_after),
            g.below_floor.to_string(),
            plain(g.cost_to_floor),
            plain(g.cost),
            g.backward.to_string(),
            g.burdened_after.to_string(),
            g.severe_after.to_string(),
            g.below_living_before.to_string(),
            g.below_living_after.to_string(),
            plain(g.cost_to_living_after),
        ]);
    }
    records
}

fn member_aggregates(name: &str, seen: &MemberScenario) -> Vec<Vec<String>> {
    let mut records = vec![
        [
            "scenario",
            "group",
            "headcount",
            "average_salary_now",
            "below_floor",
            "backward",
            "rent_burdened_after",
            "severely_burdened_after",
            "below_living_wage_now",
            "below_living_wage_after",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    ];
    for g in seen.groups.iter().chain(&seen.unit) {
        records.push(vec![
            name.to_owned(),
            g.label.clone(),
            g.headcount.to_string(),
            plain(g.average_now),
            g.below_floor.to_string(),
            g.backward.to_string(),
            g.burdened_after.to_string(),
            g.severe_after.to_string(),
            g.below_living_before.to_string(),
            g.below_living_after.to_string(),
        ]);
    }
    records
}
