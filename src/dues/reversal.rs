//! Taking back a mistaken ledger entry, a whole month's posting or a whole
//! check-off import. The ledger is append-only: a reversal is a new entry
//! of the same kind and period with the opposite amount, pointing at the
//! one it cancels, with a reason, audited. The original stays visible and
//! is shown as reversed; an entry is reversed at most once (a unique index
//! holds that even for two officers at once).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::ledger::EntryKind;
use crate::audit::{self, Entry};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{checkoff_imports as ci, ledger_entries as le, members};
use crate::forms::FieldProblem;

/// Why a reversal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReversalRefusal {
    /// The entry is not on this member's ledger.
    #[error("That entry is not on this ledger.")]
    NotFound,
    /// Reversed once already.
    #[error("That entry has been reversed already.")]
    AlreadyReversed,
    /// A reversal is itself never reversed: add a new entry instead.
    #[error("A reversal cannot be reversed; add a new entry instead.")]
    IsAReversal,
    /// Nothing of the posting or import is left to reverse.
    #[error("Nothing is left to reverse: every entry of it has been reversed already.")]
    NothingLeft,
}

impl FieldProblem for ReversalRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NotFound | Self::AlreadyReversed | Self::IsAReversal => "entry",
            Self::NothingLeft => "reversal_reason",
        }
    }
}

type Original = (i64, EntryKind, i64, Option<String>, Option<i64>);

/// Appends the reversal of each original, all on `ctx.today`.
fn append_reversals(
    conn: &mut DbConnection,
    originals: &[Original],
    reason: &str,
    ctx: &Context,
) -> QueryResult<()> {
    for (id, kind, amount, period, _) in originals {
        let member: i64 = le::table.find(*id).select(le::member_id).first(conn)?;
        diesel::insert_into(le::table)
            .values((
                le::member_id.eq(member),
                le::entry_date.eq(ctx.today),
                le::kind.eq(*kind),
                le::amount_cents.eq(-amount),
                le::period.eq(period.clone()),
                le::reason.eq(reason),
                le::reverses_id.eq(Some(*id)),
                le::created_by.eq(ctx.actor.user_id),
                le::created_at.eq(ctx.now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The entries among `ids` that stand: not reversals, not reversed.
fn standing_entries(
    conn: &mut DbConnection,
    candidates: Vec<Original>,
) -> QueryResult<Vec<Original>> {
    let ids: Vec<i64> = candidates.iter().map(|c| c.0).collect();
    let reversed: Vec<Option<i64>> = le::table
        .filter(le::reverses_id.eq_any(&ids))
        .select(le::reverses_id)
        .load(conn)?;
    Ok(candidates
        .into_iter()
        .filter(|c| c.4.is_none() && !reversed.contains(&Some(c.0)))
        .collect())
}

fn columns() -> (
    le::id,
    le::kind,
    le::amount_cents,
    le::period,
    le::reverses_id,
) {
    (
        le::id,
        le::kind,
        le::amount_cents,
        le::period,
        le::reverses_id,
    )
}

/// Reverses one entry of member `member_id`'s ledger.
pub fn reverse_entry(
    conn: &mut DbConnection,
    member_id: i64,
    entry_id: i64,
    reason: &str,
    ctx: &Context,
) -> QueryResult<Result<(), ReversalRefusal>> {
    let Some(original) = le::table
        .filter(le::id.eq(entry_id))
        .filter(le::member_id.eq(member_id))
        .select(columns())
        .first::<Original>(conn)
        .optional()?
    else {
        return Ok(Err(ReversalRefusal::NotFound));
    };
    if original.4.is_some() {
        return Ok(Err(ReversalRefusal::IsAReversal));
    }
    if standing_entries(conn, vec![original.clone()])?.is_empty() {
        return Ok(Err(ReversalRefusal::AlreadyReversed));
    }
    append_reversals(conn, std::slice::from_ref(&original), reason, ctx)?;
    let (number, date): (String, NaiveDate) = le::table
        .inner_join(members::table)
        .filter(le::id.eq(entry_id))
        .select((members::employee_number, le::entry_date))
        .first(conn)?;
    audit::record(
        conn,
        ctx.now,
        Entry {
            actor: &ctx.actor,
            action: "ledger_reversal",
            target: &number,
            detail: &format!(
                "reversed the {} of {} dated {date}: {reason}",
                original.1,
                crate::money::Cents(original.2)
            ),
        },
    )?;
    Ok(Ok(()))
}

/// Reverses every standing charge of a month's posting, as one act.
/// Returns how many charges were reversed.
pub fn reverse_posting(
    conn: &mut DbConnection,
    period: &str,
    reason: &str,
    ctx: &Context,
) -> QueryResult<Result<usize, ReversalRefusal>> {
    let charges: Vec<Original> = le::table
        .filter(le::kind.eq(EntryKind::Charge))
        .filter(le::period.eq(period))
        .filter(le::import_id.is_null())
        .select(columns())
        .load(conn)?;
    let standing = standing_entries(conn, charges)?;
    if standing.is_empty() {
        return Ok(Err(ReversalRefusal::NothingLeft));
    }
    append_reversals(conn, &standing, reason, ctx)?;
    audit::record(
        conn,
        ctx.now,
        Entry {
            actor: &ctx.actor,
            action: "dues_posting_reversed",
            target: period,
            detail: &format!("{} charges: {reason}", standing.len()),
        },
    )?;
    Ok(Ok(standing.len()))
}

/// Reverses every standing deduction of a check-off import, as one act,
/// and marks the import reversed. Returns how many were reversed.
pub fn reverse_import(
    conn: &mut DbConnection,
    import_id: i64,
    reason: &str,
    ctx: &Context,
) -> QueryResult<Result<usize, ReversalRefusal>> {
    let Some((start, end)) = ci::table
        .find(import_id)
        .select((ci::period_start, ci::period_end))
        .first::<(NaiveDate, NaiveDate)>(conn)
        .optional()?
    else {
        return Ok(Err(ReversalRefusal::NotFound));
    };
    let entries: Vec<Original> = le::table
        .filter(le::import_id.eq(import_id))
        .select(columns())
        .load(conn)?;
    let standing = standing_entries(conn, entries)?;
    if standing.is_empty() {
        return Ok(Err(ReversalRefusal::NothingLeft));
    }
    append_reversals(conn, &standing, reason, ctx)?;
    diesel::update(ci::table.find(import_id))
        .set((
            ci::reversed_at.eq(Some(ctx.now)),
            ci::reversal_reason.eq(Some(reason)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        ctx.now,
        Entry {
            actor: &ctx.actor,
            action: "checkoff_import_reversed",
            target: &format!("{start} to {end}"),
            detail: &format!("{} deductions: {reason}", standing.len()),
        },
    )?;
    Ok(Ok(standing.len()))
}
