//! The member's side: the unit's elections and an election's page (the
//! roll, the result), a challenge to the roll, and voting. Pages show an
//! election by the clock and never write; the acts move it on first.

pub mod ballot;
pub mod challenge;
pub mod credentials;
pub mod observe;
pub mod roll;
pub mod trustee;
pub mod verify_page;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::OptionalExtension;

use super::local_time;
use super::states::{Phase, Status};
use super::store::{self, ElectionRow, Question, challenges::OwnChallenge, results::ResultView};
use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The election if the viewer may see it (officers, or members of its
/// unit once published), with the viewer's roster entry and unit.
pub fn visible(
    conn: &mut DbConnection,
    current: &CurrentUser,
    id: i64,
) -> Result<(ElectionRow, Option<(i64, i64)>), AppError> {
    let row = store::election(conn, id)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let me = crate::roster::belonging(conn, current.user.id)?;
    let officer = current.user.can(Role::Officer);
    let member_of_unit = me.is_some_and(|(_, unit)| unit == row.unit_id);
    if officer || (member_of_unit && row.status != Status::Draft) {
        Ok((row, me))
    } else {
        Err(AppError::NotFound)
    }
}

/// The viewer's roster entry when they belong to the election's unit.
pub fn member_in_unit(row: &ElectionRow, me: Option<(i64, i64)>) -> Option<i64> {
    me.filter(|(_, unit)| *unit == row.unit_id)
        .map(|(member, _)| member)
}

/// `/elections`.
#[derive(Template)]
#[template(path = "elections/list.html")]
pub struct ListPage {
    page: Page,
    elections: Vec<(i64, String, String, String)>,
    officer: bool,
}

/// `GET /elections`.
pub async fn list(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let officer = current.user.can(Role::Officer);
    let config = state.config.clone();
    let now = config.clock.now();
    let elections = db(&state, move |conn| {
        let Some((_, unit)) = crate::roster::belonging(conn, current.user.id)? else {
            return Ok(Vec::new());
        };
        Ok(store::of_unit(conn, unit)?
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    r.title.clone(),
                    r.phase(now).label().to_owned(),
                    local_time(&config, r.closes_at),
                )
            })
            .collect())
    })
    .await?;
    render(
        StatusCode::OK,
        &ListPage {
            page,
            elections,
            officer,
        },
    )
}

/// `/elections/{id}`.
#[derive(Template)]
#[template(path = "elections/show.html")]
pub struct ShowPage {
    page: Page,
    row: ElectionRow,
    phase: Phase,
    opens: String,
    closes: String,
    fingerprint: Option<String>,
    eligible: i64,
    questions: Vec<Question>,
    on_roll: bool,
    /// Why the viewer is not on the roll, as of its cut-off, and whether
    /// it is about dues (then the statement is linked).
    off_roll: Option<(String, bool)>,
    voted: bool,
    accepting: bool,
    results: Vec<ResultView>,
    turnout: String,
    codes: Vec<String>,
    officer: bool,
    rules: Vec<String>,
    /// The challenges the viewer raised, with their decisions.
    own_challenges: Vec<OwnChallenge>,
    /// The challenge form as typed, with its problems, when it came back.
    challenge: ChallengeTyped,
    /// The record's head hash, once published.
    head: String,
    /// While the vote runs and after: ballots in the record, and the
    /// credentials they were cast with, in words.
    record_summary: String,
    /// The trustees' names, in order, and whether the viewer is one.
    trustees: Vec<String>,
    is_trustee: bool,
    /// The viewer makes this vote's credentials.
    is_credential_officer: bool,
    /// The SHA-256 of the ballot code this server serves.
    booth_hash: &'static str,
}

/// What the challenge form holds: empty, or what was typed when it came
/// back with problems.
#[derive(Debug, Clone, Default)]
pub struct ChallengeTyped {
    pub employee_number: String,
    /// The roll entry picked from the list, as sent.
    pub entry: String,
    pub reason: String,
    pub errors: FieldErrors,
}

/// `GET /elections/{id}`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_page(
        page,
        current,
        &state,
        id.into_inner(),
        ChallengeTyped::default(),
    )
    .await
}

/// Renders the election's page for the viewer; with a challenge form that
/// came back with problems, as a 422 that keeps what was typed.
pub async fn show_page(
    page: Page,
    current: CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    challenge: ChallengeTyped,
) -> Result<HttpResponse, AppError> {
    let status = if challenge.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let config = state.config.clone();
    let now = config.clock.now();
    let officer = current.user.can(Role::Officer);
    let page = db(state, move |conn| {
        let (row, me) = visible(conn, &current, id)?;
        let own_challenges = store::challenges::of_challenger(conn, id, current.user.id)?;
        let viewer = current.user.id;
        let phase = row.phase(now);
        let questions = store::questions(conn, id)?;
        let (on_roll, voted) = match member_in_unit(&row, me) {
            Some(member_id) => (
                store::on_roll(conn, id, member_id)?,
                store::has_voted(conn, id, member_id)?,
            ),
            None => (false, false),
        };
        let roll = store::roll_lines(conn, id)?;
        // Only while there is a roll to be on: drawn, and not yet purged.
        let off_roll = if row.status == Status::Draft || row.purged_at.is_some() {
            None
        } else {
            store::off_roll::why(conn, &row, member_in_unit(&row, me))?
                .map(|o| (o.words(row.cutoff), o.about_dues()))
        };
        // Counts exist only once the vote is closed.
        let (results, turnout, codes) = if phase.is_closed() {
            let certified = store::results::certified(conn, &row)?;
            let turnout = format!(
                "{} of {} eligible members voted ({} online, {} on paper).",
                certified.online + certified.paper,
                row.eligible.unwrap_or(0),
                certified.online,
                certified.paper
            );
            let codes = store::results::tracking_codes(conn, id)?;
            (certified.questions, turnout, codes)
        } else {
            (Vec::new(), String::new(), Vec::new())
        };
        Ok(ShowPage {
            page,
            phase,
            opens: local_time(&config, row.opens_at),
            closes: local_time(&config, row.closes_at),
            fingerprint: row.shown_fingerprint(phase, &roll),
            eligible: row
                .eligible
                .map_or_else(|| i64::try_from(roll.len()).unwrap_or(0), i64::from),
            accepting: phase == Phase::Voting && now >= row.opens_at,
            rules: questions.iter().map(|q| q.rule.describe()).collect(),
            questions,
            on_roll,
            off_roll,
            voted,
            results,
            turnout,
            codes,
            officer,
            own_challenges,
            challenge,
            head: {
                let head = store::record::head(conn, id)?;
                if head.next_seq == 0 {
                    String::new()
                } else {
                    head.hex()
                }
            },
            // While the vote runs: after the close the result says it all.
            record_summary: if phase != Phase::Voting {
                String::new()
            } else {
                let (ballots, used) = store::credentials::summary(conn, id)?;
                let credentialed = row.credential_officer_id.is_some();
                match (ballots, credentialed) {
                    (0, _) => String::new(),
                    (n, true) => format!(
                        "{n} {} in the record, cast with {used} voting {}; only the last of each counts.",
                        if n == 1 { "ballot" } else { "ballots" },
                        if used == 1 { "credential" } else { "credentials" }
                    ),
                    (n, false) => format!(
                        "{n} {} in the record.",
                        if n == 1 { "ballot" } else { "ballots" }
                    ),
                }
            },
            is_trustee: store::trustees::position_of(conn, id, viewer)?.is_some(),
            is_credential_officer: row.credential_officer_id == Some(viewer),
            trustees: store::trustees::of_election(conn, id)?
                .into_iter()
                .map(|t| t.name)
                .collect(),
            booth_hash: crate::web::assets::booth_hash(),
            row,
        })
    })
    .await?;
    render(status, &page)
}
