//! Acts and deadlines: the timeline event every change writes, the case's
//! state and next deadline, recorded acts, agreed extensions, assignment,
//! the continuing-violation mark, and voiding a case filed in error.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{GrievanceRow, display_name, grievant_users, number, procedure};
use crate::audit::{self, Entry};
use crate::clock::long_date;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{grievance_events as ge, grievance_extensions as gx, grievances as g};
use crate::grievances::case::{
    self, ActRefusal, EXTENDED, ExtensionRefusal, Procedure, State, VoidRefusal,
};
use crate::grievances::notices;
use crate::grievances::states::{Act, Phase};
use crate::mail::preferences::NoticeKind;
use crate::money::Cents;

/// One entry for a case's timeline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event<'a> {
    pub act: Act,
    pub step: i32,
    pub on: NaiveDate,
    pub detail: &'a str,
}

/// Appends one event to case `id`'s timeline, by `ctx`'s actor at its time.
pub(super) fn event(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    event: Event<'_>,
) -> QueryResult<()> {
    diesel::insert_into(ge::table)
        .values((
            ge::grievance_id.eq(id),
            ge::act.eq(event.act),
            ge::step_position.eq(event.step),
            ge::occurred_on.eq(event.on),
            ge::detail.eq(event.detail),
            ge::author_id.eq(ctx.actor.user_id),
            ge::author_label.eq(&ctx.actor.label),
            ge::at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores the case's state and its next deadline. An agreed extension of
/// the same pending act stands when the recount would come out earlier (a
/// step meeting restarts the count, but management agreed to the date).
pub(super) fn write_state(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    state: &State,
    procedure: &Procedure,
    previous: Option<&GrievanceRow>,
) -> QueryResult<()> {
    let mut due = case::next_deadline(state, procedure).map(|n| (n.deadline.due, n.act, n.basis));
    if let (Some((date, act, _)), Some(before)) = (&due, previous)
        && let Some(extended) = before.due_on
        && *act == before.due_act
        && extended > *date
        && before.due_basis.starts_with(EXTENDED)
    {
        due = Some((extended, act.clone(), before.due_basis.clone()));
    }
    diesel::update(g::table.find(id))
        .set((
            g::step_position.eq(state.step),
            g::phase.eq(state.phase),
            g::phase_since.eq(state.since),
            g::phase_reason.eq(state.since_reason),
            g::status.eq(state.status),
            g::due_on.eq(due.as_ref().map(|d| d.0)),
            g::due_act.eq(due.as_ref().map_or("", |d| d.1.as_str())),
            g::due_basis.eq(due.as_ref().map_or("", |d| d.2.as_str())),
            g::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a closing act records.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Settlement terms or the award's substance.
    pub terms: String,
    /// Back pay won, if any.
    pub back_pay: Option<Cents>,
}

/// An act as a steward records it.
#[derive(Debug, Clone)]
pub struct ActRecord {
    /// What happened.
    pub act: Act,
    /// When.
    pub on: NaiveDate,
    /// The steward's words, which the grievant can read.
    pub detail: String,
    /// For a closing act: its terms and back pay.
    pub outcome: Outcome,
}

/// Records an act, or says why it does not fit the case.
pub fn record_act(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &GrievanceRow,
    record: &ActRecord,
) -> QueryResult<Result<(), ActRefusal>> {
    let ActRecord {
        act,
        on,
        detail,
        outcome,
    } = record;
    let (act, on) = (*act, *on);
    let procedure = procedure(conn, row.unit_id)?;
    let before = row.state();
    let after = match case::apply(&before, act, on, ctx.today, &procedure) {
        Ok(after) => after,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut text = detail.clone();
    if matches!(act, Act::Appealed | Act::ArbitrationDemanded)
        && let (Phase::AwaitingAppeal, Some(due)) = (before.phase, row.due_on)
        && on > due
    {
        let late = (on - due).num_days();
        text = format!(
            "{} after the deadline ({}). {text}",
            case::days_text(late),
            long_date(due)
        );
    }
    let entry = Event {
        act,
        step: after.step,
        on,
        detail: text.trim(),
    };
    event(conn, ctx, row.id, entry)?;
    write_state(conn, ctx, row.id, &after, &procedure, Some(row))?;
    if act.closes_as().is_some() {
        diesel::update(g::table.find(row.id))
            .set((
                g::outcome_terms.eq(&outcome.terms),
                g::back_pay_cents.eq(outcome.back_pay.map(|c| c.0)),
                g::resolved_on.eq(on),
            ))
            .execute(conn)?;
    }
    if act != Act::MeetingHeld {
        let recipients: Vec<i64> = grievant_users(conn, row.id)?
            .into_iter()
            .filter(|uid| Some(*uid) != ctx.actor.user_id)
            .collect();
        let step_name = procedure.step_name(after.step);
        let mut lines = vec![format!(
            "Your grievance {} has a new step: {} ({}), on {}.",
            number(row.id),
            act.label(),
            step_name,
            long_date(on)
        )];
        if let Some(next) = case::next_deadline(&after, &procedure) {
            lines.push(format!(
                "Next: {}, by {}.",
                next.act,
                long_date(next.deadline.due)
            ));
        }
        notices::send(
            conn,
            &ctx.config,
            &recipients,
            NoticeKind::GrievanceUpdates,
            row.id,
            &format!(
                "grievance {}: {}",
                number(row.id),
                act.label().to_lowercase()
            ),
            lines,
        )?;
    }
    Ok(Ok(()))
}

/// A deadline moved by mutual agreement.
#[derive(Debug, Clone)]
pub struct Extension {
    /// The new deadline.
    pub new_due: NaiveDate,
    /// Who agreed for management.
    pub agreed_with: String,
    /// When they agreed.
    pub agreed_on: NaiveDate,
}

/// Moves the current deadline by mutual agreement, or says why it cannot.
pub fn extend(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &GrievanceRow,
    extension: &Extension,
) -> QueryResult<Result<(), ExtensionRefusal>> {
    let Extension {
        new_due,
        agreed_with,
        agreed_on,
    } = extension;
    if row.is_voided() {
        return Ok(Err(ExtensionRefusal::Voided));
    }
    let old_due = match case::extension(row.due_on, *new_due) {
        Ok(old_due) => old_due,
        Err(refusal) => return Ok(Err(refusal)),
    };
    diesel::insert_into(gx::table)
        .values((
            gx::grievance_id.eq(row.id),
            gx::due_act.eq(&row.due_act),
            gx::old_due.eq(old_due),
            gx::new_due.eq(new_due),
            gx::agreed_with.eq(agreed_with),
            gx::agreed_on.eq(agreed_on),
            gx::recorded_by.eq(ctx.actor.user_id),
            gx::recorded_by_label.eq(&ctx.actor.label),
            gx::recorded_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let basis = format!(
        "{EXTENDED} with {agreed_with} on {} (was {}; {})",
        long_date(*agreed_on),
        long_date(old_due),
        row.due_basis
    );
    diesel::update(g::table.find(row.id))
        .set((
            g::due_on.eq(new_due),
            g::due_basis.eq(&basis),
            g::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let detail = format!(
        "{}: from {} to {}, agreed with {agreed_with} on {}.",
        row.due_act,
        long_date(old_due),
        long_date(*new_due),
        long_date(*agreed_on)
    );
    let entry = Event {
        act: Act::Extended,
        step: row.step_position,
        on: *agreed_on,
        detail: &detail,
    };
    event(conn, ctx, row.id, entry)?;
    Ok(Ok(()))
}

/// Assigns (or reassigns) the steward, and tells them and the grievants.
/// False, with nothing written or mailed, when they carry it already.
pub fn assign(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &GrievanceRow,
    steward_id: i64,
) -> QueryResult<bool> {
    if row.steward_id == Some(steward_id) {
        return Ok(false);
    }
    diesel::update(g::table.find(row.id))
        .set((g::steward_id.eq(steward_id), g::updated_at.eq(ctx.now)))
        .execute(conn)?;
    let name = display_name(conn, steward_id)?;
    let entry = Event {
        act: Act::Assigned,
        step: row.step_position,
        on: ctx.today,
        detail: &name,
    };
    event(conn, ctx, row.id, entry)?;
    let mut lines = vec![format!(
        "You are assigned grievance {}, filed {}.",
        row.number(),
        long_date(row.filed_on)
    )];
    if let Some(due) = row.due_on {
        lines.push(format!(
            "Next deadline: {}, by {}.",
            row.due_act,
            long_date(due)
        ));
    }
    if Some(steward_id) != ctx.actor.user_id {
        notices::send(
            conn,
            &ctx.config,
            &[steward_id],
            NoticeKind::GrievanceUpdates,
            row.id,
            &format!("you are assigned grievance {}", row.number()),
            lines,
        )?;
    }
    // The grievants hear who carries their case now.
    let grievants: Vec<i64> = grievant_users(conn, row.id)?
        .into_iter()
        .filter(|uid| Some(*uid) != ctx.actor.user_id && *uid != steward_id)
        .collect();
    let mut lines = vec![format!(
        "{name} is now the steward for your grievance {}.",
        row.number()
    )];
    if let Some(before) = row.steward_id.filter(|s| *s != steward_id) {
        lines.push(format!(
            "They take over from {}.",
            display_name(conn, before)?
        ));
    }
    notices::send(
        conn,
        &ctx.config,
        &grievants,
        NoticeKind::GrievanceUpdates,
        row.id,
        &format!("your grievance {} has a steward", row.number()),
        lines,
    )?;
    Ok(true)
}

/// Marks or clears a continuing violation. False, with nothing written,
/// when the case is marked so already (a form from a page left open).
pub fn set_continuing(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &GrievanceRow,
    continuing: bool,
) -> QueryResult<bool> {
    if row.continuing_violation == continuing {
        return Ok(false);
    }
    let procedure = procedure(conn, row.unit_id)?;
    // A continuing violation is never late; without one, the filing is
    // measured against the first occurrence again.
    let late = case::filing_lateness(row.incident_date, row.filed_on, continuing, &procedure)
        .map_or(0, |(_, late)| late);
    diesel::update(g::table.find(row.id))
        .set((
            g::continuing_violation.eq(continuing),
            g::late_days.eq(i32::try_from(late).unwrap_or(i32::MAX)),
            g::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let detail = match (continuing, late) {
        (true, _) => "Marked as a continuing violation, so the filing is not late.".to_owned(),
        (false, 0) => "No longer marked as a continuing violation.".to_owned(),
        (false, n) => format!(
            "No longer marked as a continuing violation: the filing is {} past the limit.",
            case::days_text(n)
        ),
    };
    let entry = Event {
        act: Act::ContinuingViolation,
        step: row.step_position,
        on: ctx.today,
        detail: &detail,
    };
    event(conn, ctx, row.id, entry)?;
    Ok(true)
}

/// Voids a case filed in error (a duplicate, the wrong member): the row
/// keeps everything but its deadline, the timeline says who voided it and
/// why, the audit log keeps the act, and nobody is mailed, then or later.
/// A second voiding, or voiding a closed case, is refused and changes
/// nothing.
pub fn void(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &GrievanceRow,
    reason: &str,
) -> QueryResult<Result<(), VoidRefusal>> {
    if let Err(refusal) = case::void(&row.state()) {
        return Ok(Err(refusal));
    }
    // Only a row not voided yet changes, so two voidings at once take
    // effect once even where the row was read without a lock.
    let changed = diesel::update(g::table.find(row.id).filter(g::voided_at.is_null()))
        .set((
            g::voided_at.eq(ctx.now),
            g::voided_by.eq(ctx.actor.user_id),
            g::voided_by_label.eq(&ctx.actor.label),
            g::void_reason.eq(reason),
            g::due_on.eq(None::<NaiveDate>),
            g::due_act.eq(""),
            g::due_basis.eq(""),
            g::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(Err(VoidRefusal::AlreadyVoided));
    }
    let by = match ctx.actor.user_id {
        Some(user_id) => display_name(conn, user_id)?,
        None => ctx.actor.label.clone(),
    };
    let detail = format!("Voided by {by}: {reason}");
    let entry = Event {
        act: Act::Voided,
        step: row.step_position,
        on: ctx.today,
        detail: &detail,
    };
    event(conn, ctx, row.id, entry)?;
    audit::record(
        conn,
        ctx.now,
        Entry {
            actor: &ctx.actor,
            action: "grievance_voided",
            target: &row.number(),
            detail: reason,
        },
    )?;
    Ok(Ok(()))
}
