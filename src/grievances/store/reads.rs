//! The reads behind the pages: the lists of cases, the parts of a case
//! file, and what the reports count. Every list leaves out voided cases
//! (filed in error); only the case page itself still opens one.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::GrievanceRow;
use crate::db::DbConnection;
use crate::db::schema::{
    grievance_articles as ga, grievance_events as ge, grievances as g, grievants, members, units,
    users,
};
use crate::grievances::states::{Act, Status};

/// The cases that name roster entry `member_id`, newest first.
pub fn naming(conn: &mut DbConnection, member_id: i64) -> QueryResult<Vec<GrievanceRow>> {
    g::table
        .inner_join(grievants::table)
        .filter(grievants::member_id.eq(member_id))
        .filter(g::voided_at.is_null())
        .order(g::id.desc())
        .select(GrievanceRow::as_select())
        .load(conn)
}

/// The cases user `steward_id` carries, newest first.
pub fn carried_by(conn: &mut DbConnection, steward_id: i64) -> QueryResult<Vec<GrievanceRow>> {
    g::table
        .filter(g::steward_id.eq(steward_id))
        .filter(g::voided_at.is_null())
        .order(g::id.desc())
        .select(GrievanceRow::as_select())
        .load(conn)
}

/// The open cases, all of them or one steward's.
pub fn open(conn: &mut DbConnection, steward_id: Option<i64>) -> QueryResult<Vec<GrievanceRow>> {
    let mut query = g::table
        .filter(g::status.eq(Status::Open))
        .filter(g::voided_at.is_null())
        .into_boxed();
    if let Some(steward_id) = steward_id {
        query = query.filter(g::steward_id.eq(steward_id));
    }
    query.select(GrievanceRow::as_select()).load(conn)
}

/// How many open cases (a steward's, or every one) are overdue before
/// `today`, due from today to `soon` inclusive, and later or with no
/// deadline: the board's three parts, counted in the database.
pub fn open_counts(
    conn: &mut DbConnection,
    steward_id: Option<i64>,
    today: NaiveDate,
    soon: NaiveDate,
) -> QueryResult<(i64, i64, i64)> {
    let open = || {
        let mut query = g::table
            .filter(g::status.eq(Status::Open))
            .filter(g::voided_at.is_null())
            .into_boxed();
        if let Some(steward_id) = steward_id {
            query = query.filter(g::steward_id.eq(steward_id));
        }
        query
    };
    let all: i64 = open().count().get_result(conn)?;
    let overdue: i64 = open()
        .filter(g::due_on.lt(today))
        .count()
        .get_result(conn)?;
    let within: i64 = open()
        .filter(g::due_on.ge(today))
        .filter(g::due_on.le(soon))
        .count()
        .get_result(conn)?;
    Ok((overdue, within, all - overdue - within))
}

/// A page of open cases (a steward's, or every one) by next deadline, those
/// with none last.
pub fn open_by_deadline(
    conn: &mut DbConnection,
    steward_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<GrievanceRow>> {
    let mut query = g::table
        .filter(g::status.eq(Status::Open))
        .filter(g::voided_at.is_null())
        .into_boxed();
    if let Some(steward_id) = steward_id {
        query = query.filter(g::steward_id.eq(steward_id));
    }
    query
        .order((g::due_on.is_null().asc(), g::due_on.asc(), g::id.asc()))
        .offset(offset.max(0))
        .limit(limit)
        .select(GrievanceRow::as_select())
        .load(conn)
}

/// An open case's next deadline, as the reminder job reads it.
#[derive(Debug, Clone, Queryable)]
pub struct DueDeadline {
    pub id: i64,
    pub steward_id: Option<i64>,
    pub due_on: NaiveDate,
    pub due_act: String,
    pub due_basis: String,
}

/// The open cases whose deadline falls from `from` to `to`, inclusive.
pub fn due_within(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<DueDeadline>> {
    g::table
        .filter(g::status.eq(Status::Open))
        .filter(g::voided_at.is_null())
        .filter(g::due_on.ge(from))
        .filter(g::due_on.le(to))
        .select((
            g::id,
            g::steward_id,
            g::due_on.assume_not_null(),
            g::due_act,
            g::due_basis,
        ))
        .load(conn)
}

/// Every case but the voided ones, by id.
pub fn every(conn: &mut DbConnection) -> QueryResult<Vec<GrievanceRow>> {
    g::table
        .filter(g::voided_at.is_null())
        .order(g::id.asc())
        .select(GrievanceRow::as_select())
        .load(conn)
}

/// Every unit's name, by id.
pub fn unit_names(conn: &mut DbConnection) -> QueryResult<HashMap<i64, String>> {
    Ok(units::table
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// These users' names, by id.
pub fn user_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// A user's name, if the account still exists.
pub fn user_name(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    users::table
        .find(id)
        .select(users::display_name)
        .first(conn)
        .optional()
}

/// Case `id`'s grievants as "First Last (E1001)", by surname.
pub fn grievant_names(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    Ok(grievants::table
        .inner_join(members::table)
        .filter(grievants::grievance_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::first_name,
            members::last_name,
            members::employee_number,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(first, last, number)| format!("{first} {last} ({number})"))
        .collect())
}

/// The articles case `id` cites, as filed.
pub fn articles(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    ga::table
        .filter(ga::grievance_id.eq(id))
        .select(ga::article)
        .load(conn)
}

/// Every case's articles, each case's in alphabetical order.
pub fn articles_by_case(conn: &mut DbConnection) -> QueryResult<HashMap<i64, Vec<String>>> {
    let mut articles: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, article) in ga::table
        .order(ga::article.asc())
        .select((ga::grievance_id, ga::article))
        .load::<(i64, String)>(conn)?
    {
        articles.entry(id).or_default().push(article);
    }
    Ok(articles)
}

/// How many grievants each case names.
pub fn grievant_counts(conn: &mut DbConnection) -> QueryResult<HashMap<i64, usize>> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for id in grievants::table
        .select(grievants::grievance_id)
        .load::<i64>(conn)?
    {
        *counts.entry(id).or_insert(0) += 1;
    }
    Ok(counts)
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ge)]
pub struct EventRow {
    pub occurred_on: NaiveDate,
    pub act: Act,
    pub step_position: i32,
    pub detail: String,
    pub author_label: String,
    pub at: NaiveDateTime,
}

/// Case `id`'s timeline, in the order recorded.
pub fn events(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<EventRow>> {
    ge::table
        .filter(ge::grievance_id.eq(id))
        .order(ge::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}
