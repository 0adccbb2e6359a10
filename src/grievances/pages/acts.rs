//! The forms that move a case on: a recorded act, and an agreed extension
//! of its deadline.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::case_page::{Typed, case_page, done, refuse_voided, union_case};
use crate::auth::CurrentUser;
use crate::clock::long_date;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::limits::{FormLimit, body_bytes};
use crate::forms::parse::past_date;
use crate::forms::text::Limit;
use crate::grievances::case::ExtensionRefusal;
use crate::grievances::states::Act;
use crate::grievances::store::{self, ActRecord, Extension, Outcome};
use crate::money::Cents;
use crate::state::AppState;
use crate::web::db;
use crate::web::layout::Page;

/// The longest details of an act, and terms of an outcome, kept.
const LONGEST_DETAIL: usize = 5_000;
const LONGEST_TERMS: usize = 20_000;
/// The longest name of who agreed to an extension.
const LONGEST_NAME: usize = 200;

/// What the act form may send: details and terms at their limits.
pub const ACT_FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(LONGEST_DETAIL + LONGEST_TERMS),
    takes: "details of up to 5,000 characters and terms of up to 20,000",
    checks_own_text: true,
};

/// What the extension form may send: a name and two dates.
pub const EXTENSION_FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(LONGEST_NAME),
    takes: "a name of up to 200 characters and two dates",
    checks_own_text: true,
};

/// The act form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActForm {
    pub act: String,
    pub act_date: String,
    pub act_detail: String,
    pub terms: String,
    pub back_pay: String,
}

impl ActForm {
    /// The act to record, or what is wrong with the form.
    pub fn parse(&self, today: NaiveDate) -> Result<ActRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let act = self
            .act
            .trim()
            .parse::<Act>()
            .ok()
            .filter(|a| Act::RECORDABLE.contains(a));
        if act.is_none() {
            errors.add("act", "Choose what happened.");
        }
        let on = errors.take("act_date", past_date(&self.act_date, "date", today));
        let back_pay = match self.back_pay.trim() {
            "" => None,
            raw => errors.take(
                "back_pay",
                Cents::parse(raw, false)
                    .map(Some)
                    .map_err(|e| format!("The back pay: {e}.")),
            ),
        }
        .flatten();
        let terms = self.terms.trim();
        errors.check_text(
            "act_detail",
            self.act_detail.trim(),
            Limit::lines(LONGEST_DETAIL),
        );
        errors.check_text("terms", terms, Limit::lines(LONGEST_TERMS));
        if act == Some(Act::Settled) && terms.is_empty() {
            errors.add("terms", "A settlement needs its terms.");
        }
        if act.is_some_and(|a| a.closes_as().is_none()) && (back_pay.is_some() || !terms.is_empty())
        {
            errors.add(
                "terms",
                "Terms and back pay belong to an outcome (settled, won, denied, withdrawn, award).",
            );
        }
        match (act, on) {
            (Some(act), Some(on)) if errors.is_empty() => Ok(ActRecord {
                act,
                on,
                detail: self.act_detail.trim().to_owned(),
                outcome: Outcome {
                    terms: terms.to_owned(),
                    back_pay,
                },
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /grievances/{id}/acts`.
pub async fn record_act(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ActForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    let form = form.into_inner();
    let ctx = Context::new(&state.config, current.actor(&req));
    let record = match form.parse(ctx.today) {
        Ok(record) => record,
        Err(errors) => {
            let typed = Typed {
                act: Some(form),
                ..Typed::default()
            };
            return case_page(page, &current, &state, id, typed, errors).await;
        }
    };
    let act = record.act;
    let result = db(&state, move |conn| {
        write_tx(conn, |conn| {
            // Re-read and lock inside the transaction so two stewards acting
            // at once cannot both apply an act to the same old state.
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::record_act(conn, &ctx, &row, &record)?)
        })
    })
    .await?;
    match result {
        Ok(()) => {
            state.mail_waker.wake();
            Ok(done(&state, id, &format!("Recorded: {}.", act.label())))
        }
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            let typed = Typed {
                act: Some(form),
                ..Typed::default()
            };
            case_page(page, &current, &state, id, typed, errors).await
        }
    }
}

/// The extension form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    pub new_due: String,
    pub agreed_with: String,
    pub agreed_on: String,
}

impl ExtensionForm {
    /// The extension to record on a case that `is_open`, or what is wrong.
    pub fn parse(&self, today: NaiveDate, is_open: bool) -> Result<Extension, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !is_open {
            errors.add_problem(&ExtensionRefusal::Closed);
        }
        let new_due = errors.take(
            "new_due",
            NaiveDate::parse_from_str(self.new_due.trim(), "%Y-%m-%d")
                .map_err(|_| "Enter the new deadline as a date such as 2026-12-15.".to_owned()),
        );
        let agreed_on = errors.take(
            "agreed_on",
            past_date(&self.agreed_on, "date of the agreement", today),
        );
        let agreed_with = self.agreed_with.trim();
        if agreed_with.is_empty() {
            errors.add("agreed_with", "Name who agreed for management.");
        } else {
            errors.check_text("agreed_with", agreed_with, Limit::line(LONGEST_NAME));
        }
        match (new_due, agreed_on) {
            (Some(new_due), Some(agreed_on)) if errors.is_empty() => Ok(Extension {
                new_due,
                agreed_with: agreed_with.to_owned(),
                agreed_on,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /grievances/{id}/extensions`.
pub async fn extend(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ExtensionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    let form = form.into_inner();
    let ctx = Context::new(&state.config, current.actor(&req));
    let typed = |form: ExtensionForm| Typed {
        extension: form,
        ..Typed::default()
    };
    let extension = match form.parse(ctx.today, row.is_open()) {
        Ok(extension) => extension,
        Err(errors) => return case_page(page, &current, &state, id, typed(form), errors).await,
    };
    let new_due = extension.new_due;
    let result = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::extend(conn, &ctx, &row, &extension)?)
        })
    })
    .await?;
    match result {
        Ok(()) => Ok(done(
            &state,
            id,
            &format!("Deadline extended to {}.", long_date(new_due)),
        )),
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            case_page(page, &current, &state, id, typed(form), errors).await
        }
    }
}
