//! The officer's side: creating and editing drafts, publishing the roll,
//! resolving challenges, opening, closing early, paper ballots, reminders,
//! the certification report and the purge. Every act is audited.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::local_time;
use super::rules::PassRule;
use super::store::{self, ElectionDraft, ElectionRow, Question, QuestionDraft};
use super::voting::{ResultView, results, status_label};
use crate::audit::{self, Actor, Entry};
use crate::auth::OfficerUser;
use crate::config::Config;
use crate::db::schema::{audit_log, elections as el, members, units};
use crate::db::{DbConnection, write_tx};
use crate::dues::rules::Rate;
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// Questions offered on the form.
pub const QUESTION_ROWS: usize = 3;

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    action: &str,
    id: i64,
    detail: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action,
            target: &format!("election {id}"),
            detail,
        },
    )
}

/// `/officer/elections`.
#[derive(Template)]
#[template(path = "elections/admin_list.html")]
pub struct AdminListPage {
    page: Page,
    elections: Vec<(i64, String, String, String, &'static str)>,
}

/// `GET /officer/elections`.
pub async fn list(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let config = state.config.clone();
    let elections = db(&state, move |conn| {
        let rows: Vec<(ElectionRow, String)> = el::table
            .inner_join(units::table)
            .order(el::id.desc())
            .select((ElectionRow::as_select(), units::name))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(r, unit)| {
                (
                    r.id,
                    r.title.clone(),
                    unit,
                    local_time(&config, r.opens_at),
                    status_label(&r),
                )
            })
            .collect())
    })
    .await?;
    render(StatusCode::OK, &AdminListPage { page, elections })
}

/// The draft form.
#[derive(Template)]
#[template(path = "elections/admin_form.html")]
pub struct FormPage {
    page: Page,
    id: Option<i64>,
    units: Vec<(i64, String)>,
    rows: Vec<usize>,
    rule_choices: Vec<(&'static str, &'static str)>,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn q(&self, n: &usize, field: &str) -> String {
        format!("q{n}_{field}")
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

async fn form_page(
    page: Page,
    state: &web::Data<AppState>,
    id: Option<i64>,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let units = db(state, |conn| {
        Ok(units::table
            .order(units::name.asc())
            .select((units::id, units::name))
            .load(conn)?)
    })
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormPage {
            page,
            id,
            units,
            rows: (1..=QUESTION_ROWS).collect(),
            rule_choices: PassRule::CHOICES
                .iter()
                .map(|(k, w, _, _, _)| (*k, *w))
                .collect(),
            values,
            errors,
        },
    )
}

/// `GET /officer/elections/new`.
pub async fn new_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let values = HashMap::from([
        ("q1_kind".to_owned(), "yes_no".to_owned()),
        ("q1_rule".to_owned(), "two_thirds".to_owned()),
        ("q1_turnout".to_owned(), "50".to_owned()),
        ("cutoff".to_owned(), state.config.today().to_string()),
    ]);
    form_page(page, &state, None, values, HashMap::new()).await
}

fn to_local_input(config: &Config, at: NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&config.timezone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn values_of(
    config: &Config,
    row: &ElectionRow,
    questions: &[Question],
) -> HashMap<String, String> {
    let mut v = HashMap::from([
        ("unit".to_owned(), row.unit_id.to_string()),
        ("title".to_owned(), row.title.clone()),
        ("description".to_owned(), row.description.clone()),
        ("opens_at".to_owned(), to_local_input(config, row.opens_at)),
        (
            "closes_at".to_owned(),
            to_local_input(config, row.closes_at),
        ),
        ("cutoff".to_owned(), row.cutoff.to_string()),
    ]);
    for (i, q) in questions.iter().enumerate() {
        let n = i + 1;
        v.insert(format!("q{n}_text"), q.text.clone());
        v.insert(format!("q{n}_kind"), q.kind.clone());
        if q.kind == "choice" {
            v.insert(
                format!("q{n}_choices"),
                q.choices
                    .iter()
                    .map(|(_, l)| l.clone())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        let rule = PassRule::CHOICES
            .iter()
            .find(|(_, _, num, den, al)| {
                *num == q.rule.num && *den == q.rule.den && *al == q.rule.at_least
            })
            .map_or("majority", |c| c.0);
        v.insert(format!("q{n}_rule"), rule.to_owned());
        v.insert(
            format!("q{n}_turnout"),
            super::rules::percent(q.rule.min_turnout_bp),
        );
        match &q.dues {
            Some((
                Rate::Percent {
                    basis_points,
                    monthly_min,
                    monthly_max,
                },
                from,
            )) => {
                v.insert(
                    format!("q{n}_dues_percent"),
                    super::rules::percent(*basis_points),
                );
                v.insert(
                    format!("q{n}_dues_min"),
                    crate::money::plain_money(monthly_min.0),
                );
                v.insert(
                    format!("q{n}_dues_max"),
                    crate::money::plain_money(monthly_max.0),
                );
                v.insert(format!("q{n}_dues_from"), from.to_string());
            }
            Some((Rate::Flat { monthly }, from)) => {
                v.insert(
                    format!("q{n}_dues_flat"),
                    crate::money::plain_money(monthly.0),
                );
                v.insert(format!("q{n}_dues_from"), from.to_string());
            }
            None => {}
        }
    }
    v
}

/// `GET /officer/elections/{id}/edit`.
pub async fn edit_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.config.clone();
    let values = db(&state, move |conn| {
        let row = store::election(conn, id)?;
        if row.status != "draft" {
            return Err(AppError::BadRequest(
                "Only a draft can be edited; after publishing, only an early close is possible."
                    .into(),
            ));
        }
        Ok(values_of(&config, &row, &store::questions(conn, id)?))
    })
    .await?;
    form_page(page, &state, Some(id), values, HashMap::new()).await
}

/// Checks the form: the draft, or errors by field.
pub fn check(
    config: &Config,
    get: &dyn Fn(&str) -> String,
    units: &[i64],
) -> Result<ElectionDraft, HashMap<String, String>> {
    let mut errors = HashMap::new();
    let unit_id = get("unit")
        .parse::<i64>()
        .ok()
        .filter(|u| units.contains(u));
    if unit_id.is_none() {
        errors.insert("unit".to_owned(), "Choose the unit that votes.".to_owned());
    }
    let title = get("title");
    if title.is_empty() {
        errors.insert("title".to_owned(), "Give the election a title.".to_owned());
    }
    let opens = crate::forms::parse::local_datetime(config.timezone, &get("opens_at"))
        .map_err(|m| errors.insert("opens_at".into(), m))
        .ok();
    let closes = crate::forms::parse::local_datetime(config.timezone, &get("closes_at"))
        .map_err(|m| errors.insert("closes_at".into(), m))
        .ok();
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        errors.insert(
            "closes_at".into(),
            "The vote must close after it opens.".into(),
        );
    }
    let cutoff = NaiveDate::parse_from_str(&get("cutoff"), "%Y-%m-%d")
        .map_err(|_| {
            errors.insert(
                "cutoff".into(),
                "Enter the eligibility cut-off as a date such as 2026-11-30.".into(),
            )
        })
        .ok();
    let local_date = |at: NaiveDateTime| at.and_utc().with_timezone(&config.timezone).date_naive();
    if let (Some(cut), Some(o)) = (cutoff, opens)
        && cut > local_date(o)
    {
        errors.insert(
            "cutoff".into(),
            "The cut-off must come before the vote opens.".into(),
        );
    }
    let mut questions = Vec::new();
    for n in 1..=QUESTION_ROWS {
        let f = |name: &str| get(&format!("q{n}_{name}"));
        let key = |name: &str| format!("q{n}_{name}");
        let text = f("text");
        if text.is_empty() {
            if n == 1 {
                errors.insert(key("text"), "Write the question.".into());
            }
            continue;
        }
        let kind = f("kind");
        let choices: Vec<String> = match kind.as_str() {
            "yes_no" => vec!["Yes".into(), "No".into()],
            "choice" => {
                let list: Vec<String> = f("choices")
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect();
                if list.len() < 2 {
                    errors.insert(
                        key("choices"),
                        "List at least two choices, one a line.".into(),
                    );
                }
                list
            }
            _ => {
                errors.insert(
                    key("kind"),
                    "Choose yes/no or one choice among several.".into(),
                );
                Vec::new()
            }
        };
        let Some((_, _, num, den, at_least)) = PassRule::CHOICES.iter().find(|c| c.0 == f("rule"))
        else {
            errors.insert(key("rule"), "Choose the rule to pass.".into());
            continue;
        };
        let turnout = match crate::forms::parse::percent(&f("turnout")) {
            Ok(bp) if (0..=10_000).contains(&bp) => bp,
            _ => {
                errors.insert(
                    key("turnout"),
                    "Enter the minimum turnout as a percentage from 0 to 100.".into(),
                );
                0
            }
        };
        let mut dues = None;
        let (pct, flat, from) = (f("dues_percent"), f("dues_flat"), f("dues_from"));
        if !pct.is_empty() || !flat.is_empty() {
            let from = NaiveDate::parse_from_str(&from, "%Y-%m-%d")
                .map_err(|_| {
                    errors.insert(
                        key("dues_from"),
                        "Enter the date the new dues rate takes effect.".into(),
                    )
                })
                .ok();
            if kind != "yes_no" {
                errors.insert(
                    key("dues_percent"),
                    "A dues rate can ride only on a yes/no question.".into(),
                );
            }
            let rate = if !flat.is_empty() {
                crate::forms::parse::money(&flat, false)
                    .map(|c| c.0)
                    .map(|c| Rate::Flat { monthly: Cents(c) })
            } else {
                crate::forms::parse::percent(&pct).and_then(|bp| {
                    let min = crate::forms::parse::money(&f("dues_min"), false).map(|c| c.0)?;
                    let max = crate::forms::parse::money(&f("dues_max"), false).map(|c| c.0)?;
                    if bp <= 0 || bp > 1000 || max < min {
                        return Err("A dues rate is above 0% and at most 10%, with the maximum at least the minimum.".into());
                    }
                    Ok(Rate::Percent { basis_points: bp, monthly_min: Cents(min), monthly_max: Cents(max) })
                })
            };
            match (rate, from) {
                // A rate adopted by the ballot starts after the ballot: never
                // backwards over charges and standings already worked out.
                (Ok(_), Some(from)) if closes.is_some_and(|c| from <= local_date(c)) => {
                    errors.insert(
                        key("dues_from"),
                        "The new dues rate must take effect after the vote closes.".into(),
                    );
                }
                (Ok(rate), Some(from)) => dues = Some((rate, from)),
                (Err(m), _) => {
                    errors.insert(key("dues_percent"), m);
                }
                _ => {}
            }
        }
        questions.push(QuestionDraft {
            text,
            kind,
            choices,
            rule: PassRule {
                num: *num,
                den: *den,
                at_least: *at_least,
                min_turnout_bp: turnout,
            },
            dues,
        });
    }
    match (unit_id, opens, closes, cutoff, errors.is_empty()) {
        (Some(unit_id), Some(opens_at), Some(closes_at), Some(cutoff), true) => Ok(ElectionDraft {
            unit_id,
            title,
            description: get("description"),
            opens_at,
            closes_at,
            cutoff,
            questions,
        }),
        _ => Err(errors),
    }
}

async fn save(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: Option<i64>,
    values: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let get = |name: &str| {
        values
            .get(name)
            .map_or(String::new(), |v| v.trim().to_owned())
    };
    let unit_ids: Vec<i64> = db(&state, |conn| {
        Ok(units::table.select(units::id).load(conn)?)
    })
    .await?;
    let draft = match check(&state.config, &get, &unit_ids) {
        Ok(draft) => draft,
        Err(errors) => return form_page(page, &state, id, values, errors).await,
    };
    let actor = officer.0.actor(&req);
    let now = state.config.clock.now();
    let saved = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let saved = match id {
                Some(id) => store::update(conn, id, &draft, now)?.then_some(id),
                None => Some(store::create(conn, &draft, now)?),
            };
            if let Some(saved) = saved {
                let detail = format!(
                    "{}: {} questions, opens {}, closes {}, cut-off {}",
                    draft.title,
                    draft.questions.len(),
                    draft.opens_at,
                    draft.closes_at,
                    draft.cutoff
                );
                record(
                    conn,
                    &actor,
                    now,
                    if id.is_some() {
                        "election_edit"
                    } else {
                        "election_create"
                    },
                    saved,
                    &detail,
                )?;
            }
            Ok::<_, AppError>(saved)
        })
    })
    .await?;
    match saved {
        Some(saved) => Ok(redirect_with(
            &format!("/officer/elections/{saved}"),
            FlashKind::Success,
            "Saved as a draft.",
            state.config.behind_https(),
        )),
        None => Err(AppError::BadRequest("Only a draft can be edited.".into())),
    }
}

/// `POST /officer/elections/new`.
pub async fn create(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    save(req, page, officer, state, None, form.into_inner()).await
}

/// `POST /officer/elections/{id}/edit`.
pub async fn update(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    save(
        req,
        page,
        officer,
        state,
        Some(id.into_inner()),
        form.into_inner(),
    )
    .await
}

/// The officer's view of one election.
#[derive(Template)]
#[template(path = "elections/admin_show.html")]
pub struct AdminPage {
    page: Page,
    row: ElectionRow,
    unit: String,
    status: &'static str,
    opens: String,
    closes: String,
    questions: Vec<Question>,
    roll_size: usize,
    challenges: Vec<store::ChallengeLine>,
    turnout: (i64, i64, i64),
    voters: Vec<(String, String, String)>,
    purge_from: String,
    may_purge: bool,
    /// When each scheduled reminder goes (or went), and to how many.
    reminders: Vec<(String, String)>,
}

/// `GET /officer/elections/{id}`.
pub async fn show(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.config.clone();
    let now = config.clock.now();
    let view = db(&state, move |conn| {
        if store::due(&store::election(conn, id)?, now) {
            write_tx(conn, |conn| store::advance(conn, &config, id, now))?;
            store::vacuum_ballot_tables(conn);
        }
        let row = store::election(conn, id)?;
        let unit: String = units::table
            .find(row.unit_id)
            .select(units::name)
            .first(conn)?;
        let questions = store::questions(conn, id)?;
        let roll_size = store::roll_numbers(conn, id)?.len();
        let challenges = store::challenges(conn, id)?;
        let turnout = store::turnout(conn, id)?;
        use crate::db::schema::election_reminders as er_;
        let reminders: Vec<(NaiveDateTime, Option<NaiveDateTime>, Option<i32>)> = er_::table
            .filter(er_::election_id.eq(id))
            .order(er_::due_at.asc())
            .select((er_::due_at, er_::sent_at, er_::recipients))
            .load(conn)?;
        let voters = if row.status == "open" || row.status == "closed" {
            store::voters(conn, id)?
        } else {
            Vec::new()
        };
        Ok((
            row, unit, questions, roll_size, challenges, turnout, voters, reminders,
        ))
    })
    .await?;
    let (row, unit, questions, roll_size, challenges, turnout, voters, reminders) = view;
    let reminders = reminders
        .into_iter()
        .map(|(due, sent, n)| {
            let state_text = match (sent, n) {
                (Some(_), Some(n)) => format!("sent to {n}"),
                (Some(_), None) => "not sent: the vote was not open".to_owned(),
                (None, _) => "scheduled".to_owned(),
            };
            (local_time(&state.config, due), state_text)
        })
        .collect();
    let purge_from = row.closed_at.map(|c| c + chrono::Duration::days(365));
    render(
        StatusCode::OK,
        &AdminPage {
            status: status_label(&row),
            opens: local_time(&state.config, row.opens_at),
            closes: local_time(&state.config, row.closes_at),
            may_purge: row.purged_at.is_none() && purge_from.is_some_and(|p| now >= p),
            purge_from: purge_from
                .map(|p| local_time(&state.config, p))
                .unwrap_or_default(),
            page,
            row,
            unit,
            questions,
            roll_size,
            challenges,
            turnout,
            voters,
            reminders,
        },
    )
}

/// What an act did: for the audit log, and for the officer's screen (which
/// may say more, such as a paper ballot's tracking code, than the log may).
pub struct Done {
    pub record: String,
    pub flash: String,
}

impl From<String> for Done {
    fn from(text: String) -> Self {
        Self {
            record: text.clone(),
            flash: text,
        }
    }
}

/// Runs one administrative act in a transaction with its audit entry, then
/// returns to the election with `done` or the refusal.
async fn act<F, D>(
    req: &HttpRequest,
    officer: &OfficerUser,
    state: &web::Data<AppState>,
    id: i64,
    action: &'static str,
    job: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &Config, NaiveDateTime) -> QueryResult<Result<D, String>>
        + Send
        + 'static,
    D: Into<Done> + Send + 'static,
{
    let actor = officer.0.actor(req);
    let config = state.config.clone();
    let now = config.clock.now();
    let outcome = db(state, move |conn| {
        let outcome = write_tx(conn, |conn| {
            let outcome = job(conn, &config, now)?.map(Into::into);
            match &outcome {
                Ok(done) => record(conn, &actor, now, action, id, &done.record)?,
                // A refused act is on the record too, in its own words.
                Err(why) => record(conn, &actor, now, &format!("{action}_refused"), id, why)?,
            }
            Ok::<_, AppError>(outcome)
        })?;
        if action == "election_close_early" {
            store::vacuum_ballot_tables(conn);
        }
        Ok(outcome)
    })
    .await?;
    state.mail_waker.wake();
    let (kind, message) = match outcome {
        Ok(done) => (FlashKind::Success, done.flash),
        Err(message) => (FlashKind::Warning, message),
    };
    Ok(redirect_with(
        &format!("/officer/elections/{id}"),
        kind,
        &message,
        state.config.behind_https(),
    ))
}

/// `POST /officer/elections/{id}/publish`.
pub async fn publish(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(&req, &officer, &state, id, "election_publish", move |conn, _, now| {
        Ok(match store::publish(conn, id, now)? {
            Some(n) => Ok(format!("Roll published with {n} members in good standing; challenges are open until the vote opens.")),
            None => Err("Only a draft can be published, and only once its cut-off date has come.".into()),
        })
    })
    .await
}

/// `POST /officer/elections/{id}/open`: freezes the roll and opens now.
pub async fn open_now(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(
        &req,
        &officer,
        &state,
        id,
        "election_open",
        move |conn, config, now| {
            Ok(if store::open(conn, config, id, now)? {
                let print = store::election(conn, id)?
                    .roll_fingerprint
                    .unwrap_or_default();
                Ok(format!(
                    "Voting is open; the roll is frozen with fingerprint {print}."
                ))
            } else {
                Err("Only a published election can open.".into())
            })
        },
    )
    .await
}

/// `POST /officer/elections/{id}/close`: an early close needs a reason.
pub async fn close_early(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = form.get("reason").map_or("", |r| r.trim()).to_owned();
    if reason.is_empty() {
        return Ok(redirect_with(
            &format!("/officer/elections/{id}"),
            FlashKind::Warning,
            "Closing early needs a reason, for the record.",
            state.config.behind_https(),
        ));
    }
    act(
        &req,
        &officer,
        &state,
        id,
        "election_close_early",
        move |conn, config, now| {
            Ok(if store::close(conn, config, id, now, &reason)? {
                Ok(format!("Closed early: {reason}"))
            } else {
                Err("Only an open election can be closed.".into())
            })
        },
    )
    .await
}

/// `POST /officer/elections/{id}/challenges/{challenge}`.
pub async fn resolve(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (id, challenge) = path.into_inner();
    let uphold = form.get("decision").map(String::as_str) == Some("uphold");
    let reason = form.get("resolution").map_or("", |r| r.trim()).to_owned();
    let officer_id = officer.0.user.id;
    if reason.is_empty() {
        return Ok(redirect_with(
            &format!("/officer/elections/{id}"),
            FlashKind::Warning,
            "Give the reason for the decision.",
            state.config.behind_https(),
        ));
    }
    act(
        &req,
        &officer,
        &state,
        id,
        "roll_challenge_resolve",
        move |conn, _, now| {
            Ok(
                if store::resolve(conn, id, challenge, uphold, &reason, officer_id, now)? {
                    Ok(format!(
                        "Challenge {challenge} {}: {reason}",
                        if uphold { "upheld" } else { "rejected" }
                    ))
                } else {
                    Err("That challenge is already decided, or the roll is frozen.".into())
                },
            )
        },
    )
    .await
}

/// `POST /officer/elections/{id}/paper`: a member's paper ballot.
pub async fn paper(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let number = form
        .iter()
        .find(|(k, _)| k == "employee_number")
        .map_or(String::new(), |(_, v)| v.trim().to_owned());
    let answers: Vec<(i64, i64)> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q_")?.parse().ok()?, v.parse().ok()?)))
        .collect();
    act(&req, &officer, &state, id, "paper_ballot", move |conn, _, now| {
        let member: Option<i64> = members::table.filter(members::employee_number.eq(&number)).select(members::id).first(conn).optional()?;
        let Some(member) = member else {
            return Ok(Err(format!("No one has employee number {number}.")));
        };
        // A savepoint: an online vote racing this one trips the primary key,
        // and the refusal must not leave the transaction unusable.
        let cast = conn.transaction(|c| store::cast(c, id, member, &answers, "paper", now));
        Ok(match cast {
            // The code goes on the officer's screen to hand over, never in
            // the audit log, which is kept with the member's number.
            Ok(Ok(code)) => Ok(Done {
                record: format!("paper ballot recorded for {number}"),
                flash: format!("Paper ballot recorded for {number}; they can no longer vote online. Its tracking code, to give to them: {code}"),
            }),
            Ok(Err(refusal)) => Err(format!("Not recorded: {}.", refusal.as_str())),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Err(format!("Not recorded: {}.", store::Refusal::AlreadyVoted.as_str())),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// `POST /officer/elections/{id}/reminders`: schedules a reminder to the
/// eligible members who have not voted, at a time given or now.
pub async fn remind(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let raw = form.get("at").map_or("", |v| v.trim()).to_owned();
    let at = if raw.is_empty() {
        Ok(None)
    } else {
        crate::forms::parse::local_datetime(state.config.timezone, &raw).map(Some)
    };
    act(
        &req,
        &officer,
        &state,
        id,
        "election_reminder_scheduled",
        move |conn, config, now| {
            use crate::db::schema::election_reminders as er_;
            let at = match at {
                Ok(at) => at.unwrap_or(now),
                Err(message) => return Ok(Err(message)),
            };
            let row = store::election(conn, id)?;
            if row.status != "open" && row.status != "published" {
                return Ok(Err(
                    "Reminders can be scheduled only before or during the vote.".into(),
                ));
            }
            if at >= row.closes_at {
                return Ok(Err("A reminder must go out before the vote closes.".into()));
            }
            diesel::insert_into(er_::table)
                .values((er_::election_id.eq(id), er_::due_at.eq(at)))
                .execute(conn)?;
            let reminder = crate::db::last_insert_id(conn)?;
            // One due now goes out at once rather than at the job's next turn.
            let sent = if at <= now {
                store::send_reminder(conn, config, reminder, id, now)?
            } else {
                0
            };
            Ok(Ok(if at <= now {
                format!("Reminders queued to {sent} members who have not voted.")
            } else {
                format!("A reminder is scheduled for {}.", local_time(config, at))
            }))
        },
    )
    .await
}

/// `POST /officer/elections/{id}/purge`: a year after the close.
pub async fn purge(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(
        &req,
        &officer,
        &state,
        id,
        "election_purge",
        move |conn, _, now| {
            let row = store::election(conn, id)?;
            let due = row
                .closed_at
                .is_some_and(|c| now >= c + chrono::Duration::days(365));
            if !due || row.purged_at.is_some() {
                return Ok(Err(
                    "Records are kept at least a year after the close.".into()
                ));
            }
            store::purge(conn, id, now)?;
            Ok(Ok(
                "The roll, participation and ballots are purged; the certified result stays."
                    .to_owned(),
            ))
        },
    )
    .await
}

/// The printable certification report.
#[derive(Template)]
#[template(path = "elections/certificate.html")]
pub struct CertificatePage {
    page: Page,
    row: ElectionRow,
    unit: String,
    opens: String,
    closed: String,
    results: Vec<ResultView>,
    online: i64,
    paper: i64,
    trail: Vec<(String, String, String, String)>,
}

/// `GET /officer/elections/{id}/certificate`.
pub async fn certificate(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.config.clone();
    let view = db(&state, move |conn| {
        let row = store::election(conn, id)?;
        if row.status != "closed" {
            return Err(AppError::BadRequest(
                "The certification report exists once the vote is closed.".into(),
            ));
        }
        let unit: String = units::table
            .find(row.unit_id)
            .select(units::name)
            .first(conn)?;
        let (results, online, paper) = results(conn, &row)?;
        let trail = audit_log::table
            .filter(audit_log::target.eq(format!("election {id}")))
            .filter(audit_log::action.ne("vote_refused"))
            .order(audit_log::id.asc())
            .select((
                audit_log::at,
                audit_log::actor_label,
                audit_log::action,
                audit_log::detail,
            ))
            .load::<(NaiveDateTime, String, String, String)>(conn)?
            .into_iter()
            .map(|(at, who, what, detail)| (local_time(&config, at), who, what, detail))
            .collect();
        Ok((row, unit, results, online, paper, trail))
    })
    .await?;
    let (row, unit, results, online, paper, trail) = view;
    render(
        StatusCode::OK,
        &CertificatePage {
            opens: local_time(&state.config, row.opens_at),
            closed: row
                .closed_at
                .map(|c| local_time(&state.config, c))
                .unwrap_or_default(),
            page,
            row,
            unit,
            results,
            online,
            paper,
            trail,
        },
    )
}
