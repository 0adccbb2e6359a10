//! The trustee's page: where a trustee's device gets its packet for the
//! step at hand and sends its answer (key generation before the vote, a
//! decryption share after it). The page's script does both in place; with
//! no JavaScript the trustee saves the packet, runs `unionhall trustee` on
//! their own computer and pastes its answer into the same form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::OptionalExtension;
use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::elections::store::{self, ElectionRow, trustees};
use crate::error::AppError;
use crate::state::AppState;
use crate::trustees::packet::{Ask, Packet};
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

#[derive(Template)]
#[template(path = "elections/trustee.html")]
pub struct TrusteePage {
    page: Page,
    row: ElectionRow,
    position: u32,
    progress: String,
    ask: Ask,
    packet_json: String,
    answer: String,
    error: String,
    shares: usize,
    /// At the close: the record's head hash and ballot count as served here.
    record_head: String,
    record_ballots: usize,
    booth_src: String,
}

impl TrusteePage {
    pub fn problems(&self) -> usize {
        usize::from(!self.error.is_empty())
    }

    pub fn shares_in(&self) -> bool {
        self.shares > 0
    }

    /// What this step asks, in words.
    pub fn asked(&self) -> &'static str {
        match self.ask {
            Ask::Transport => "Make your key file and send your transport key (step 1 of 3).",
            Ask::Deal => "Deal your shares of the key to the other trustees (step 2 of 3).",
            Ask::Confirm => "Check the shares dealt to you and confirm the key (step 3 of 3).",
            Ask::Share => "The vote has closed: check the record and send your decryption share.",
            Ask::Wait => "Nothing is asked of you now.",
        }
    }
}

fn trustee_of(
    conn: &mut crate::db::DbConnection,
    current: &CurrentUser,
    id: i64,
) -> Result<(ElectionRow, u32), AppError> {
    let row = store::election(conn, id)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let position = trustees::position_of(conn, id, current.user.id)?.ok_or(AppError::NotFound)?;
    if row.status == crate::elections::states::Status::Draft {
        return Err(AppError::NotFound);
    }
    Ok((row, position))
}

async fn page_for(
    page: Page,
    current: CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    answer: String,
    error: String,
) -> Result<HttpResponse, AppError> {
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = db(state, move |conn| {
        let (row, position) = trustee_of(conn, &current, id)?;
        let packet = trustees::packet(conn, &row, position)?.ok_or(AppError::NotFound)?;
        let rows = trustees::of_election(conn, id)?;
        let parsed = packet
            .record
            .as_deref()
            .and_then(|r| crate::record::Record::parse(r).ok());
        Ok(TrusteePage {
            page,
            position,
            progress: trustees::Progress::of(&rows).in_words(),
            ask: packet.ask,
            // Inside a script element "</script>" must not appear; "<" as
            // \u003c is the same JSON.
            packet_json: serde_json::to_string(&packet)
                .unwrap_or_default()
                .replace('<', "\\u003c"),
            answer,
            error,
            shares: trustees::shared(conn, id)?.len(),
            record_head: parsed.as_ref().map(|r| r.head().hex()).unwrap_or_default(),
            booth_src: crate::web::assets::booth_src(),
            record_ballots: parsed.as_ref().map_or(0, |r| {
                r.lines
                    .iter()
                    .filter(|l| matches!(l.entry, crate::record::entry::Entry::Ballot(_)))
                    .count()
            }),
            row,
        })
    })
    .await?;
    render(status, &body)
}

/// `GET /elections/{id}/trustee`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    page_for(
        page,
        current,
        &state,
        id.into_inner(),
        String::new(),
        String::new(),
    )
    .await
}

/// `GET /elections/{id}/trustee/packet`: the packet as a file to save.
pub async fn packet(
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let packet: Packet = db(&state, move |conn| {
        let (row, position) = trustee_of(conn, &current, id)?;
        trustees::packet(conn, &row, position)?.ok_or(AppError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"election-{id}-trustee-{}-packet.json\"",
                packet.trustee
            ),
        ))
        .body(serde_json::to_string_pretty(&packet).unwrap_or_default()))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

/// `POST /elections/{id}/trustee`: a step's answer, checked before it is
/// kept; the last share needed decrypts the result in the same act.
pub async fn answer(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = form.into_inner().answer;
    if typed.trim().is_empty() {
        let words = "Paste the answer your device gave for this step.".to_owned();
        return page_for(page, current, &state, id, typed, words).await;
    }
    let ctx = Context::new(&state.config, current.actor(&req));
    let text = typed.clone();
    let user = current.user.id;
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            store::advance(conn, &ctx, id)?;
            let row = store::lock(conn, id)?;
            let Some(position) = trustees::position_of(conn, id, user)? else {
                return Err(AppError::NotFound);
            };
            let taken = trustees::take(conn, &row, position, &text, ctx.now)?;
            let detail = match &taken {
                Ok(trustees::Taken::Kept(words)) => words.clone(),
                Ok(trustees::Taken::Keyed) => "the election key is made".into(),
                Ok(trustees::Taken::Shared { .. }) => "decryption share".into(),
                Err(why) => format!("refused: {why}"),
            };
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "trustee_answer",
                    target: &format!("election {id}, trustee {position}"),
                    detail: &detail,
                },
            )?;
            if let Ok(trustees::Taken::Shared { enough: true }) = &taken {
                store::lifecycle::finish(conn, &ctx, id)?;
            }
            Ok::<_, AppError>(taken)
        })
    })
    .await?;
    state.mail_waker.wake();
    let flash = match outcome {
        Err(why) => return page_for(page, current, &state, id, typed, why).await,
        Ok(trustees::Taken::Kept(words)) => words,
        Ok(trustees::Taken::Keyed) => {
            "The election key is made: every trustee confirmed it, and the vote can open.".into()
        }
        Ok(trustees::Taken::Shared { enough: true }) => {
            "Your decryption share is in, and with it the result is counted and published.".into()
        }
        Ok(trustees::Taken::Shared { enough: false }) => {
            "Your decryption share is in; the result is counted when enough trustees have sent theirs.".into()
        }
    };
    Ok(redirect_with(
        &format!("/elections/{id}/trustee"),
        FlashKind::Success,
        &flash,
        state.config.behind_https(),
    ))
}

/// `GET /elections/{id}/record`: the public record, for anyone who may see
/// the election and for its trustees.
pub async fn record(
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let text = db(&state, move |conn| {
        let may = super::visible(conn, &current, id).is_ok()
            || trustees::position_of(conn, id, current.user.id)?.is_some();
        if !may {
            return Err(AppError::NotFound);
        }
        let text = store::record::text(conn, id)?;
        if text.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(text)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"election-{id}-record.jsonl\""),
        ))
        .body(text))
}
