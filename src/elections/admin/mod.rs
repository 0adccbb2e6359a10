//! The officer's side, one file per job: the draft form, the lifecycle
//! (publish, open, close early, purge), challenges to the roll, paper
//! ballots, reminders and the certification report. Here: the list, the
//! election's page, and `act`, which runs every act with its audit entry.

pub mod certificate;
pub mod credential_officer;
pub mod draft_form;
pub mod drafts;
pub mod lifecycle;
pub mod observers;
pub mod paper;
pub mod reminders;
pub mod roll;
pub mod trustees;

use std::fmt::Display;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::QueryResult;

use super::states::{Method, Phase, Status};
use super::store::{self, ElectionRow, Question, casting::Turnout, challenges::ChallengeLine};
use super::{disclosure, local_time};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

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
    let now = config.clock.now();
    let elections = db(&state, move |conn| {
        Ok(store::all_with_units(conn)?
            .into_iter()
            .map(|(r, unit)| {
                (
                    r.id,
                    r.title.clone(),
                    unit,
                    local_time(&config, r.opens_at),
                    r.phase(now).label(),
                )
            })
            .collect())
    })
    .await?;
    render(StatusCode::OK, &AdminListPage { page, elections })
}

/// The officer's view of one election.
#[derive(Template)]
#[template(path = "elections/admin_show.html")]
pub struct AdminPage {
    page: Page,
    row: ElectionRow,
    phase: Phase,
    unit: String,
    opens: String,
    closes: String,
    /// The roll's fingerprint: stored at the opening, or what the opening
    /// will store once the clock has passed it.
    fingerprint: Option<String>,
    questions: Vec<Question>,
    roll_size: usize,
    challenges: Vec<ChallengeLine>,
    turnout: Turnout,
    participation: Participation,
    /// The certified count, once closed.
    results: Vec<store::results::ResultView>,
    /// When the vote actually closed (earlier than `closes` if closed early).
    closed: String,
    purge_from: String,
    may_purge: bool,
    /// When each scheduled reminder goes (or went), and how it went.
    reminders: Vec<(String, String)>,
    /// A decision on a challenge sent back to be put right.
    resolving: Option<roll::Resolving>,
    /// A paper ballot sent back to be put right.
    paper: paper::PaperTyped,
    /// A reminder or an early close sent back to be put right.
    sent_back: SentBack,
    /// The trustees, in order, and where their key generation stands.
    trustees: Vec<store::trustees::TrusteeRow>,
    key_progress: String,
    /// The record's head hash, once it has begun.
    head: String,
    /// Who holds an observer link.
    observers: Vec<String>,
    /// The credential officer's name and email, when one is named.
    credential_officer: Option<(String, String)>,
    /// Public credentials uploaded, waiting for the opening.
    credentials_uploaded: usize,
    /// In the record while the vote runs: ballots, credentials used.
    credentials_used: (u64, u64),
    /// Who on a live roll cannot be reached by email or has no account.
    reach: Option<store::reach::Reach>,
}

/// What the reminder and early-close forms held when they came back with a
/// problem, by field (`at`, `reason`), and the problems.
#[derive(Debug, Clone, Default)]
pub struct SentBack {
    pub at: String,
    pub reason: String,
    /// The trustees form: emails, one a line, and the threshold.
    pub trustees: String,
    pub threshold: String,
    /// The credential officer's email, as typed.
    pub credential_officer: String,
    pub errors: FieldErrors,
}

/// What the officer's page shows again of a form that came back.
#[derive(Default)]
struct Returned {
    resolving: Option<roll::Resolving>,
    paper: paper::PaperTyped,
    sent_back: SentBack,
}

impl Returned {
    fn has_problems(&self) -> bool {
        self.resolving.is_some()
            || !self.paper.errors.is_empty()
            || !self.sent_back.errors.is_empty()
    }
}

impl AdminPage {
    /// What the officer typed as the reason for deciding `challenge`, when
    /// that decision came back with a problem.
    pub fn resolution_typed(&self, challenge: &i64) -> &str {
        self.resolving
            .as_ref()
            .filter(|r| r.challenge == *challenge)
            .map_or("", |r| r.resolution.as_str())
    }

    /// The problem with `field` of the decision on `challenge`, or "".
    pub fn resolution_error(&self, challenge: &i64, field: &str) -> &str {
        self.resolving
            .as_ref()
            .filter(|r| r.challenge == *challenge)
            .map_or("", |r| r.errors.get(field))
    }

    /// Whether the paper ballot that came back had `choice` marked for
    /// `question` (references, as the template's loops give them).
    pub fn paper_marked(&self, question: &i64, choice: &i64) -> bool {
        self.paper.answers.contains(&(*question, *choice))
    }

    /// How many problems the decision on `challenge` came back with.
    pub fn resolution_problems(&self, challenge: &i64) -> usize {
        self.resolving
            .as_ref()
            .filter(|r| r.challenge == *challenge)
            .map_or(0, |r| r.errors.count())
    }
}

/// What the officer's page may say of who took part (see
/// `elections::disclosure` for the rule).
pub enum Participation {
    /// Before the vote or after a purge: nothing to list.
    Nothing,
    /// While voting: who has not voted yet, for reminders.
    NotYetVoted(Vec<(String, String)>),
    /// After the close, where the result hides every choice.
    Voted(Vec<(String, String, Method)>),
    /// After the close, where listing who voted would tell how.
    Withheld,
}

fn participation(
    conn: &mut DbConnection,
    row: &ElectionRow,
    phase: Phase,
) -> QueryResult<Participation> {
    if row.purged_at.is_some() {
        return Ok(Participation::Nothing);
    }
    if phase.is_closed() {
        let tallies: Vec<Vec<i64>> = store::results::certified(conn, row)?
            .questions
            .iter()
            .map(|q| q.counts.iter().map(|(_, votes)| *votes).collect())
            .collect();
        return Ok(if disclosure::may_list_voters_after_close(&tallies) {
            Participation::Voted(store::voters(conn, row.id)?)
        } else {
            Participation::Withheld
        });
    }
    if phase.has_turnout() {
        return Ok(Participation::NotYetVoted(store::not_voted(conn, row.id)?));
    }
    Ok(Participation::Nothing)
}

/// `GET /officer/elections/{id}`.
pub async fn show(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    admin_page(page, &state, id.into_inner(), Returned::default()).await
}

/// Renders the officer's page of the election: as it stands, or with a
/// form that came back to be put right (as a 422, the typing kept).
async fn admin_page(
    page: Page,
    state: &web::Data<AppState>,
    id: i64,
    returned: Returned,
) -> Result<HttpResponse, AppError> {
    let status = if returned.has_problems() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let config = state.config.clone();
    let now = config.clock.now();
    let page = db(state, move |conn| {
        let row = store::election(conn, id)?;
        let phase = row.phase(now);
        let roll = store::roll_lines(conn, id)?;
        let purge_from = row.closed_at.map(store::lifecycle::purge_from);
        Ok(AdminPage {
            page,
            phase,
            unit: store::unit_name(conn, row.unit_id)?,
            opens: local_time(&config, row.opens_at),
            closes: local_time(&config, row.closes_at),
            fingerprint: row.shown_fingerprint(phase, &roll),
            questions: store::questions(conn, id)?,
            roll_size: roll.len(),
            challenges: store::challenges::challenges(conn, id)?,
            reach: store::reach::of_live(conn, &row)?,
            turnout: store::turnout(conn, id)?,
            participation: participation(conn, &row, phase)?,
            results: if phase.is_closed() {
                store::results::certified(conn, &row)?.questions
            } else {
                Vec::new()
            },
            closed: row
                .closed_at
                .map(|at| local_time(&config, at))
                .unwrap_or_default(),
            may_purge: row.purged_at.is_none() && purge_from.is_some_and(|p| now >= p),
            purge_from: purge_from
                .map(|p| local_time(&config, p))
                .unwrap_or_default(),
            reminders: store::reminders::of_election(conn, id)?
                .into_iter()
                .map(|r| (local_time(&config, r.due_at), r.state()))
                .collect(),
            resolving: returned.resolving,
            paper: returned.paper,
            sent_back: {
                let mut typed = returned.sent_back;
                if typed.errors.count() == 0 && typed.credential_officer.is_empty() {
                    typed.credential_officer =
                        store::credentials::officer_of(conn, row.credential_officer_id)?
                            .map(|(_, email)| email)
                            .unwrap_or_default();
                }
                if typed.errors.count() == 0 && typed.threshold.is_empty() {
                    let named = store::trustees::of_election(conn, id)?;
                    typed.trustees = trustee_emails(conn, &named)?;
                    typed.threshold = row.threshold.to_string();
                }
                typed
            },
            key_progress: store::trustees::Progress::of(&store::trustees::of_election(conn, id)?)
                .in_words(),
            trustees: store::trustees::of_election(conn, id)?,
            observers: store::observers::of_election(conn, id)?,
            credential_officer: store::credentials::officer_of(conn, row.credential_officer_id)?,
            credentials_uploaded: store::credentials::uploaded(conn, id)?,
            credentials_used: store::credentials::summary(conn, id)?,
            head: {
                let head = store::record::head(conn, id)?;
                if head.next_seq == 0 {
                    String::new()
                } else {
                    head.hex()
                }
            },
            row,
        })
    })
    .await?;
    render(status, &page)
}

/// The trustees' emails, one a line, as the form shows them.
fn trustee_emails(
    conn: &mut DbConnection,
    named: &[store::trustees::TrusteeRow],
) -> QueryResult<String> {
    use diesel::prelude::*;
    let mut lines = Vec::with_capacity(named.len());
    for t in named {
        lines.push(
            crate::db::schema::users::table
                .find(t.user_id)
                .select(crate::db::schema::users::email)
                .first::<String>(conn)?,
        );
    }
    Ok(lines.join("\n"))
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

fn record(
    conn: &mut DbConnection,
    ctx: &Context,
    action: &str,
    id: i64,
    detail: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        ctx.now,
        Entry {
            actor: &ctx.actor,
            action,
            target: &format!("election {id}"),
            detail,
        },
    )
}

/// The officer's page again with the reminder or early-close form as it
/// was sent and `problem` beside its field.
async fn send_back(
    page: Page,
    state: &web::Data<AppState>,
    id: i64,
    mut typed: SentBack,
    problem: &dyn FieldProblem,
) -> Result<HttpResponse, AppError> {
    typed.errors.add_problem(problem);
    let returned = Returned {
        sent_back: typed,
        ..Returned::default()
    };
    admin_page(page, state, id, returned).await
}

/// Runs one administrative act in a write transaction with its audit
/// entry, after moving the election on by the clock, then returns to the
/// election with what was done or the refusal.
async fn act<F, D, E>(
    req: &HttpRequest,
    officer: &OfficerUser,
    state: &web::Data<AppState>,
    id: i64,
    action: &'static str,
    job: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &Context) -> QueryResult<Result<D, E>> + Send + 'static,
    D: Into<Done> + Send + 'static,
    E: Display + Send + 'static,
{
    let outcome = run_act(req, officer, state, id, action, job).await?;
    Ok(back(state, id, outcome.map_err(|why| why.to_string())))
}

/// Returns to the election's page with what an act did, or why not.
pub(super) fn back(state: &AppState, id: i64, outcome: Result<Done, String>) -> HttpResponse {
    let (kind, message) = match outcome {
        Ok(done) => (FlashKind::Success, done.flash),
        Err(message) => (FlashKind::Warning, message),
    };
    redirect_with(
        &format!("/officer/elections/{id}"),
        kind,
        &message,
        state.config.behind_https(),
    )
}

/// Runs one administrative act as `act` does and gives back what it did,
/// or its refusal as it stands, for a handler that shows some refusals
/// beside the form's fields.
async fn run_act<F, D, E>(
    req: &HttpRequest,
    officer: &OfficerUser,
    state: &web::Data<AppState>,
    id: i64,
    action: &'static str,
    job: F,
) -> Result<Result<Done, E>, AppError>
where
    F: FnOnce(&mut DbConnection, &Context) -> QueryResult<Result<D, E>> + Send + 'static,
    D: Into<Done> + Send + 'static,
    E: Display + Send + 'static,
{
    let ctx = Context::new(&state.config, officer.0.actor(req));
    let outcome = db(state, move |conn| {
        let (outcome, closed) = write_tx(conn, |conn| {
            let was_closed = store::election(conn, id)?.status == Status::Closed;
            store::advance(conn, &ctx, id)?;
            let outcome = job(conn, &ctx)?.map(Into::into);
            match &outcome {
                Ok(done) => record(conn, &ctx, action, id, &done.record)?,
                // A refused act is on the record too, in its own words.
                Err(why) => record(
                    conn,
                    &ctx,
                    &format!("{action}_refused"),
                    id,
                    &why.to_string(),
                )?,
            }
            let closed = !was_closed && store::election(conn, id)?.status == Status::Closed;
            Ok::<_, AppError>((outcome, closed))
        })?;
        if closed {
            store::vacuum_ballot_tables(conn);
        }
        Ok(outcome)
    })
    .await?;
    state.mail_waker.wake();
    Ok(outcome)
}
