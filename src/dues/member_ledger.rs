//! A member's ledger as pages show it: the officer's page for one roster
//! entry (its ledger, payments and adjustments, reversals) and a member's
//! own dues statement. Every figure is as of today: what is owed, and what
//! is on the ledger but not yet due.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::ledger::{self, EntryKind, ManualEntry, StatementLine};
use super::owed::{self, DuesOn};
use super::reversal::{self, ReversalRefusal};
use crate::auth::{CurrentUser, OfficerUser};
use crate::context::Context;
use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::money::Cents;
use crate::roster::status_history::{self, StatusChange};
use crate::roster::{MemberRow, store};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// An officer's page for one roster entry.
#[derive(Template)]
#[template(path = "roster/member.html")]
pub struct MemberPage {
    page: Page,
    member: MemberRow,
    unit: String,
    classification: String,
    dues: DuesOn,
    salary: Cents,
    lines: Vec<StatementLine>,
    form: EntryForm,
    errors: FieldErrors,
    reversing: ReversalForm,
    reversal_errors: FieldErrors,
    /// The entries that may be reversed, as the reversal form offers them.
    reversible: Vec<(String, String)>,
    /// The page speaks about the member, to an officer.
    own: bool,
    /// Membership status and join date through time, oldest first.
    history: Vec<StatusChange>,
    kinds: Vec<(&'static str, &'static str)>,
}

/// What the ledger entry form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

impl EntryForm {
    /// A blank payment dated today.
    fn today(config: &crate::config::Config) -> Self {
        Self {
            kind: EntryKind::Payment.as_str().into(),
            date: config.today().to_string(),
            ..Self::default()
        }
    }

    /// The entry as the ledger keeps it, or what is wrong with each field.
    /// A payment is typed as the amount paid; an adjustment as the amount
    /// added to what is owed (negative to credit), with a reason.
    fn parse(&self) -> Result<ManualEntry, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match self.kind.parse::<EntryKind>() {
            Ok(kind @ (EntryKind::Payment | EntryKind::Adjustment)) => Some(kind),
            _ => {
                errors.add("kind", "Choose a payment or an adjustment.");
                None
            }
        };
        let entry_date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok();
        if entry_date.is_none() {
            errors.add("date", "Enter a date like 2026-11-22.");
        }
        let adjusting = kind == Some(EntryKind::Adjustment);
        let amount = match Cents::parse(&self.amount, adjusting) {
            Ok(Cents(0)) => {
                errors.add("amount", "Enter an amount other than zero.");
                None
            }
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.add(
                    "amount",
                    format!("Enter an amount in dollars and cents: {e}."),
                );
                None
            }
        };
        let reason = self.reason.trim().to_owned();
        if adjusting && reason.is_empty() {
            errors.add("reason", "Say why: an adjustment needs a reason.");
        }
        match (kind, entry_date, amount) {
            (Some(kind), Some(entry_date), Some(amount)) if errors.is_empty() => Ok(ManualEntry {
                kind,
                entry_date,
                amount: if kind == EntryKind::Payment {
                    Cents(-amount.0)
                } else {
                    amount
                },
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// A member's dues today with their ledger dated for today.
fn ledger_today(
    conn: &mut DbConnection,
    member_id: i64,
    today: NaiveDate,
) -> diesel::QueryResult<(DuesOn, Vec<StatementLine>)> {
    let (dues, counts_from): (DuesOn, HashMap<i64, NaiveDate>) =
        owed::member_on(conn, member_id, today)?;
    let lines = ledger::statement(conn, member_id, &counts_from, today)?;
    Ok((dues, lines))
}

/// The reversal form's choices: every entry that stands, newest first.
fn reversible(lines: &[StatementLine]) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "Choose an entry".to_owned())];
    options.extend(lines.iter().rev().filter(|l| l.reversible()).map(|l| {
        let month = l
            .period
            .as_deref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_default();
        (
            l.id.to_string(),
            format!("{}: {}{month}, {}", l.entry_date, l.kind_words(), l.amount),
        )
    }));
    options
}

/// What the member page shows besides the member: the entry form and the
/// reversal form as sent, with what was wrong in each.
#[derive(Default)]
struct Forms {
    entry: EntryForm,
    entry_errors: FieldErrors,
    reversal: ReversalForm,
    reversal_errors: FieldErrors,
}

async fn member_page(
    page: Page,
    state: &web::Data<AppState>,
    id: i64,
    forms: Forms,
) -> Result<HttpResponse, AppError> {
    let status = if forms.entry_errors.is_empty() && forms.reversal_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let today = state.config.today();
    let (member, (dues, lines), names, history) = db(state, move |conn| {
        Ok((
            store::member(conn, id)?,
            ledger_today(conn, id, today)?,
            store::names(conn)?,
            status_history::of_member(conn, id)?,
        ))
    })
    .await?;
    render(
        status,
        &MemberPage {
            page,
            unit: names.unit(member.unit_id),
            classification: names.classification(member.classification_id),
            salary: member.person.annual_salary,
            member,
            dues,
            reversible: reversible(&lines),
            own: false,
            history,
            lines,
            form: forms.entry,
            errors: forms.entry_errors,
            reversing: forms.reversal,
            reversal_errors: forms.reversal_errors,
            kinds: vec![
                (
                    EntryKind::Payment.as_str(),
                    "Direct payment (the amount paid)",
                ),
                (
                    EntryKind::Adjustment.as_str(),
                    "Adjustment (added to what is owed; negative to credit)",
                ),
            ],
        },
    )
}

/// `GET /officer/roster/{id}`.
pub async fn show(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let forms = Forms {
        entry: EntryForm::today(&state.config),
        ..Forms::default()
    };
    member_page(page, &state, id.into_inner(), forms).await
}

/// `POST /officer/roster/{id}/ledger`: a direct payment or an adjustment.
pub async fn add_entry(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let entry = match form.parse() {
        Ok(entry) => entry,
        Err(entry_errors) => {
            let forms = Forms {
                entry: form,
                entry_errors,
                ..Forms::default()
            };
            return member_page(page, &state, id, forms).await;
        }
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            store::member(conn, id)?;
            ledger::add_entry(conn, id, &entry, &ctx)?;
            Ok(())
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/officer/roster/{id}"),
        FlashKind::Success,
        "The entry is added to the ledger.",
        state.config.behind_https(),
    ))
}

/// A member's own statement.
#[derive(Template)]
#[template(path = "roster/statement.html")]
pub struct StatementPage {
    page: Page,
    /// The roster entry linked to the account, with its dues today.
    mine: Option<(MemberRow, DuesOn)>,
    lines: Vec<StatementLine>,
    /// The page speaks to the member ("you may vote").
    own: bool,
}

/// `GET /dues`: the signed-in person's own ledger, balance and standing.
pub async fn statement(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let (user_id, email) = (me.user.id, me.user.email.clone());
    let (mine, lines) = db(&state, move |conn| {
        let Some(member) = store::member_of(conn, user_id, &email)? else {
            return Ok((None, Vec::new()));
        };
        let (dues, lines) = ledger_today(conn, member.id, today)?;
        Ok((Some((member, dues)), lines))
    })
    .await?;
    render(
        StatusCode::OK,
        &StatementPage {
            page,
            mine,
            lines,
            own: true,
        },
    )
}

/// What a reversal form sends: the entry it reverses and why.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReversalForm {
    #[serde(default)]
    entry: String,
    #[serde(default)]
    reversal_reason: String,
}

/// Reads the reason a reversal form or a whole-posting form gives.
pub fn reversal_reason(raw: &str) -> Result<String, FieldErrors> {
    let reason = raw.trim();
    let mut errors = FieldErrors::new();
    if reason.is_empty() {
        errors.add("reversal_reason", "Say why it is reversed.");
    } else if reason.chars().count() > 500 {
        errors.add("reversal_reason", "Use at most 500 characters.");
    }
    errors.into_result(|| reason.to_owned())
}

/// `POST /officer/roster/{id}/reversals`: reverses one mistaken entry.
pub async fn reverse_entry(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ReversalForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let refused = |reversal_errors: FieldErrors, form: ReversalForm| Forms {
        reversal: form,
        reversal_errors,
        entry: EntryForm::today(&state.config),
        ..Forms::default()
    };
    let entry: Option<i64> = form.entry.parse().ok();
    let (entry_id, reason) = match (entry, reversal_reason(&form.reversal_reason)) {
        (Some(entry), Ok(reason)) => (entry, reason),
        (entry, reason) => {
            let mut errors = reason.err().unwrap_or_default();
            if entry.is_none() {
                errors.add("entry", "Choose the entry to reverse.");
            }
            return member_page(page, &state, id, refused(errors, form)).await;
        }
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            store::member(conn, id)?;
            Ok(reversal::reverse_entry(conn, id, entry_id, &reason, &ctx)?)
        })
    })
    .await?;
    match outcome {
        Ok(()) => Ok(redirect_with(
            &format!("/officer/roster/{id}"),
            FlashKind::Success,
            "The entry is reversed. It stays on the ledger, marked reversed.",
            state.config.behind_https(),
        )),
        Err(refusal @ (ReversalRefusal::AlreadyReversed | ReversalRefusal::IsAReversal)) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            member_page(page, &state, id, refused(errors, form)).await
        }
        Err(_) => Err(AppError::NotFound),
    }
}
