//! Drafts: an election and its questions as an officer typed them, written
//! and rewritten while it is a draft, and read back in order.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{election_choices as ec, election_questions as eq, elections as el};
use crate::dues::rules::Rate;
use crate::dues::rules::RateKind;
use crate::elections::rules::PassRule;
use crate::elections::states::{QuestionKind, Status};
use crate::money::Cents;

/// A question as typed by an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionDraft {
    pub text: String,
    pub kind: QuestionKind,
    /// For a choice; "Yes" and "No" for a yes/no question.
    pub choices: Vec<String>,
    pub rule: PassRule,
    /// A dues rate the unit adopts from a date if this question passes.
    pub dues: Option<(Rate, NaiveDate)>,
}

/// An election as typed by an officer.
#[derive(Debug, Clone)]
pub struct ElectionDraft {
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub cutoff: NaiveDate,
    pub questions: Vec<QuestionDraft>,
}

/// A stored question with its choices.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub position: i32,
    pub text: String,
    pub kind: QuestionKind,
    pub rule: PassRule,
    pub choices: Vec<(i64, String)>,
    pub dues: Option<(Rate, NaiveDate)>,
}

fn small(n: impl TryInto<i32>, fallback: i32) -> i32 {
    n.try_into().unwrap_or(fallback)
}

fn write_questions(
    conn: &mut DbConnection,
    election: i64,
    questions: &[QuestionDraft],
) -> QueryResult<()> {
    for (i, q) in questions.iter().enumerate() {
        let (dues_kind, bp, min, max, flat, effective) = match &q.dues {
            Some((
                Rate::Percent {
                    basis_points,
                    monthly_min,
                    monthly_max,
                },
                from,
            )) => (
                Some(RateKind::Percent),
                *basis_points,
                monthly_min.0,
                monthly_max.0,
                0,
                Some(*from),
            ),
            Some((Rate::Flat { monthly }, from)) => {
                (Some(RateKind::Flat), 0, 0, 0, monthly.0, Some(*from))
            }
            None => (None, 0, 0, 0, 0, None),
        };
        diesel::insert_into(eq::table)
            .values((
                eq::election_id.eq(election),
                eq::position.eq(small(i + 1, i32::MAX)),
                eq::text.eq(&q.text),
                eq::kind.eq(q.kind),
                eq::pass_num.eq(small(q.rule.num, 1)),
                eq::pass_den.eq(small(q.rule.den, 2)),
                eq::pass_at_least.eq(q.rule.at_least),
                eq::min_turnout_bp.eq(small(q.rule.min_turnout_bp, 0)),
                (
                    eq::dues_kind.eq(dues_kind),
                    eq::dues_basis_points.eq(small(bp, 0)),
                    eq::dues_min_cents.eq(min),
                    eq::dues_max_cents.eq(max),
                    eq::dues_flat_cents.eq(flat),
                    eq::dues_effective.eq(effective),
                ),
            ))
            .execute(conn)?;
        let question = crate::db::last_insert_id(conn)?;
        for (j, label) in q.choices.iter().enumerate() {
            diesel::insert_into(ec::table)
                .values((
                    ec::question_id.eq(question),
                    ec::position.eq(small(j + 1, i32::MAX)),
                    ec::label.eq(label),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Creates a draft; returns its id.
pub fn create(
    conn: &mut DbConnection,
    draft: &ElectionDraft,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(el::table)
        .values((
            el::unit_id.eq(draft.unit_id),
            el::title.eq(&draft.title),
            el::description.eq(&draft.description),
            el::opens_at.eq(draft.opens_at),
            el::closes_at.eq(draft.closes_at),
            el::cutoff.eq(draft.cutoff),
            el::status.eq(Status::Draft),
            el::created_at.eq(now),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn)?;
    write_questions(conn, id, &draft.questions)?;
    Ok(id)
}

/// Replaces a draft's fields and questions. Only drafts change.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    draft: &ElectionDraft,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(el::table.find(id).filter(el::status.eq(Status::Draft)))
        .set((
            el::unit_id.eq(draft.unit_id),
            el::title.eq(&draft.title),
            el::description.eq(&draft.description),
            el::opens_at.eq(draft.opens_at),
            el::closes_at.eq(draft.closes_at),
            el::cutoff.eq(draft.cutoff),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    let old: Vec<i64> = eq::table
        .filter(eq::election_id.eq(id))
        .select(eq::id)
        .load(conn)?;
    diesel::delete(ec::table.filter(ec::question_id.eq_any(&old))).execute(conn)?;
    diesel::delete(eq::table.filter(eq::election_id.eq(id))).execute(conn)?;
    write_questions(conn, id, &draft.questions)?;
    Ok(true)
}

/// A question row as stored, before its dues columns are read as a rate.
#[derive(Queryable, Selectable)]
#[diesel(table_name = eq)]
struct QuestionRow {
    id: i64,
    position: i32,
    text: String,
    kind: QuestionKind,
    pass_num: i32,
    pass_den: i32,
    pass_at_least: bool,
    min_turnout_bp: i32,
    dues_kind: Option<RateKind>,
    dues_basis_points: i32,
    dues_min_cents: i64,
    dues_max_cents: i64,
    dues_flat_cents: i64,
    dues_effective: Option<NaiveDate>,
}

impl QuestionRow {
    fn dues(&self) -> QueryResult<Option<(Rate, NaiveDate)>> {
        let rate = match self.dues_kind {
            None => return Ok(None),
            Some(RateKind::Percent) => Rate::Percent {
                basis_points: i64::from(self.dues_basis_points),
                monthly_min: Cents(self.dues_min_cents),
                monthly_max: Cents(self.dues_max_cents),
            },
            Some(RateKind::Flat) => Rate::Flat {
                monthly: Cents(self.dues_flat_cents),
            },
        };
        // A rate with no date to take effect would be adopted on no day.
        let from = self.dues_effective.ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("question {}: a dues rate without its date", self.id).into(),
            )
        })?;
        Ok(Some((rate, from)))
    }
}

/// An election's questions and choices, in order.
pub fn questions(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<Question>> {
    let rows: Vec<QuestionRow> = eq::table
        .filter(eq::election_id.eq(id))
        .order(eq::position.asc())
        .select(QuestionRow::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for row in rows {
        let choices = ec::table
            .filter(ec::question_id.eq(row.id))
            .order(ec::position.asc())
            .select((ec::id, ec::label))
            .load(conn)?;
        let dues = row.dues()?;
        out.push(Question {
            id: row.id,
            position: row.position,
            kind: row.kind,
            rule: PassRule {
                num: i64::from(row.pass_num),
                den: i64::from(row.pass_den),
                at_least: row.pass_at_least,
                min_turnout_bp: i64::from(row.min_turnout_bp),
            },
            choices,
            dues,
            text: row.text,
        });
    }
    Ok(out)
}

/// The ids of the units an election may be for.
pub fn unit_ids(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    crate::db::schema::units::table
        .select(crate::db::schema::units::id)
        .load(conn)
}
