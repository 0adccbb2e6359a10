//! The audit log: who did what, to whom, when and from where. Append-only;
//! written in the same transaction as the act it records.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::audit_log as a;

diesel::define_sql_function!(
    /// SQL `lower()`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// Who acted: a signed-in user, or someone not (yet) signed in.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user, when known.
    pub user_id: Option<i64>,
    /// How to show them: an email, or "anonymous", or "command line".
    pub label: String,
    /// The address the request came from.
    pub ip: String,
}

impl Actor {
    /// The command line, run by whoever has the server's shell.
    pub fn command_line() -> Self {
        Self {
            user_id: None,
            label: "command line".into(),
            ip: "local".into(),
        }
    }
}

/// One entry to add.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Who.
    pub actor: &'a Actor,
    /// What, as a short machine-friendly word (`sign_in`, `role_change`).
    pub action: &'a str,
    /// To whom or what (an email, a message id).
    pub target: &'a str,
    /// Anything else worth keeping (old and new values).
    pub detail: &'a str,
}

/// Appends an entry.
pub fn record(conn: &mut DbConnection, at: NaiveDateTime, entry: Entry<'_>) -> QueryResult<()> {
    diesel::insert_into(a::table)
        .values((
            a::at.eq(at),
            a::actor_id.eq(entry.actor.user_id),
            a::actor_label.eq(&entry.actor.label),
            a::action.eq(entry.action),
            a::target.eq(entry.target),
            a::detail.eq(entry.detail),
            a::ip.eq(&entry.actor.ip),
        ))
        .execute(conn)
        .map(drop)
}

/// One entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AuditRow {
    /// Row id.
    pub id: i64,
    /// When (UTC).
    pub at: NaiveDateTime,
    /// The acting user.
    pub actor_id: Option<i64>,
    /// The actor as shown.
    pub actor_label: String,
    /// What was done.
    pub action: String,
    /// To whom or what.
    pub target: String,
    /// Details.
    pub detail: String,
    /// From where.
    pub ip: String,
}

/// What the audit page filters by; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Text in the actor's label or the target.
    pub person: Option<String>,
    /// An exact action.
    pub action: Option<String>,
    /// From this time (inclusive).
    pub from: Option<NaiveDateTime>,
    /// Before this time.
    pub until: Option<NaiveDateTime>,
}

type Filtered<'a> = diesel::dsl::IntoBoxed<'a, a::table, crate::db::MultiBackend>;

fn filtered(filter: &Filter) -> Filtered<'static> {
    let mut query = a::table.into_boxed();
    if let Some(person) = &filter.person {
        let pattern = format!("%{}%", person.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            lower(a::actor_label)
                .like(pattern.clone())
                .or(lower(a::target).like(pattern)),
        );
    }
    if let Some(action) = &filter.action {
        query = query.filter(a::action.eq(action.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(a::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(a::at.lt(until));
    }
    query
}

/// How many entries match the filter.
pub fn count(conn: &mut DbConnection, filter: &Filter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// `limit` entries from `offset`, newest first.
pub fn search(
    conn: &mut DbConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    filtered(filter)
        .select(AuditRow::as_select())
        .order((a::at.desc(), a::id.desc()))
        .offset(offset.max(0))
        .limit(limit)
        .load(conn)
}

/// The actions that have been recorded, for the filter's choices.
pub fn actions(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    a::table
        .select(a::action)
        .distinct()
        .order(a::action.asc())
        .load(conn)
}
