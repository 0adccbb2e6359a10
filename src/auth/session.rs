//! Server-side sessions: a random id in an HttpOnly cookie, only its hash
//! in the database; idle and absolute time-outs; ended at sign-out,
//! password change, deactivation and a role change; a new id at every
//! change of privilege (sign-in, the second factor, a password change,
//! two-factor on or off, one's own roles).

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::tokens::{hash_token, random_token};
use crate::db::DbConnection;
use crate::db::schema::sessions as s;
use crate::state::AppState;
use crate::users::{self, User};

/// The session cookie's name.
pub const COOKIE: &str = "uh_session";
/// A session unused this long has ended.
pub const IDLE: Duration = Duration::minutes(30);
/// A session this old has ended, however busy.
pub const ABSOLUTE: Duration = Duration::hours(12);
// Idle tracking is written at most this often per session, not per request.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A session row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct SessionRow {
    /// SHA-256 of the cookie's value.
    pub id_hash: String,
    /// Whose.
    pub user_id: i64,
    /// When it began.
    pub created_at: NaiveDateTime,
    /// When it was last used (to within a minute).
    pub last_seen_at: NaiveDateTime,
    /// False between the password and the two-factor code.
    pub second_factor_done: bool,
    /// Where it began.
    pub ip: String,
    /// The browser it began in.
    pub user_agent: String,
}

/// Who is making a request, as the session middleware found it.
#[derive(Debug, Clone)]
pub enum Visitor {
    /// No session.
    Anonymous,
    /// A session that has just ended by time-out.
    Expired,
    /// Password accepted; the two-factor code is still to come.
    AwaitingSecondFactor {
        /// The session.
        session: SessionRow,
        /// Whose.
        user: User,
    },
    /// Fully signed in.
    SignedIn {
        /// The session.
        session: SessionRow,
        /// Who.
        user: User,
    },
}

impl Visitor {
    /// The session's hash, if there is a live one.
    pub fn session_hash(&self) -> Option<&str> {
        match self {
            Self::AwaitingSecondFactor { session, .. } | Self::SignedIn { session, .. } => {
                Some(&session.id_hash)
            }
            _ => None,
        }
    }

    /// The fully signed-in user.
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::SignedIn { user, .. } => Some(user),
            _ => None,
        }
    }
}

/// Starts a session and returns the cookie value (the only copy of the id).
pub fn create(
    conn: &mut DbConnection,
    user_id: i64,
    second_factor_done: bool,
    ip: &str,
    user_agent: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = random_token();
    diesel::insert_into(s::table)
        .values((
            s::id_hash.eq(hash_token(&token)),
            s::user_id.eq(user_id),
            s::created_at.eq(now),
            s::last_seen_at.eq(now),
            s::second_factor_done.eq(second_factor_done),
            s::ip.eq(ip),
            s::user_agent.eq(user_agent.chars().take(200).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Finds the session behind a cookie value, ending it if it has timed out.
pub fn lookup(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<Visitor> {
    let Some(session) = s::table
        .find(hash_token(token))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(Visitor::Anonymous);
    };
    if now - session.last_seen_at > IDLE || now - session.created_at > ABSOLUTE {
        end(conn, &session.id_hash)?;
        return Ok(Visitor::Expired);
    }
    let user = match users::load(conn, session.user_id)? {
        Some(user) if user.active => user,
        _ => {
            end(conn, &session.id_hash)?;
            return Ok(Visitor::Anonymous);
        }
    };
    if now - session.last_seen_at > TOUCH_EVERY {
        diesel::update(s::table.find(&session.id_hash))
            .set(s::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(if session.second_factor_done {
        Visitor::SignedIn { session, user }
    } else {
        Visitor::AwaitingSecondFactor { session, user }
    })
}

/// Marks the two-factor step done.
/// The pending session `id_hash` (password given, code awaited) ends and a
/// new one, second factor done, takes its place: its id (the cookie value
/// returned) is fresh, so an id seen or planted before the code was given
/// is worth nothing after it.
pub fn complete_second_factor(
    conn: &mut DbConnection,
    id_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let (user_id, ip, agent): (i64, String, String) = s::table
        .find(id_hash)
        .select((s::user_id, s::ip, s::user_agent))
        .first(conn)?;
    end(conn, id_hash)?;
    create(conn, user_id, true, &ip, &agent, now)
}

/// Gives a live session a new id and returns it (the new cookie value):
/// called at every change of privilege (password, two-factor, roles), so
/// an id seen or planted before the change is worth nothing after it. The
/// session keeps when it began, so the absolute time-out still counts from
/// the sign-in.
pub fn rotate(conn: &mut DbConnection, id_hash: &str, now: NaiveDateTime) -> QueryResult<String> {
    let row: SessionRow = s::table
        .find(id_hash)
        .select(SessionRow::as_select())
        .first(conn)?;
    end(conn, id_hash)?;
    let token = random_token();
    diesel::insert_into(s::table)
        .values((
            s::id_hash.eq(hash_token(&token)),
            s::user_id.eq(row.user_id),
            s::created_at.eq(row.created_at),
            s::last_seen_at.eq(now),
            s::second_factor_done.eq(row.second_factor_done),
            s::ip.eq(row.ip),
            s::user_agent.eq(row.user_agent),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Ends one session.
pub fn end(conn: &mut DbConnection, id_hash: &str) -> QueryResult<()> {
    diesel::delete(s::table.find(id_hash))
        .execute(conn)
        .map(drop)
}

/// Ends every session of a user but `keep`; returns how many ended.
pub fn end_all_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let mine = s::table.filter(s::user_id.eq(user_id));
    match keep {
        Some(keep) => diesel::delete(mine.filter(s::id_hash.ne(keep))).execute(conn),
        None => diesel::delete(mine).execute(conn),
    }
}

/// A user's live sessions, newest first.
pub fn list_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SessionRow>> {
    let rows: Vec<SessionRow> = s::table
        .filter(s::user_id.eq(user_id))
        .order(s::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| now - r.last_seen_at <= IDLE && now - r.created_at <= ABSOLUTE)
        .collect())
}

/// The cookie that carries a new session.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

/// The cookie that removes the session cookie.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

/// Finds who is asking before any handler runs, so the layout, the CSRF
/// check and the role extractors all see the same answer.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let skip = path.starts_with("/static/") || path == "/healthz";
    let token = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty());
    let visitor = match (skip, token, req.app_data::<web::Data<AppState>>()) {
        (false, Some(token), Some(state)) => {
            let pool = state.pool.clone();
            let now = state.config.clock.now();
            web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                lookup(&mut conn, &token, now).map_err(|e| e.to_string())
            })
            .await
            .map_err(crate::error::AppError::from)?
            .map_err(crate::error::AppError::Internal)?
        }
        _ => Visitor::Anonymous,
    };
    let ended = matches!(visitor, Visitor::Expired);
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.behind_https());
    req.extensions_mut().insert(visitor);
    let mut response = next.call(req).await?;
    let request = response.request().clone();
    crate::web::flash::clear_if_shown(&request, response.response_mut());
    if ended && !response.response().cookies().any(|c| c.name() == COOKIE) {
        let _ = response.response_mut().add_cookie(&removal_cookie(secure));
    }
    Ok(response)
}
