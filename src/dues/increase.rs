//! Dues go up only by a vote. US law (LMRDA §101(a)(3)) requires a local's
//! dues increase to pass a secret ballot of the members in good standing,
//! so a rate that raises what any salary pays (`Rate::raises`) is set only
//! by a passed ballot question: the close of the vote adopts it, and a
//! rate typed by hand that raises dues must name that question and match
//! what it adopted. Lower or equal rates need no vote.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::ledger::{rate_on, rates};
use super::rules::Rate;
use crate::db::DbConnection;
use crate::db::schema::{dues_rates as dr, election_questions as eq, elections as el};
use crate::forms::FieldProblem;

/// Why a rate could not be set by hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncreaseRefusal {
    /// It raises dues and names no ballot.
    #[error(
        "This raises dues, which only a secret ballot of members in good standing may do: choose the passed ballot question that adopted it, or put it to a vote."
    )]
    NeedsBallot,
    /// The named question adopted no rate for this unit.
    #[error("That ballot question adopted no dues rate for this unit.")]
    NotAdopted,
    /// A later rate would then raise dues without a vote.
    #[error(
        "The rate from {from} is higher than this one, so it would become a raise no ballot adopted: change that rate first, or choose a later day."
    )]
    LaterRaise {
        /// When the later rate starts.
        from: NaiveDate,
    },
    /// The rate or its first day differ from what the ballot adopted.
    #[error(
        "The ballot adopted {adopted}; set exactly that rate from that day, or put the new one to a vote."
    )]
    Different {
        /// What the ballot adopted, in words.
        adopted: String,
    },
}

impl FieldProblem for IncreaseRefusal {
    fn field(&self) -> &'static str {
        "ballot"
    }
}

/// Whether `rate` may be set for `unit_id` from `from` by hand, naming
/// `ballot` (a question id) or not: the question to record as adopting it,
/// or why not. It is an increase when it raises dues against any rate it
/// touches: the one members paid the day before, the one it replaces on
/// that day, and (set before a unit's first rate) the first rate, so no
/// same-day replacement or back-dating slips a raise past the vote.
pub fn check(
    conn: &mut DbConnection,
    unit_id: i64,
    from: NaiveDate,
    rate: &Rate,
    ballot: Option<i64>,
) -> QueryResult<Result<Option<i64>, IncreaseRefusal>> {
    let dated = rates(conn, unit_id)?;
    let day_before = from.pred_opt().and_then(|day| rate_on(&dated, day));
    let replaced = rate_on(&dated, from);
    let first_after = dated
        .iter()
        .filter(|d| d.effective_from > from)
        .min_by_key(|d| d.effective_from)
        .map(|d| d.rate);
    let touched = match (day_before, replaced) {
        (None, None) => first_after.into_iter().collect::<Vec<_>>(),
        (before, replaced) => before.into_iter().chain(replaced).collect(),
    };
    let raising = touched.iter().any(|old| rate.raises(old));
    if raising && ballot.is_none() {
        return Ok(Err(IncreaseRefusal::NeedsBallot));
    }
    // Set in front of a later rate, a lower one would make that rate a
    // raise nobody voted for.
    let next = dated
        .iter()
        .filter(|d| d.effective_from > from)
        .min_by_key(|d| d.effective_from);
    if let Some(next) = next.filter(|n| n.adopted_by.is_none() && n.rate.raises(rate)) {
        return Ok(Err(IncreaseRefusal::LaterRaise {
            from: next.effective_from,
        }));
    }
    let Some(question) = ballot else {
        return Ok(Ok(None));
    };
    let Some(adopted) = dated
        .iter()
        .find(|d| d.adopted_by == Some(question))
        .copied()
    else {
        return Ok(Err(IncreaseRefusal::NotAdopted));
    };
    if adopted.rate != *rate || adopted.effective_from != from {
        return Ok(Err(IncreaseRefusal::Different {
            adopted: format!(
                "{} from {}",
                super::handlers::describe(&adopted.rate),
                adopted.effective_from
            ),
        }));
    }
    Ok(Ok(Some(question)))
}

/// The ballot questions that adopted a rate of `unit_id`, as a form offers
/// them: (question id, "Election: question, from date").
pub fn adopting_questions(
    conn: &mut DbConnection,
    unit_id: Option<i64>,
) -> QueryResult<Vec<(i64, String)>> {
    let mut query = dr::table
        .inner_join(eq::table.on(dr::adopted_by_question_id.eq(eq::id.nullable())))
        .inner_join(el::table.on(eq::election_id.eq(el::id)))
        .order(dr::effective_from.desc())
        .select((eq::id, el::title, eq::text, dr::effective_from))
        .into_boxed();
    if let Some(unit) = unit_id {
        query = query.filter(dr::unit_id.eq(unit));
    }
    let rows: Vec<(i64, String, String, NaiveDate)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, text, from)| (id, format!("{title}: {text}, from {from}")))
        .collect())
}
