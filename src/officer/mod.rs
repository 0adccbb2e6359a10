//! Officer pages that watch the whole install: the audit log and the outbox.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::audit::{self, AuditRow, Entry, Filter};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::{FieldErrors, parse};
use crate::mail::outbox::{self, OutboxMessage};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::pager::{self, Pager};
use crate::web::{db, render};

const PER_PAGE: i64 = 50;

/// The audit log's filter, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

/// The audit log page.
#[derive(Template)]
#[template(path = "officer/audit.html")]
pub struct AuditPage {
    page: Page,
    query: AuditQuery,
    /// The action filter's choices: (value, label), "any" first.
    action_options: Vec<(String, String)>,
    rows: Vec<AuditRow>,
    errors: FieldErrors,
    pager: Pager,
}

/// `GET /officer/audit`.
pub async fn audit_log(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::new();
    let from = errors.take("from", parse::optional_date(&query.from));
    let to = errors.take("to", parse::optional_date(&query.to));
    // A date that is not one drops both, rather than half a range.
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        _ => (None, None),
    };
    let filter = Filter {
        person: Some(query.person.trim().to_owned()).filter(|p| !p.is_empty()),
        action: Some(query.action.trim().to_owned()).filter(|a| !a.is_empty()),
        from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        until: to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    let page_number = pager::page_number(&query.page);
    let filters = [
        ("person", query.person.clone()),
        ("action", query.action.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
    ];
    let (rows, pager, actions) = db(&state, move |conn| {
        let total = audit::count(conn, &filter)?;
        let filters: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let pager = Pager::new("/officer/audit", &filters, page_number, PER_PAGE, total);
        let rows = audit::search(conn, &filter, pager.offset(), pager.limit())?;
        Ok((rows, pager, audit::actions(conn)?))
    })
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let action_options = std::iter::once((String::new(), "Any action".to_owned()))
        .chain(actions.into_iter().map(|a| (a.clone(), a)))
        .collect();
    render(
        status,
        &AuditPage {
            page,
            query,
            action_options,
            rows,
            errors,
            pager,
        },
    )
}

/// The outbox's filter.
#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

/// The outbox page.
#[derive(Template)]
#[template(path = "officer/outbox.html")]
pub struct OutboxPage {
    page: Page,
    status: String,
    messages: Vec<OutboxMessage>,
    pager: Pager,
    /// Now, for whether a message's link has run out.
    now: chrono::NaiveDateTime,
    /// How long a failing message is retried, in words.
    retry_for: String,
}

/// `GET /officer/outbox`.
pub async fn outbox_page(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    // Any other word shows every message, as an empty filter does.
    let filter: Option<outbox::Status> = query.status.parse().ok();
    let status = filter.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let page_number = pager::page_number(&query.page);
    let kept = status.clone();
    let (messages, pager) = db(&state, move |conn| {
        let total = outbox::count(conn, filter)?;
        let pager = Pager::new(
            "/officer/outbox",
            &[("status", kept.as_str())],
            page_number,
            PER_PAGE,
            total,
        );
        let messages = outbox::list_from(conn, filter, pager.offset(), pager.limit())?;
        Ok((messages, pager))
    })
    .await?;
    render(
        StatusCode::OK,
        &OutboxPage {
            page,
            status,
            messages,
            pager,
            now: state.config.clock.now(),
            retry_for: crate::mail::worker::in_words(state.config.outbox.retry_for),
        },
    )
}

/// `POST /officer/outbox/{id}/retry`.
pub async fn retry(
    req: HttpRequest,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ctx = Context::new(&state.config, officer.actor(&req));
    let (retried, found) = db(&state, move |conn| {
        write_tx(conn, |conn| {
            outbox::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
            let retried = outbox::retry_failed(conn, id)?;
            let found = outbox::find(conn, id)?;
            if retried {
                audit::record(
                    conn,
                    ctx.now,
                    Entry {
                        actor: &ctx.actor,
                        action: "mail_retry",
                        target: &format!("outbox #{id}"),
                        detail: "",
                    },
                )?;
            }
            Ok((retried, found))
        })
    })
    .await?;
    let secure = state.config.behind_https();
    if retried {
        state.mail_waker.wake();
        Ok(redirect_with(
            "/officer/outbox",
            FlashKind::Success,
            &format!("Message #{id} is queued to be sent again."),
            secure,
        ))
    } else if let Some(removed) = found.filter(OutboxMessage::content_removed) {
        let why = removed
            .what_to_do(ctx.now)
            .unwrap_or_else(|| "its content was removed".into());
        Ok(redirect_with(
            "/officer/outbox",
            FlashKind::Warning,
            &format!("Message #{id} was not retried. {why}"),
            secure,
        ))
    } else {
        Ok(redirect_with(
            "/officer/outbox",
            FlashKind::Warning,
            &format!("Message #{id} is not failed, so there is nothing to retry."),
            secure,
        ))
    }
}
