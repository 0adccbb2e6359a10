//! Filing a case: who it is for, found on the roster, and the case row
//! with its grievants, articles, first events and the mail.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::acts::{Event, event, write_state};
use super::{case_overseers, display_name, grievant_users, number, procedure};
use crate::clock::long_date;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{grievance_articles as ga, grievances as g, grievants, members, units};
use crate::forms::FieldProblem;
use crate::grievances::case::{self, State};
use crate::grievances::notices;
use crate::grievances::states::{Act, ClockStart, Kind, Phase, Status};
use crate::mail::preferences::NoticeKind;

/// What a new case holds.
#[derive(Debug, Clone)]
pub struct Filing {
    pub unit_id: i64,
    pub kind: Kind,
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

/// A case just filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filed {
    /// Its id.
    pub id: i64,
    /// Days past the filing limit; 0 when in time.
    pub late_days: i32,
}

/// A grievant found on the roster, with their unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grievant {
    /// The roster entry.
    pub member_id: i64,
    /// Their unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
}

/// Why the grievants a form names cannot be filed for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrievantProblem {
    /// An employee number that is not on the roster.
    #[error("No one on the roster has employee number {0}.")]
    NotOnRoster(String),
    /// Grievants from two units.
    #[error("All grievants must be in one unit: the list mixes {first} and {other}.")]
    MixedUnits {
        /// The first grievant's unit.
        first: String,
        /// Another grievant's, different.
        other: String,
    },
    /// A member filing for themself whose account is not on the roster.
    #[error("Your account is not linked to a roster entry, so a steward must file for you.")]
    Unlinked,
}

impl FieldProblem for GrievantProblem {
    fn field(&self) -> &'static str {
        "grievants"
    }
}

/// The grievants with these employee numbers, each with their unit.
pub fn grievants_by_number(
    conn: &mut DbConnection,
    numbers: &[String],
) -> QueryResult<Result<Vec<Grievant>, GrievantProblem>> {
    let mut found: Vec<Grievant> = Vec::new();
    for number in numbers {
        let row: Option<(i64, i64, String)> = members::table
            .inner_join(units::table)
            .filter(members::employee_number.eq(number))
            .select((members::id, members::unit_id, units::name))
            .first(conn)
            .optional()?;
        match row {
            Some((member_id, unit_id, unit_name)) => found.push(Grievant {
                member_id,
                unit_id,
                unit_name,
            }),
            None => return Ok(Err(GrievantProblem::NotOnRoster(number.clone()))),
        }
    }
    if let Some(first) = found.first()
        && let Some(other) = found.iter().find(|g| g.unit_id != first.unit_id)
    {
        return Ok(Err(GrievantProblem::MixedUnits {
            first: first.unit_name.clone(),
            other: other.unit_name.clone(),
        }));
    }
    Ok(Ok(found))
}

/// The member `user_id` is on the roster, filing for themself.
pub fn own_grievant(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<Result<Grievant, GrievantProblem>> {
    let Some(member_id) = crate::roster::member_id_of(conn, user_id)? else {
        return Ok(Err(GrievantProblem::Unlinked));
    };
    let (unit_id, unit_name): (i64, String) = members::table
        .inner_join(units::table)
        .filter(members::id.eq(member_id))
        .select((members::unit_id, units::name))
        .first(conn)?;
    Ok(Ok(Grievant {
        member_id,
        unit_id,
        unit_name,
    }))
}

/// The department on the roster of the member `user_id` is, if linked.
pub fn own_department(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<String>> {
    let Some(member_id) = crate::roster::member_id_of(conn, user_id)? else {
        return Ok(None);
    };
    members::table
        .find(member_id)
        .select(members::department)
        .first(conn)
        .optional()
}

fn insert(
    conn: &mut DbConnection,
    ctx: &Context,
    filing: &Filing,
    late_days: i32,
) -> QueryResult<i64> {
    diesel::insert_into(g::table)
        .values((
            g::unit_id.eq(filing.unit_id),
            g::kind.eq(filing.kind),
            g::class_description.eq(&filing.class_description),
            g::incident_date.eq(filing.incident_date),
            g::description.eq(&filing.description),
            g::remedy.eq(&filing.remedy),
            g::department.eq(&filing.department),
            g::supervisor.eq(&filing.supervisor),
            g::filed_on.eq(ctx.today),
            g::late_days.eq(late_days),
            g::continuing_violation.eq(filing.continuing_violation),
            g::step_position.eq(1),
            g::phase.eq(Phase::AwaitingResponse),
            g::phase_since.eq(ctx.today),
            g::phase_reason.eq(ClockStart::Filed),
            g::status.eq(Status::Open),
            (
                g::steward_id.eq(filing.steward_id),
                g::filed_by.eq(ctx.actor.user_id),
                g::created_at.eq(ctx.now),
                g::updated_at.eq(ctx.now),
            ),
        ))
        .execute(conn)?;
    crate::db::last_insert_id(conn)
}

/// What a grievant is told of a case just filed.
struct Told<'a> {
    procedure: &'a case::Procedure,
    state: &'a State,
    late_days: i32,
    steward_id: Option<i64>,
}

/// Mails the grievants' accounts of a case just filed: who filed it, who
/// carries it, what is due next, and whether it was late. The one who
/// filed it reads "You filed"; the others, whom it was filed for.
fn tell_grievants(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    grievants: &[i64],
    told: &Told<'_>,
) -> QueryResult<()> {
    let mut rest = vec![match told.steward_id {
        Some(steward) => format!("Your steward is {}.", display_name(conn, steward)?),
        None => {
            "A chief steward will assign a steward to it; you will hear when they do.".to_owned()
        }
    }];
    if let Some(next) = case::next_deadline(told.state, told.procedure) {
        rest.push(format!(
            "Next: {}, by {}.",
            next.act,
            long_date(next.deadline.due)
        ));
    }
    if told.late_days > 0 {
        rest.push(format!(
            "It was filed {} past the contract's limit, so it is marked late.",
            case::days_text(i64::from(told.late_days))
        ));
    }
    let filer = match ctx.actor.user_id {
        Some(user_id) => display_name(conn, user_id)?,
        None => ctx.actor.label.clone(),
    };
    let (me, others): (Vec<i64>, Vec<i64>) = grievants
        .iter()
        .partition(|uid| Some(**uid) == ctx.actor.user_id);
    let on = long_date(ctx.today);
    let subject = format!("your grievance {} is filed", number(id));
    for (recipients, first) in [
        (me, format!("You filed grievance {} on {on}.", number(id))),
        (
            others,
            format!(
                "Grievance {}, naming you, was filed on {on} by {filer}.",
                number(id)
            ),
        ),
    ] {
        let mut lines = vec![first];
        lines.extend(rest.iter().cloned());
        notices::send(
            conn,
            &ctx.config,
            &recipients,
            NoticeKind::GrievanceUpdates,
            id,
            &subject,
            lines,
        )?;
    }
    Ok(())
}

/// Files a case on `ctx.today`: the row, its grievants and articles, the
/// "filed" event, and the mail.
pub fn file(conn: &mut DbConnection, ctx: &Context, filing: &Filing) -> QueryResult<Filed> {
    let today = ctx.today;
    let procedure = procedure(conn, filing.unit_id)?;
    let lateness = case::filing_lateness(
        filing.incident_date,
        today,
        filing.continuing_violation,
        &procedure,
    );
    let late_days = lateness
        .as_ref()
        .map_or(0, |(_, late)| i32::try_from(*late).unwrap_or(i32::MAX));
    let id = insert(conn, ctx, filing, late_days)?;
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
            "Filed {} after the limit ({}).",
            case::days_text(*late),
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
    let first = |act, detail| Event {
        act,
        step: 1,
        on: today,
        detail,
    };
    event(conn, ctx, id, first(Act::Filed, &detail))?;
    let state = State {
        step: 1,
        phase: Phase::AwaitingResponse,
        since: today,
        since_reason: ClockStart::Filed,
        filed_on: today,
        status: Status::Open,
        voided: false,
    };
    write_state(conn, ctx, id, &state, &procedure, None)?;
    if let Some(steward) = filing.steward_id {
        let name = display_name(conn, steward)?;
        event(conn, ctx, id, first(Act::Assigned, &name))?;
    }
    // The grievants hear that it is filed, whoever filed it.
    let grievants = grievant_users(conn, id)?;
    let told = Told {
        procedure: &procedure,
        state: &state,
        late_days,
        steward_id: filing.steward_id,
    };
    tell_grievants(conn, ctx, id, &grievants, &told)?;
    // Those who may see it hear of it: chief stewards and officers (who
    // assign it) and its steward; never the filer, never other stewards,
    // and not twice when they are grievants too.
    let mut carriers = case_overseers(conn)?;
    carriers.extend(filing.steward_id);
    carriers.sort_unstable();
    carriers.dedup();
    carriers.retain(|uid| Some(*uid) != ctx.actor.user_id && !grievants.contains(uid));
    let assigned = match filing.steward_id {
        Some(s) => format!("It is assigned to {}.", display_name(conn, s)?),
        None => "It awaits a steward; a chief steward assigns one.".to_owned(),
    };
    notices::send(
        conn,
        &ctx.config,
        &carriers,
        NoticeKind::GrievanceUpdates,
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
    Ok(Filed { id, late_days })
}

/// A roster entry found by name, for a steward filing on someone's behalf.
#[derive(Debug, Clone)]
pub struct FoundMember {
    pub employee_number: String,
    /// "Family, Given".
    pub name: String,
    pub unit: String,
    pub department: String,
}

/// How many a name search shows; a longer list asks for more of the name.
pub const FOUND_AT_MOST: i64 = 20;

/// Roster entries whose given or family name, or both in either order,
/// contain `typed` (any case), in name order.
pub fn members_named(conn: &mut DbConnection, typed: &str) -> QueryResult<Vec<FoundMember>> {
    use crate::audit::lower;
    let words: Vec<String> = typed
        .split_whitespace()
        .map(|w| {
            let escaped = w
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = members::table
        .inner_join(units::table)
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::employee_number,
            members::first_name,
            members::last_name,
            units::name,
            members::department,
        ))
        .limit(FOUND_AT_MOST + 1)
        .into_boxed();
    // Every word is in the given or the family name.
    for word in words {
        query = query.filter(
            lower(members::first_name)
                .like(word.clone())
                .escape('\\')
                .or(lower(members::last_name).like(word).escape('\\')),
        );
    }
    Ok(query
        .load::<(String, String, String, String, String)>(conn)?
        .into_iter()
        .map(
            |(employee_number, first, last, unit, department)| FoundMember {
                employee_number,
                name: format!("{last}, {first}"),
                unit,
                department,
            },
        )
        .collect())
}

/// The department on the roster of employee `number`, to fill the form.
pub fn department_of_number(conn: &mut DbConnection, number: &str) -> QueryResult<Option<String>> {
    members::table
        .filter(members::employee_number.eq(number))
        .select(members::department)
        .first(conn)
        .optional()
}
