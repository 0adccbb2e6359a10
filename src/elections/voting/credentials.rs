//! The credential officer's page: the roll to make credentials for, the
//! upload of their public halves, and the replacement of a lost one. The
//! page's script makes the credentials on the officer's own device; with
//! no JavaScript the officer downloads the roll, runs `unionhall
//! credentials` on their own computer and pastes its public file.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::elections::states::Status;
use crate::elections::store::credentials::{self, CredentialRefusal, HandOut};
use crate::elections::store::{self, ElectionRow};
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

#[derive(Template)]
#[template(path = "elections/credentials.html")]
pub struct CredentialsPage {
    page: Page,
    row: ElectionRow,
    roll: Vec<HandOut>,
    uploaded: usize,
    /// The roll as JSON for the page's script, safe inside a script element.
    roll_json: String,
    /// The ballot's address, for the letters' QR codes.
    ballot_url: String,
    keys: String,
    old: String,
    new: String,
    errors: FieldErrors,
    booth_src: String,
    /// In the record: ballots, and distinct credentials they used.
    ballots: u64,
    used: u64,
}

impl CredentialsPage {
    fn uploading(&self) -> bool {
        self.row.status == Status::Published
    }

    fn voting(&self) -> bool {
        self.row.status == Status::Open && self.row.closed_at.is_none()
    }
}

/// The election, if `current` is its credential officer.
fn as_officer(
    conn: &mut crate::db::DbConnection,
    current: &CurrentUser,
    id: i64,
) -> Result<ElectionRow, AppError> {
    let row = store::election(conn, id)?;
    if row.credential_officer_id != Some(current.user.id) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

#[derive(Default)]
struct Typed {
    keys: String,
    old: String,
    new: String,
    errors: FieldErrors,
}

async fn show_page(
    page: Page,
    state: &web::Data<AppState>,
    current: CurrentUser,
    id: i64,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let link = state.config.link(&format!("/elections/{id}/ballot"));
    let page = db(state, move |conn| {
        let row = as_officer(conn, &current, id)?;
        let roll = credentials::hand_out_list(conn, id)?;
        let (ballots, used) = credentials::summary(conn, id)?;
        Ok(CredentialsPage {
            page,
            uploaded: credentials::uploaded(conn, id)?,
            roll_json: serde_json::to_string(&roll)
                .unwrap_or_default()
                .replace('<', "\\u003c"),
            roll,
            row,
            ballot_url: link,
            keys: typed.keys,
            old: typed.old,
            new: typed.new,
            errors: typed.errors,
            booth_src: crate::web::assets::booth_src(),
            ballots,
            used,
        })
    })
    .await?;
    let status = if page.errors.count() > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(status, &page)
}

/// `GET /elections/{id}/credentials`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_page(page, &state, current, id.into_inner(), Typed::default()).await
}

/// `GET /elections/{id}/credentials/roll.csv`: the roll to make credentials
/// for, for `unionhall credentials`.
pub async fn roll_csv(
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let roll = db(&state, move |conn| {
        as_officer(conn, &current, id)?;
        Ok(credentials::hand_out_list(conn, id)?)
    })
    .await?;
    let rows = std::iter::once(["number".to_owned(), "name".into(), "email".into()])
        .chain(roll.into_iter().map(|h| [h.number, h.name, h.email]));
    crate::web::csv::download(&format!("election-{id}-roll.csv"), rows)
}

#[derive(Debug, Deserialize)]
pub struct UploadForm {
    #[serde(default)]
    keys: String,
}

async fn act(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    current: &CurrentUser,
    id: i64,
    action: &'static str,
    work: impl FnOnce(
        &mut crate::db::DbConnection,
        i64,
    ) -> diesel::QueryResult<Result<String, CredentialRefusal>>
    + Send
    + 'static,
) -> Result<Result<String, CredentialRefusal>, AppError> {
    let ctx = Context::new(&state.config, current.actor(req));
    let cur = current.clone();
    db(state, move |conn| {
        as_officer(conn, &cur, id)?;
        Ok(write_tx(conn, |conn| {
            let done = work(conn, cur.user.id)?;
            if let Ok(what) = &done {
                audit::record(
                    conn,
                    ctx.now,
                    Entry {
                        actor: &ctx.actor,
                        action,
                        target: &format!("election {id}"),
                        detail: what,
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(done)
        })?)
    })
    .await
}

/// `POST /elections/{id}/credentials`: the public halves, one a line.
pub async fn upload(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<UploadForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = form.into_inner().keys;
    let parsed = credentials::parse_list(&typed);
    let outcome = match parsed {
        Err(refusal) => Err(refusal),
        Ok(keys) => {
            act(
                &req,
                &state,
                &current,
                id,
                "credentials_uploaded",
                move |conn, by| {
                    Ok(credentials::upload(conn, id, by, &keys)?
                        .map(|()| format!("{} public credentials uploaded", keys.len())))
                },
            )
            .await?
        }
    };
    match outcome {
        Ok(done) => Ok(redirect_with(
            &format!("/elections/{id}/credentials"),
            FlashKind::Success,
            &format!(
                "{done}. Hand each member their secret credential before the vote opens; this server never sees them."
            ),
            state.config.behind_https(),
        )),
        Err(refusal) => {
            let mut errors = FieldErrors::default();
            errors.add(refusal.field(), refusal.to_string());
            show_page(
                page,
                &state,
                current,
                id,
                Typed {
                    keys: typed,
                    errors,
                    ..Typed::default()
                },
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
}

/// `POST /elections/{id}/credentials/revoke`: a lost credential replaced.
pub async fn revoke(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let (old, new) = (form.old.clone(), form.new.clone());
    let outcome = act(
        &req,
        &state,
        &current,
        id,
        "credential_replaced",
        move |conn, by| {
            Ok(credentials::revoke(conn, id, by, &old, &new)?
                .map(|()| "a lost credential replaced in the record".to_owned()))
        },
    )
    .await?;
    match outcome {
        Ok(_) => Ok(redirect_with(
            &format!("/elections/{id}/credentials"),
            FlashKind::Success,
            "The old credential is revoked in the record and the new one takes its place. Give the member their new credential; the old one can no longer vote.",
            state.config.behind_https(),
        )),
        Err(refusal) => {
            let mut errors = FieldErrors::default();
            errors.add(refusal.field(), refusal.to_string());
            show_page(
                page,
                &state,
                current,
                id,
                Typed {
                    old: form.old,
                    new: form.new,
                    errors,
                    ..Typed::default()
                },
            )
            .await
        }
    }
}
