//! The officer schedules a reminder to those on the roll who have not
//! voted, at a time given or now.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::act;
use crate::auth::OfficerUser;
use crate::elections::local_time;
use crate::elections::store::reminders::{self, ReminderRefusal, Scheduled};
use crate::error::AppError;
use crate::state::AppState;

/// The reminder's form: a local time, or empty for now.
#[derive(Debug, Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    at: String,
}

/// `POST /officer/elections/{id}/reminders`.
pub async fn remind(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<RemindForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let raw = form.into_inner().at.trim().to_owned();
    let at = if raw.is_empty() {
        Ok(None)
    } else {
        crate::forms::parse::local_datetime(state.config.timezone, &raw)
            .map(Some)
            .map_err(ReminderRefusal::BadTime)
    };
    act(
        &req,
        &officer,
        &state,
        id,
        "election_reminder_scheduled",
        move |conn, ctx| {
            let at = match at {
                Ok(at) => at,
                Err(refusal) => return Ok(Err(refusal)),
            };
            Ok(
                reminders::schedule(conn, ctx, id, at)?.map(|scheduled| match scheduled {
                    Scheduled::SentNow(sent) => {
                        format!("Reminders queued to {sent} members who have not voted.")
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
    .await
}
