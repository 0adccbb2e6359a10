//! Cases in the database: the procedure, filing, acts, extensions,
//! assignment and notes. Each function that changes a case writes its
//! timeline event and its mail in the caller's transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::calendar::{DayCount, UnitHolidays};
use super::case::{self, Act, Phase, Procedure, State, Step};
use super::notices;
use crate::audit::Actor;
use crate::clock::long_date;
use crate::config::Config;
use crate::db::DbConnection;
use crate::db::schema::{
    grievance_articles as ga, grievance_events as ge, grievance_extensions as gx,
    grievance_notes as gn, grievance_steps as gs, grievances as g, grievants, members,
    unit_holidays as uh, user_roles, users,
};
use crate::money::Cents;

/// A grievances row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = g)]
pub struct GrievanceRow {
    pub id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub class_description: String,
    pub incident_date: NaiveDate,
    pub description: String,
    pub remedy: String,
    pub department: String,
    pub supervisor: String,
    pub filed_on: NaiveDate,
    pub late_days: i32,
    pub continuing_violation: bool,
    pub step_position: i32,
    pub phase: String,
    pub phase_since: NaiveDate,
    pub phase_reason: String,
    pub status: String,
    pub due_on: Option<NaiveDate>,
    pub due_act: String,
    pub due_basis: String,
    pub steward_id: Option<i64>,
    pub filed_by: Option<i64>,
    pub outcome_terms: String,
    pub back_pay_cents: Option<i64>,
    pub resolved_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl GrievanceRow {
    /// The case number people quote: "G-12".
    pub fn number(&self) -> String {
        number(self.id)
    }

    /// What the rules need.
    pub fn state(&self) -> State {
        State {
            step: self.step_position,
            phase: Phase::parse(&self.phase).unwrap_or(Phase::Closed),
            since: self.phase_since,
            since_reason: self.phase_reason.clone(),
            filed_on: self.filed_on,
            status: self.status.clone(),
        }
    }

    /// True until an outcome closes it.
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// The case number for an id.
pub fn number(id: i64) -> String {
    format!("G-{id}")
}

/// A unit's procedure and holidays.
pub fn procedure(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Procedure> {
    let rows: Vec<(i32, String, i32, i32, String, bool)> = gs::table
        .filter(gs::unit_id.eq(unit_id))
        .order(gs::position.asc())
        .select((
            gs::position,
            gs::name,
            gs::filing_days,
            gs::response_days,
            gs::day_count,
            gs::arbitration,
        ))
        .load(conn)?;
    let steps = rows
        .into_iter()
        .map(
            |(position, name, filing, response, count, arbitration)| Step {
                position,
                name,
                filing_days: u32::try_from(filing).unwrap_or(0),
                response_days: u32::try_from(response).unwrap_or(0),
                count: DayCount::parse(&count).unwrap_or(DayCount::Calendar),
                arbitration,
            },
        )
        .collect();
    let holidays: UnitHolidays = uh::table
        .filter(uh::unit_id.eq(unit_id))
        .select((uh::holiday, uh::name))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Procedure { steps, holidays })
}

/// Replaces a unit's procedure and holidays. Open cases keep their step
/// numbers and the deadlines already computed.
pub fn save_procedure(
    conn: &mut DbConnection,
    unit_id: i64,
    steps: &[Step],
    holidays: &UnitHolidays,
) -> QueryResult<()> {
    diesel::delete(gs::table.filter(gs::unit_id.eq(unit_id))).execute(conn)?;
    for step in steps {
        diesel::insert_into(gs::table)
            .values((
                gs::unit_id.eq(unit_id),
                gs::position.eq(step.position),
                gs::name.eq(&step.name),
                gs::filing_days.eq(i32::try_from(step.filing_days).unwrap_or(i32::MAX)),
                gs::response_days.eq(i32::try_from(step.response_days).unwrap_or(i32::MAX)),
                gs::day_count.eq(step.count.as_str()),
                gs::arbitration.eq(step.arbitration),
            ))
            .execute(conn)?;
    }
    diesel::delete(uh::table.filter(uh::unit_id.eq(unit_id))).execute(conn)?;
    for (day, name) in holidays {
        diesel::insert_into(uh::table)
            .values((
                uh::unit_id.eq(unit_id),
                uh::holiday.eq(day),
                uh::name.eq(name),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Users who can carry a case: stewards, chief stewards and officers.
pub fn stewards(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    let mut rows: Vec<(i64, String)> = users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq_any(["steward", "chief_steward", "officer"]))
        .filter(users::active.eq(true))
        .select((users::id, users::display_name))
        .distinct()
        .load(conn)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}

/// What a new case holds.
#[derive(Debug, Clone)]
pub struct Filing {
    pub unit_id: i64,
    pub kind: String,
    pub class_description: String,
    pub incident_date: NaiveDate,
    pub articles: Vec<String>,
    pub description: String,
    pub remedy: String,
    pub department: String,
    pub supervisor: String,
    pub continuing_violation: bool,
    pub member_ids: Vec<i64>,
    /// The steward who filed it carries it.
    pub steward_id: Option<i64>,
}

fn insert_id(conn: &mut DbConnection, filing: &Filing, state: &InsertState) -> QueryResult<i64> {
    diesel::insert_into(g::table)
        .values((
            g::unit_id.eq(filing.unit_id),
            g::kind.eq(&filing.kind),
            g::class_description.eq(&filing.class_description),
            g::incident_date.eq(filing.incident_date),
            g::description.eq(&filing.description),
            g::remedy.eq(&filing.remedy),
            g::department.eq(&filing.department),
            g::supervisor.eq(&filing.supervisor),
            g::filed_on.eq(state.today),
            g::late_days.eq(state.late_days),
            g::continuing_violation.eq(filing.continuing_violation),
            g::step_position.eq(1),
            g::phase.eq(Phase::AwaitingResponse.as_str()),
            g::phase_since.eq(state.today),
            g::phase_reason.eq("filed"),
            g::status.eq("open"),
            (
                g::steward_id.eq(filing.steward_id),
                g::filed_by.eq(state.filed_by),
                g::created_at.eq(state.now),
                g::updated_at.eq(state.now),
            ),
        ))
        .execute(conn)?;
    crate::db::last_insert_id(conn)
}

struct InsertState {
    today: NaiveDate,
    now: NaiveDateTime,
    late_days: i32,
    filed_by: Option<i64>,
}

/// Appends one event to a case's timeline.
#[allow(clippy::too_many_arguments)]
fn event(
    conn: &mut DbConnection,
    id: i64,
    act: Act,
    step: i32,
    on: NaiveDate,
    detail: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(ge::table)
        .values((
            ge::grievance_id.eq(id),
            ge::act.eq(act.as_str()),
            ge::step_position.eq(step),
            ge::occurred_on.eq(on),
            ge::detail.eq(detail),
            ge::author_id.eq(actor.user_id),
            ge::author_label.eq(&actor.label),
            ge::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores the case's state and its freshly computed next deadline.
/// Stores the case's state and its next deadline. An agreed extension of
/// the same pending act stands when the recount would come out earlier (a
/// step meeting restarts the count, but management agreed to the date).
fn write_state(
    conn: &mut DbConnection,
    id: i64,
    state: &State,
    procedure: &Procedure,
    previous: Option<&GrievanceRow>,
    now: NaiveDateTime,
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
            g::phase.eq(state.phase.as_str()),
            g::phase_since.eq(state.since),
            g::phase_reason.eq(&state.since_reason),
            g::status.eq(&state.status),
            g::due_on.eq(due.as_ref().map(|d| d.0)),
            g::due_act.eq(due.as_ref().map_or("", |d| d.1.as_str())),
            g::due_basis.eq(due.as_ref().map_or("", |d| d.2.as_str())),
            g::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// How an extended deadline's explanation begins.
const EXTENDED: &str = "Extended by agreement";

/// The user accounts of a case's grievants: accounts whose roster entry
/// (by [`super::member_id_of`]) is named on the case.
pub fn grievant_users(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    let named: Vec<(i64, Option<String>)> = grievants::table
        .inner_join(members::table)
        .filter(grievants::grievance_id.eq(id))
        .select((members::id, members::email))
        .load(conn)?;
    let mut accounts = Vec::new();
    for (member_id, email) in named {
        let Some(email) = email else { continue };
        let candidates: Vec<i64> = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .load(conn)?;
        for user_id in candidates {
            if super::member_id_of(conn, user_id)? == Some(member_id) {
                accounts.push(user_id);
            }
        }
    }
    Ok(accounts)
}

/// The case row, locked for the rest of the transaction on PostgreSQL
/// (SQLite's write transactions already hold the database), so two people
/// acting at once apply their acts one after the other.
pub fn lock(conn: &mut DbConnection, id: i64) -> QueryResult<GrievanceRow> {
    match conn {
        DbConnection::Postgres(pg) => g::table
            .find(id)
            .select(GrievanceRow::as_select())
            .for_update()
            .first(pg),
        DbConnection::Sqlite(lite) => g::table
            .find(id)
            .select(GrievanceRow::as_select())
            .first(lite),
    }
}

/// Chief stewards and officers: who hears of every new case.
fn case_overseers(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq_any(["chief_steward", "officer"]))
        .filter(users::active.eq(true))
        .select(users::id)
        .distinct()
        .load(conn)
}

/// Files a case: the row, its grievants and articles, the "filed" event,
/// and the mail. Returns the new id.
pub fn file(
    conn: &mut DbConnection,
    config: &Config,
    filing: &Filing,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<i64> {
    let procedure = procedure(conn, filing.unit_id)?;
    let lateness = case::filing_lateness(
        filing.incident_date,
        today,
        filing.continuing_violation,
        &procedure,
    );
    let late_days = lateness.as_ref().map_or(0, |(_, late)| *late);
    let id = insert_id(
        conn,
        filing,
        &InsertState {
            today,
            now,
            late_days: i32::try_from(late_days).unwrap_or(i32::MAX),
            filed_by: actor.user_id,
        },
    )?;
    for member_id in &filing.member_ids {
        diesel::insert_into(grievants::table)
            .values((
                grievants::grievance_id.eq(id),
                grievants::member_id.eq(member_id),
            ))
            .execute(conn)?;
    }
    for article in &filing.articles {
        diesel::insert_into(ga::table)
            .values((ga::grievance_id.eq(id), ga::article.eq(article)))
            .execute(conn)?;
    }
    let mut detail = match &lateness {
        Some((deadline, late)) if *late > 0 => format!(
            "Filed {late} days after the limit ({}).",
            long_date(deadline.due)
        ),
        Some((deadline, _)) if filing.continuing_violation => format!(
            "A continuing violation: each day is a new occurrence (the first occurrence's limit was {}).",
            long_date(deadline.due)
        ),
        Some((deadline, _)) => format!("Within the limit ({}).", long_date(deadline.due)),
        None => "The unit has no grievance procedure yet, so no limit applies.".to_owned(),
    };
    if filing.member_ids.len() > 1 {
        detail.push_str(&format!(" {} grievants.", filing.member_ids.len()));
    }
    event(conn, id, Act::Filed, 1, today, &detail, actor, now)?;
    let state = State {
        step: 1,
        phase: Phase::AwaitingResponse,
        since: today,
        since_reason: "filed".into(),
        filed_on: today,
        status: "open".into(),
    };
    write_state(conn, id, &state, &procedure, None, now)?;
    if let Some(steward) = filing.steward_id {
        let name = display_name(conn, steward)?;
        event(conn, id, Act::Assigned, 1, today, &name, actor, now)?;
    }
    // Those who may see it hear of it: chief stewards and officers (who
    // assign it) and its steward; never the filer, never other stewards.
    let mut carriers = case_overseers(conn)?;
    carriers.extend(filing.steward_id);
    carriers.sort_unstable();
    carriers.dedup();
    carriers.retain(|uid| Some(*uid) != actor.user_id);
    let assigned = match filing.steward_id {
        Some(s) => format!("It is assigned to {}.", display_name(conn, s)?),
        None => "It awaits a steward; a chief steward assigns one.".to_owned(),
    };
    notices::send(
        conn,
        config,
        &carriers,
        crate::mail::preferences::NoticeKind::GrievanceUpdates,
        id,
        &format!("new grievance {}", number(id)),
        vec![
            format!(
                "Grievance {} was filed on {}.",
                number(id),
                long_date(today)
            ),
            assigned,
        ],
    )?;
    Ok(id)
}

fn display_name(conn: &mut DbConnection, user_id: i64) -> QueryResult<String> {
    users::table
        .find(user_id)
        .select(users::display_name)
        .first(conn)
}

/// What a closing act records.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Settlement terms or the award's substance.
    pub terms: String,
    /// Back pay won, if any.
    pub back_pay: Option<Cents>,
}

/// Records an act, or says why it does not fit the case.
#[allow(clippy::too_many_arguments)]
pub fn record_act(
    conn: &mut DbConnection,
    config: &Config,
    row: &GrievanceRow,
    act: Act,
    on: NaiveDate,
    detail: &str,
    outcome: &Outcome,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<Result<(), String>> {
    let procedure = procedure(conn, row.unit_id)?;
    let before = row.state();
    let after = match case::apply(&before, act, on, today, &procedure) {
        Ok(after) => after,
        Err(message) => return Ok(Err(message)),
    };
    let mut text = detail.to_owned();
    if matches!(act, Act::Appealed | Act::ArbitrationDemanded)
        && let (Phase::AwaitingAppeal, Some(due)) = (before.phase, row.due_on)
        && on > due
    {
        let late = (on - due).num_days();
        text = format!(
            "{late} days after the deadline ({}). {text}",
            long_date(due)
        );
    }
    event(conn, row.id, act, after.step, on, text.trim(), actor, now)?;
    write_state(conn, row.id, &after, &procedure, Some(row), now)?;
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
            .filter(|uid| Some(*uid) != actor.user_id)
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
            config,
            &recipients,
            crate::mail::preferences::NoticeKind::GrievanceUpdates,
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

/// Moves the current deadline by mutual agreement.
#[allow(clippy::too_many_arguments)]
pub fn extend(
    conn: &mut DbConnection,
    row: &GrievanceRow,
    new_due: NaiveDate,
    agreed_with: &str,
    agreed_on: NaiveDate,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Result<(), String>> {
    let Some(old_due) = row.due_on else {
        return Ok(Err("This case has no deadline to extend.".into()));
    };
    if new_due <= old_due {
        return Ok(Err(format!(
            "The new date must be after the current deadline, {}.",
            long_date(old_due)
        )));
    }
    diesel::insert_into(gx::table)
        .values((
            gx::grievance_id.eq(row.id),
            gx::due_act.eq(&row.due_act),
            gx::old_due.eq(old_due),
            gx::new_due.eq(new_due),
            gx::agreed_with.eq(agreed_with),
            gx::agreed_on.eq(agreed_on),
            gx::recorded_by.eq(actor.user_id),
            gx::recorded_by_label.eq(&actor.label),
            gx::recorded_at.eq(now),
        ))
        .execute(conn)?;
    let basis = format!(
        "{EXTENDED} with {agreed_with} on {} (was {}; {})",
        long_date(agreed_on),
        long_date(old_due),
        row.due_basis
    );
    diesel::update(g::table.find(row.id))
        .set((
            g::due_on.eq(new_due),
            g::due_basis.eq(&basis),
            g::updated_at.eq(now),
        ))
        .execute(conn)?;
    let detail = format!(
        "{}: from {} to {}, agreed with {agreed_with} on {}.",
        row.due_act,
        long_date(old_due),
        long_date(new_due),
        long_date(agreed_on)
    );
    event(
        conn,
        row.id,
        Act::Extended,
        row.step_position,
        agreed_on,
        &detail,
        actor,
        now,
    )?;
    Ok(Ok(()))
}

/// Assigns (or reassigns) the steward, and tells them.
pub fn assign(
    conn: &mut DbConnection,
    config: &Config,
    row: &GrievanceRow,
    steward_id: i64,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<()> {
    diesel::update(g::table.find(row.id))
        .set((g::steward_id.eq(steward_id), g::updated_at.eq(now)))
        .execute(conn)?;
    let name = display_name(conn, steward_id)?;
    event(
        conn,
        row.id,
        Act::Assigned,
        row.step_position,
        today,
        &name,
        actor,
        now,
    )?;
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
    if Some(steward_id) != actor.user_id {
        notices::send(
            conn,
            config,
            &[steward_id],
            crate::mail::preferences::NoticeKind::GrievanceUpdates,
            row.id,
            &format!("you are assigned grievance {}", row.number()),
            lines,
        )?;
    }
    Ok(())
}

/// Marks or clears a continuing violation.
pub fn set_continuing(
    conn: &mut DbConnection,
    row: &GrievanceRow,
    continuing: bool,
    actor: &Actor,
    now: NaiveDateTime,
    today: NaiveDate,
) -> QueryResult<()> {
    let procedure = procedure(conn, row.unit_id)?;
    // A continuing violation is never late; without one, the filing is
    // measured against the first occurrence again.
    let late = case::filing_lateness(row.incident_date, row.filed_on, continuing, &procedure)
        .map_or(0, |(_, late)| late);
    diesel::update(g::table.find(row.id))
        .set((
            g::continuing_violation.eq(continuing),
            g::late_days.eq(i32::try_from(late).unwrap_or(i32::MAX)),
            g::updated_at.eq(now),
        ))
        .execute(conn)?;
    let detail = match (continuing, late) {
        (true, _) => "Marked as a continuing violation, so the filing is not late.".to_owned(),
        (false, 0) => "No longer marked as a continuing violation.".to_owned(),
        (false, n) => format!(
            "No longer marked as a continuing violation: the filing is {n} days past the limit."
        ),
    };
    event(
        conn,
        row.id,
        Act::ContinuingViolation,
        row.step_position,
        today,
        &detail,
        actor,
        now,
    )
}

/// Adds a note, shared with the grievant or private to the union side.
pub fn add_note(
    conn: &mut DbConnection,
    id: i64,
    shared: bool,
    body: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(gn::table)
        .values((
            gn::grievance_id.eq(id),
            gn::shared.eq(shared),
            gn::body.eq(body),
            gn::author_id.eq(actor.user_id),
            gn::author_label.eq(&actor.label),
            gn::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
