//! Inviting in bulk: everyone in the bargaining unit with an email on the
//! roster and no account gets a link to choose a password, so votes and
//! cases can reach them.

use std::borrow::Borrow;
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::store;
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::schema::{members, users};
use crate::db::{DbConnection, write_tx};
use crate::dues::rules::Status;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::{Invite, Role};
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// How many names each list shows; the counts are always whole.
const NAMES_SHOWN: usize = 100;

/// Statuses whose people are still in the bargaining unit; resigned and
/// retired people are not invited.
const IN_THE_UNIT: [Status; 3] = [Status::Member, Status::NonMember, Status::OnLeave];

/// One roster entry to invite.
#[derive(Debug, Clone)]
pub struct Invitee {
    member_id: i64,
    /// "Family, Given".
    pub name: String,
    /// "Given Family", as the invitation greets them.
    greeting: String,
    email: String,
}

/// Who in the unit has an account, and who does not and why.
#[derive(Debug, Default)]
pub struct Survey {
    /// An email and no account, never invited.
    pub never_invited: Vec<Invitee>,
    /// Invited, and the link not yet used.
    pub not_accepted: Vec<Invitee>,
    /// No email on the roster: only reachable another way.
    pub no_email: Vec<String>,
    /// An email shared with another roster entry: an account must belong to
    /// one person, so the roster needs fixing first.
    pub shared_email: Vec<String>,
    /// An account an officer turned off.
    pub turned_off: usize,
    /// A working account.
    pub with_account: usize,
}

/// Reads the roster and the accounts once.
pub fn survey(conn: &mut DbConnection) -> QueryResult<Survey> {
    let in_unit: Vec<&str> = IN_THE_UNIT.iter().map(|s| s.as_str()).collect();
    let people: Vec<(i64, String, String, Option<String>)> = members::table
        .filter(members::status.eq_any(in_unit))
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            members::id.asc(),
        ))
        .select((
            members::id,
            members::first_name,
            members::last_name,
            members::email,
        ))
        .load(conn)?;
    let accounts: Vec<(String, Option<i64>, bool, bool)> = users::table
        .select((
            users::email,
            users::member_id,
            users::password_hash.is_not_null(),
            users::active,
        ))
        .load(conn)?;
    let by_email: HashMap<String, (bool, bool)> = accounts
        .iter()
        .map(|(email, _, set_up, active)| (email.to_lowercase(), (*set_up, *active)))
        .collect();
    let linked: HashMap<i64, (bool, bool)> = accounts
        .iter()
        .filter_map(|(_, member, set_up, active)| member.map(|m| (m, (*set_up, *active))))
        .collect();
    let all_emails: Vec<String> = members::table
        .select(members::email)
        .filter(members::email.is_not_null())
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .map(|e| e.trim().to_lowercase())
        .collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for email in all_emails {
        *uses.entry(email).or_default() += 1;
    }
    let mut survey = Survey::default();
    for (member_id, first, last, email) in people {
        let name = format!("{last}, {first}");
        let Some(email) = email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
        else {
            survey.no_email.push(name);
            continue;
        };
        if uses.get(&email).copied().unwrap_or(0) > 1 {
            survey.shared_email.push(name);
            continue;
        }
        let invitee = Invitee {
            member_id,
            greeting: format!("{first} {last}"),
            name,
            email: email.clone(),
        };
        match linked
            .get(&member_id)
            .or_else(|| by_email.get(&email))
            .copied()
        {
            None => survey.never_invited.push(invitee),
            Some((_, false)) => survey.turned_off += 1,
            Some((true, true)) => survey.with_account += 1,
            Some((false, true)) => survey.not_accepted.push(invitee),
        }
    }
    Ok(survey)
}

/// The page.
#[derive(Template)]
#[template(path = "roster/invitations.html")]
pub struct InvitationsPage {
    page: Page,
    survey: Survey,
    shown: usize,
}

impl InvitationsPage {
    fn first<'a>(&self, names: &'a [String]) -> &'a [String] {
        &names[..names.len().min(self.shown)]
    }

    fn more(&self, n: impl Borrow<usize>) -> usize {
        n.borrow().saturating_sub(self.shown)
    }

    fn people(&self, n: impl Borrow<usize>) -> String {
        crate::plural::count(*n.borrow() as i64, "person", "people")
    }

    fn names_of(list: &[Invitee]) -> Vec<String> {
        list.iter().map(|i| i.name.clone()).collect()
    }
}

/// `GET /officer/roster/invitations`.
pub async fn show(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let survey = db(&state, |conn| Ok(survey(conn)?)).await?;
    render(
        StatusCode::OK,
        &InvitationsPage {
            page,
            survey,
            shown: NAMES_SHOWN,
        },
    )
}

/// Which list the officer invites.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    which: String,
}

/// `POST /officer/roster/invitations`: invites everyone never invited, or
/// sends the not-yet-accepted their link again. The list is read again in
/// the same transaction, so a second sending finds nobody left to invite.
pub async fn send(
    req: HttpRequest,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let again = match form.which.as_str() {
        "new" => false,
        "again" => true,
        _ => {
            return Ok(redirect_with(
                "/officer/roster/invitations",
                FlashKind::Warning,
                "Choose whom to invite: those never invited, or those who have not accepted.",
                state.config.behind_https(),
            ));
        }
    };
    let inviter = officer.user.display_name.clone();
    let ctx = Context::new(&state.config, officer.actor(&req));
    let invited = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let survey = survey(conn)?;
            let list = if again {
                survey.not_accepted
            } else {
                survey.never_invited
            };
            let mut invited = 0;
            for person in list {
                let invite = Invite {
                    email: &person.email,
                    name: &person.greeting,
                    roles: &[Role::Member],
                    invited_by: &inviter,
                };
                if let Ok(user_id) =
                    crate::users::invite(conn, &ctx.config, &invite, &ctx.actor, ctx.now)?
                {
                    store::link_user(conn, user_id, Some(person.member_id))?;
                    invited += 1;
                }
            }
            Ok(invited)
        })
    })
    .await?;
    state.mail_waker.wake();
    let message = match (invited, again) {
        (0, _) => "Nobody was left to invite.".to_owned(),
        (n, false) => format!(
            "Invited {} by email.",
            crate::plural::count(n, "person", "people")
        ),
        (n, true) => format!(
            "Sent {} again.",
            crate::plural::count(n, "invitation", "invitations")
        ),
    };
    Ok(redirect_with(
        "/officer/roster/invitations",
        FlashKind::Success,
        &message,
        state.config.behind_https(),
    ))
}
