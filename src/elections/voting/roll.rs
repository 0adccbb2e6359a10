//! The roll in the open: while it is published for challenges, members of
//! the unit (and officers) see every entry's name and classification, and
//! nothing else; pick an entry to challenge it; and download the list the
//! roll's fingerprint is the hash of. Outside the window it is not found.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{ChallengeTyped, member_in_unit, visible};
use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::elections::local_time;
use crate::elections::rules;
use crate::elections::states::{ChallengeStatus, Phase};
use crate::elections::store::{self, ElectionRow, challenges::OwnChallenge, roll::RollEntry};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The election while its roll is open to challenges, if the viewer may
/// see it (a member of its unit, or an officer), with the viewer's roster
/// entry in the unit. Before and after the window it is not found.
fn in_window(
    conn: &mut DbConnection,
    current: &CurrentUser,
    id: i64,
    now: chrono::NaiveDateTime,
) -> Result<(ElectionRow, Option<i64>), AppError> {
    let (row, me) = visible(conn, current, id)?;
    if row.phase(now) != Phase::Challenges {
        return Err(AppError::NotFound);
    }
    let member = member_in_unit(&row, me);
    Ok((row, member))
}

/// An entry as the list shows it.
pub struct EntryView {
    pub member_id: i64,
    pub name: String,
    pub classification: String,
    /// The viewer's own challenge to it waits for a decision.
    pub challenged: bool,
}

/// `/elections/{id}/roll`.
#[derive(Template)]
#[template(path = "elections/roll.html")]
pub struct RollPage {
    page: Page,
    row: ElectionRow,
    opens: String,
    cutoff: String,
    entries: Vec<EntryView>,
    /// The list's fingerprint as it stands: what the opening fixes, unless
    /// a challenge changes the roll before then.
    fingerprint: String,
    /// The entry picked to challenge, if one is.
    picked: Option<EntryView>,
    /// Whether the viewer is on the roll, and if not, why.
    on_roll: bool,
    off_roll: Option<(String, bool)>,
    own_challenges: Vec<OwnChallenge>,
    challenge: ChallengeTyped,
}

impl RollPage {
    /// True when the form that came back is the one for a picked entry.
    fn pick_form_returned(&self) -> bool {
        !self.challenge.entry.is_empty()
    }
}

/// `?entry=` on the roll's page: the entry picked to challenge.
#[derive(Debug, Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    entry: Option<String>,
}

/// `GET /elections/{id}/roll`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<PickQuery>,
) -> Result<HttpResponse, AppError> {
    let typed = ChallengeTyped {
        entry: query.into_inner().entry.unwrap_or_default(),
        ..ChallengeTyped::default()
    };
    roll_page(page, current, &state, id.into_inner(), typed).await
}

/// Renders the roll's page; with a challenge that came back with problems,
/// as a 422 that keeps what was typed.
pub async fn roll_page(
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
    let page = db(state, move |conn| {
        let (row, member) = in_window(conn, &current, id, now)?;
        let own_challenges = store::challenges::of_challenger(conn, id, current.user.id)?;
        let waiting: Vec<i64> = own_challenges
            .iter()
            .filter(|c| c.status == ChallengeStatus::Open)
            .map(|c| c.member_id)
            .collect();
        let entries: Vec<RollEntry> = store::roll::roll_entries(conn, id)?;
        let lines: Vec<rules::RollLine> = entries.iter().map(|e| e.line.clone()).collect();
        let view = |e: &RollEntry| EntryView {
            member_id: e.member_id,
            name: e.line.name.clone(),
            classification: e.line.classification.clone(),
            challenged: waiting.contains(&e.member_id),
        };
        let picked = challenge
            .entry
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|m| entries.iter().find(|e| e.member_id == m))
            .map(view);
        let off = store::off_roll::why(conn, &row, member)?;
        Ok(RollPage {
            page,
            opens: local_time(&config, row.opens_at),
            cutoff: crate::clock::long_date(row.cutoff),
            fingerprint: rules::fingerprint(&lines),
            entries: entries.iter().map(view).collect(),
            picked,
            on_roll: off.is_none(),
            off_roll: off.map(|o| (o.words(row.cutoff), o.about_dues())),
            own_challenges,
            challenge,
            row,
        })
    })
    .await?;
    render(status, &page)
}

/// `GET /elections/{id}/roll.txt`: the list the fingerprint hashes, byte
/// for byte, so `sha256sum` of the file is the fingerprint.
pub async fn list(
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    let lines = db(&state, move |conn| {
        in_window(conn, &current, id, now)?;
        Ok(store::roll_lines(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"election-{id}-roll.txt\""),
        ))
        .body(rules::roll_list(&lines)))
}
