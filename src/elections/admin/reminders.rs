//! The officer schedules a reminder to those on the roll who have not
//! voted, at a time given or now.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{SentBack, back, run_act, send_back};
use crate::auth::OfficerUser;
use crate::elections::local_time;
use crate::elections::store::reminders::{self, ReminderRefusal, Scheduled};
use crate::error::AppError;
use crate::forms::FieldProblem;
use crate::state::AppState;
use crate::web::layout::Page;

/// The reminder's form: a local time, or empty for now.
#[derive(Debug, Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    at: String,
}

/// `POST /officer/elections/{id}/reminders`.
pub async fn remind(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<RemindForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = form.into_inner().at;
    let raw = typed.trim().to_owned();
    let at = if raw.is_empty() {
        None
    } else {
        match crate::forms::parse::local_datetime(state.config.timezone, &raw) {
            Ok(at) => Some(at),
            Err(why) => {
                // Nothing to act on: the page again, the typing kept.
                let typed = SentBack {
                    at: typed,
                    ..SentBack::default()
                };
                return send_back(page, &state, id, typed, &ReminderRefusal::BadTime(why)).await;
            }
        }
    };
    let outcome = run_act(
        &req,
        &officer,
        &state,
        id,
        "election_reminder_scheduled",
        move |conn, ctx| {
            Ok(
                reminders::schedule(conn, ctx, id, at)?.map(|scheduled| match scheduled {
                    Scheduled::SentNow(sent) => {
                        format!(
                            "Reminders queued to {} who {} not voted.",
                            crate::plural::count(sent as i64, "member", "members"),
                            if sent == 1 { "has" } else { "have" }
                        )
                    }
                    Scheduled::Later(at) => {
                        format!(
                            "A reminder is scheduled for {}.",
                            local_time(&ctx.config, at)
                        )
                    }
                }),
            )
        },
    )
    .await?;
    match outcome {
        // A time after the close comes back beside the field.
        Err(refusal) if !refusal.field().is_empty() => {
            let typed = SentBack {
                at: typed,
                ..SentBack::default()
            };
            send_back(page, &state, id, typed, &refusal).await
        }
        outcome => Ok(back(&state, id, outcome.map_err(|why| why.to_string()))),
    }
}
