//! The rules of a case: which act fits which step and phase, and the
//! deadline for the next act. Pure functions of the procedure and the
//! case's state, so every rule is tested without a database.

use chrono::NaiveDate;

use super::calendar::{self, DayCount, Deadline, UnitHolidays};
use super::states::{Act, ClockStart, Phase, Status};
use crate::clock::long_date;
use crate::forms::FieldProblem;

/// One step of a unit's grievance procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1 for the first step.
    pub position: i32,
    /// "Informal", "Step 1", "Arbitration".
    pub name: String,
    /// Days allowed to file at this step (for the first) or appeal to it.
    pub filing_days: u32,
    /// Days management has to respond at this step; 0 means no limit.
    pub response_days: u32,
    /// How both limits are counted.
    pub count: DayCount,
    /// Reached by demanding arbitration rather than by an appeal.
    pub arbitration: bool,
}

/// A unit's procedure: its steps in order, its own holidays, and how its
/// contract treats a deadline on a day off.
#[derive(Debug, Clone, Default)]
pub struct Procedure {
    /// Ordered by position, starting at 1.
    pub steps: Vec<Step>,
    /// Days off under the contract besides the federal holidays.
    pub holidays: UnitHolidays,
    /// A calendar-day deadline that falls on a weekend or holiday moves to
    /// the next business day.
    pub roll_forward: bool,
}

impl Procedure {
    /// The deadline `days` after `from`, counted as `count` says and, under
    /// the roll-forward option, moved off a weekend or holiday. (A
    /// business-day count always ends on a business day already.)
    pub fn deadline(&self, from: NaiveDate, days: u32, count: DayCount) -> Deadline {
        let deadline = calendar::add_days(from, days, count, &self.holidays);
        if self.roll_forward && count == DayCount::Calendar {
            calendar::roll_forward(deadline, &self.holidays)
        } else {
            deadline
        }
    }

    /// The step at `position`.
    pub fn step(&self, position: i32) -> Option<&Step> {
        self.steps.iter().find(|s| s.position == position)
    }

    /// The step's name, or "Step N" when the procedure has since changed.
    pub fn step_name(&self, position: i32) -> String {
        self.step(position)
            .map_or_else(|| format!("Step {position}"), |s| s.name.clone())
    }
}

/// The part of a case the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The current step's position.
    pub step: i32,
    /// Where the case is within the step.
    pub phase: Phase,
    /// The date the phase's clock started (filed, appealed, meeting, response).
    pub since: NaiveDate,
    /// What started it, for the explanation.
    pub since_reason: ClockStart,
    /// The date it was filed; nothing can happen before it.
    pub filed_on: NaiveDate,
    /// Open, or how it closed.
    pub status: Status,
    /// Voided as filed in error: nothing more happens on it.
    pub voided: bool,
}

/// What the next act is and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextDeadline {
    /// What must happen: "Step 1: management's response".
    pub act: String,
    /// The computed deadline.
    pub deadline: Deadline,
    /// How it was computed, in words.
    pub basis: String,
}

/// The next deadline of a case, or None when nothing is due (closed, or the
/// last step with no response limit).
pub fn next_deadline(state: &State, procedure: &Procedure) -> Option<NextDeadline> {
    if state.voided {
        return None;
    }
    match state.phase {
        Phase::Closed => None,
        Phase::AwaitingResponse => {
            let step = procedure.step(state.step)?;
            if step.response_days == 0 {
                return None;
            }
            let deadline = procedure.deadline(state.since, step.response_days, step.count);
            let basis = calendar::explain(
                &deadline,
                step.response_days,
                step.count,
                state.since,
                state.since_reason.as_str(),
            );
            Some(NextDeadline {
                act: format!("{}: management's response due", step.name),
                deadline,
                basis,
            })
        }
        Phase::AwaitingAppeal => {
            let next = procedure.step(state.step + 1)?;
            let deadline = procedure.deadline(state.since, next.filing_days, next.count);
            let basis = calendar::explain(
                &deadline,
                next.filing_days,
                next.count,
                state.since,
                state.since_reason.as_str(),
            );
            let act = if next.arbitration {
                format!("Demand arbitration ({})", next.name)
            } else {
                format!("Appeal to {}", next.name)
            };
            Some(NextDeadline {
                act,
                deadline,
                basis,
            })
        }
    }
}

/// "1 day", "3 days".
pub fn days_text(days: i64) -> String {
    if days == 1 {
        "1 day".to_owned()
    } else {
        format!("{days} days")
    }
}

/// How an agreed extension's explanation begins.
pub const EXTENDED: &str = "Extended by agreement";

/// A case's deadline as its row stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The last day on which the act is in time.
    pub on: NaiveDate,
    /// What is due.
    pub act: String,
    /// How it was computed, in words.
    pub basis: String,
}

/// The deadline a case carries once its unit's procedure or holidays
/// changed: counted again from the act that started its current phase
/// (the filing, the meeting, the response, the appeal). An agreed
/// extension stands, unless the new count comes out later still.
pub fn recount(state: &State, procedure: &Procedure, stored: Option<&Due>) -> Option<Due> {
    let next = next_deadline(state, procedure)?;
    let counted = Due {
        on: next.deadline.due,
        act: next.act,
        basis: next.basis,
    };
    match stored {
        Some(agreed) if agreed.basis.starts_with(EXTENDED) && agreed.on > counted.on => Some(Due {
            on: agreed.on,
            act: counted.act,
            basis: agreed.basis.clone(),
        }),
        _ => Some(counted),
    }
}

/// Why a deadline counted from `since` and falling by `until` moved when
/// the procedure went from `before` to `after`: the holidays added or
/// removed within that stretch, and whether the step limits changed.
pub fn why_moved(
    before: &Procedure,
    after: &Procedure,
    since: NaiveDate,
    until: NaiveDate,
) -> String {
    let within = |day: &NaiveDate| *day > since && *day <= until;
    let listed = |holidays: Vec<String>| holidays.join("; ");
    let changed = |from: &Procedure, to: &Procedure| -> Vec<String> {
        from.holidays
            .iter()
            .filter(|(day, _)| within(day) && !to.holidays.contains_key(*day))
            .map(|(day, name)| format!("{name}, {}", long_date(*day)))
            .collect()
    };
    let mut causes = Vec::new();
    for (holidays, one, many) in [
        (changed(after, before), "holiday added", "holidays added"),
        (
            changed(before, after),
            "holiday removed",
            "holidays removed",
        ),
    ] {
        match holidays.len() {
            0 => {}
            1 => causes.push(format!("{one} ({})", listed(holidays))),
            _ => causes.push(format!("{many} ({})", listed(holidays))),
        }
    }
    let limits = |p: &Procedure| -> Vec<(i32, u32, u32, DayCount, bool)> {
        p.steps
            .iter()
            .map(|s| {
                (
                    s.position,
                    s.filing_days,
                    s.response_days,
                    s.count,
                    s.arbitration,
                )
            })
            .collect()
    };
    if limits(before) != limits(after) {
        causes.push("the procedure's step limits changed".to_owned());
    }
    match (before.roll_forward, after.roll_forward) {
        (false, true) => causes.push(
            "the contract now moves a deadline on a weekend or holiday to the next business day"
                .to_owned(),
        ),
        (true, false) => causes.push(
            "a deadline on a weekend or holiday no longer moves to the next business day"
                .to_owned(),
        ),
        _ => {}
    }
    if causes.is_empty() {
        causes.push("the procedure changed".to_owned());
    }
    causes.join("; ")
}

/// The timeline's words for a deadline counted again: "Deadline moved
/// from Tue 15 Dec 2026 to Wed 16 Dec 2026: holiday added (…)."
pub fn moved_text(from: Option<NaiveDate>, to: Option<&Due>, cause: &str) -> String {
    match (from, to) {
        (Some(from), Some(to)) => format!(
            "Deadline moved from {} to {}: {cause}.",
            long_date(from),
            long_date(to.on)
        ),
        (None, Some(to)) => format!(
            "Deadline set: {}, by {}: {cause}.",
            to.act,
            long_date(to.on)
        ),
        (Some(from), None) => format!(
            "No deadline any more (it was {}): {cause}.",
            long_date(from)
        ),
        (None, None) => format!("No deadline: {cause}."),
    }
}

/// The timeline's words for a filing measured again against the first
/// step's limit: "The filing is now 1 day past the limit (…), not 2 days: …".
pub fn lateness_text(was: i64, now: i64, limit: NaiveDate, cause: &str) -> String {
    let limit = long_date(limit);
    match (was, now) {
        (was, 0) => format!(
            "The filing is now within the limit ({limit}), no longer {} late: {cause}.",
            days_text(was)
        ),
        (0, now) => format!(
            "The filing is now {} past the limit ({limit}): {cause}.",
            days_text(now)
        ),
        (was, now) => format!(
            "The filing is now {} past the limit ({limit}), not {}: {cause}.",
            days_text(now),
            days_text(was)
        ),
    }
}

/// The filing deadline from the incident, and how many days late a filing
/// on `filed_on` is (0 when in time, or when the violation continues, since
/// then every day is a fresh occurrence).
pub fn filing_lateness(
    incident: NaiveDate,
    filed_on: NaiveDate,
    continuing: bool,
    procedure: &Procedure,
) -> Option<(Deadline, i64)> {
    let first = procedure.steps.first()?;
    let deadline = procedure.deadline(incident, first.filing_days, first.count);
    let late = if continuing {
        0
    } else {
        calendar::days_between(deadline.due, filed_on).max(0)
    };
    Some((deadline, late))
}

/// Why an act does not fit the case, each beside the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActRefusal {
    /// The case was voided as filed in error.
    #[error("This grievance was voided as filed in error; nothing more is recorded on it.")]
    Voided,
    /// Dated after today.
    #[error("The date cannot be in the future.")]
    InFuture,
    /// The case is closed.
    #[error("This grievance is closed ({status}); it cannot be {}.", past_tense(*.act))]
    Closed {
        /// How it closed.
        status: Status,
        /// What was tried.
        act: Act,
    },
    /// Dated before the current phase began.
    #[error("The date cannot be before {} ({reason}).", long_date(*.since))]
    BeforePhase {
        /// When the phase began.
        since: NaiveDate,
        /// What began it.
        reason: ClockStart,
    },
    /// Filing, assignment, extensions and continuing violations have their
    /// own forms.
    #[error("That act is recorded with its own form.")]
    OwnForm,
    /// A meeting after management's answer.
    #[error("Management has already answered at this step; record an appeal or an outcome.")]
    AlreadyAnswered,
    /// A second response at the same step.
    #[error("Management's response at this step is already recorded.")]
    ResponseRecorded,
    /// An appeal from the last step.
    #[error("{step} is the last step of the procedure; there is nothing to appeal to.")]
    LastStep {
        /// The current step's name.
        step: String,
    },
    /// An appeal where the next step is arbitration.
    #[error("The next step is {next}: record \"arbitration demanded\" instead.")]
    DemandArbitration {
        /// The next step's name.
        next: String,
    },
    /// A demand for arbitration where the next step is not arbitration.
    #[error("The next step is {next}, not arbitration: record an appeal.")]
    AppealInstead {
        /// The next step's name.
        next: String,
    },
    /// An award before arbitration.
    #[error("An award comes only at arbitration.")]
    AwardBeforeArbitration,
}

impl FieldProblem for ActRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::InFuture | Self::BeforePhase { .. } => "act_date",
            _ => "act",
        }
    }
}

/// The case after `act` on `on`, or why the act does not fit.
pub fn apply(
    state: &State,
    act: Act,
    on: NaiveDate,
    today: NaiveDate,
    procedure: &Procedure,
) -> Result<State, ActRefusal> {
    if state.voided {
        return Err(ActRefusal::Voided);
    }
    if on > today {
        return Err(ActRefusal::InFuture);
    }
    if state.phase == Phase::Closed {
        return Err(ActRefusal::Closed {
            status: state.status,
            act,
        });
    }
    if on < state.since {
        return Err(ActRefusal::BeforePhase {
            since: state.since,
            reason: state.since_reason,
        });
    }
    let mut next = state.clone();
    match act {
        Act::Filed
        | Act::Assigned
        | Act::Extended
        | Act::ContinuingViolation
        | Act::DeadlineMoved
        | Act::Voided => {
            return Err(ActRefusal::OwnForm);
        }
        Act::MeetingHeld => {
            if state.phase != Phase::AwaitingResponse {
                return Err(ActRefusal::AlreadyAnswered);
            }
            // Contracts count the response time from the step meeting.
            next.since = on;
            next.since_reason = ClockStart::MeetingHeld;
        }
        Act::ResponseReceived => {
            if state.phase != Phase::AwaitingResponse {
                return Err(ActRefusal::ResponseRecorded);
            }
            next.phase = Phase::AwaitingAppeal;
            next.since = on;
            next.since_reason = ClockStart::ResponseReceived;
        }
        Act::Appealed | Act::ArbitrationDemanded => {
            let Some(target) = procedure.step(state.step + 1) else {
                return Err(ActRefusal::LastStep {
                    step: procedure.step_name(state.step),
                });
            };
            if target.arbitration && act == Act::Appealed {
                return Err(ActRefusal::DemandArbitration {
                    next: target.name.clone(),
                });
            }
            if !target.arbitration && act == Act::ArbitrationDemanded {
                return Err(ActRefusal::AppealInstead {
                    next: target.name.clone(),
                });
            }
            next.step = target.position;
            next.phase = Phase::AwaitingResponse;
            next.since = on;
            next.since_reason = if target.arbitration {
                ClockStart::ArbitrationDemanded
            } else {
                ClockStart::Appealed
            };
        }
        Act::Award => {
            if !procedure.step(state.step).is_some_and(|s| s.arbitration) {
                return Err(ActRefusal::AwardBeforeArbitration);
            }
            next.phase = Phase::Closed;
            next.status = Status::Award;
        }
        Act::Settled | Act::Withdrawn | Act::Denied | Act::Won => {
            next.phase = Phase::Closed;
            next.status = act.closes_as().unwrap_or(Status::Settled);
        }
    }
    Ok(next)
}

fn past_tense(act: Act) -> &'static str {
    match act {
        Act::Appealed => "appealed",
        Act::ArbitrationDemanded => "taken to arbitration",
        Act::MeetingHeld => "given a meeting",
        Act::ResponseReceived => "given a response",
        Act::Extended => "extended",
        _ => "changed",
    }
}

/// Why a case cannot be voided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoidRefusal {
    /// Voided already: a second voiding changes nothing.
    #[error("This grievance is already voided.")]
    AlreadyVoided,
    /// A closed case keeps its outcome in the reports.
    #[error(
        "This grievance is closed ({status}); a closed case keeps its outcome and cannot be voided."
    )]
    Closed {
        /// How it closed.
        status: Status,
    },
}

impl FieldProblem for VoidRefusal {
    fn field(&self) -> &'static str {
        "void_reason"
    }
}

/// Whether a case filed in error can be voided now: an open case, once.
pub fn void(state: &State) -> Result<(), VoidRefusal> {
    if state.voided {
        return Err(VoidRefusal::AlreadyVoided);
    }
    if state.status != Status::Open {
        return Err(VoidRefusal::Closed {
            status: state.status,
        });
    }
    Ok(())
}

/// Why a deadline cannot move to the date asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefusal {
    /// A voided case has no deadline.
    #[error("This grievance was voided as filed in error; there is no deadline to extend.")]
    Voided,
    /// A closed case has no deadline.
    #[error("This grievance is closed; there is no deadline to extend.")]
    Closed,
    /// Nothing is due.
    #[error("This case has no deadline to extend.")]
    NoDeadline,
    /// An extension only moves a deadline later.
    #[error("The new date must be after the current deadline, {}.", long_date(*.current))]
    NotLater {
        /// The deadline in force.
        current: NaiveDate,
    },
}

impl FieldProblem for ExtensionRefusal {
    fn field(&self) -> &'static str {
        "new_due"
    }
}

/// The deadline an agreed extension to `new_due` replaces, or why it does
/// not apply.
pub fn extension(
    current: Option<NaiveDate>,
    new_due: NaiveDate,
) -> Result<NaiveDate, ExtensionRefusal> {
    let current = current.ok_or(ExtensionRefusal::NoDeadline)?;
    if new_due <= current {
        return Err(ExtensionRefusal::NotLater { current });
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn procedure() -> Procedure {
        let step = |position, name: &str, filing, response, count, arbitration| Step {
            position,
            name: name.into(),
            filing_days: filing,
            response_days: response,
            count,
            arbitration,
        };
        Procedure {
            steps: vec![
                step(1, "Step 1", 30, 10, DayCount::Business, false),
                step(2, "Step 2", 10, 15, DayCount::Business, false),
                step(3, "Arbitration", 30, 0, DayCount::Calendar, true),
            ],
            holidays: UnitHolidays::new(),
            roll_forward: false,
        }
    }

    fn filed(on: NaiveDate) -> State {
        State {
            step: 1,
            phase: Phase::AwaitingResponse,
            since: on,
            since_reason: ClockStart::Filed,
            filed_on: on,
            status: Status::Open,
            voided: false,
        }
    }

    #[test]
    fn a_filed_case_waits_for_the_response_in_business_days() {
        let state = filed(d(2026, 11, 20));
        let next = next_deadline(&state, &procedure()).unwrap();
        // 23,24,25,(26),27,30,1,2,3,4,7 → Mon 7 Dec.
        assert_eq!(next.deadline.due, d(2026, 12, 7));
        assert_eq!(next.act, "Step 1: management's response due");
        assert!(next.basis.contains("Thanksgiving Day"), "{}", next.basis);
    }

    #[test]
    fn the_response_starts_the_appeal_clock_and_the_appeal_moves_the_step() {
        let p = procedure();
        let today = d(2026, 12, 31);
        let state = filed(d(2026, 11, 2));
        let state = apply(&state, Act::MeetingHeld, d(2026, 11, 9), today, &p).unwrap();
        assert_eq!(
            next_deadline(&state, &p).unwrap().deadline.due,
            d(2026, 11, 24)
        );
        let state = apply(&state, Act::ResponseReceived, d(2026, 11, 16), today, &p).unwrap();
        let next = next_deadline(&state, &p).unwrap();
        assert_eq!(next.act, "Appeal to Step 2");
        assert_eq!(next.deadline.due, d(2026, 12, 1));
        let state = apply(&state, Act::Appealed, d(2026, 11, 30), today, &p).unwrap();
        assert_eq!(state.step, 2);
        assert_eq!(state.phase, Phase::AwaitingResponse);
        let state = apply(&state, Act::ResponseReceived, d(2026, 12, 10), today, &p).unwrap();
        assert_eq!(
            apply(&state, Act::Appealed, d(2026, 12, 11), today, &p)
                .unwrap_err()
                .to_string(),
            "The next step is Arbitration: record \"arbitration demanded\" instead."
        );
        let state = apply(&state, Act::ArbitrationDemanded, d(2026, 12, 11), today, &p).unwrap();
        assert_eq!(state.step, 3);
        assert_eq!(next_deadline(&state, &p), None, "no limit on an award");
        let state = apply(&state, Act::Award, d(2026, 12, 30), today, &p).unwrap();
        assert_eq!((state.phase, state.status), (Phase::Closed, Status::Award));
    }

    #[test]
    fn a_settled_case_cannot_be_appealed() {
        let p = procedure();
        let today = d(2026, 12, 31);
        let state = apply(
            &filed(d(2026, 11, 2)),
            Act::Settled,
            d(2026, 11, 5),
            today,
            &p,
        )
        .unwrap();
        assert_eq!(
            apply(&state, Act::Appealed, d(2026, 11, 6), today, &p)
                .unwrap_err()
                .to_string(),
            "This grievance is closed (settled); it cannot be appealed."
        );
    }

    #[test]
    fn a_voided_case_takes_no_act_has_no_deadline_and_voids_once() {
        let p = procedure();
        let today = d(2026, 12, 31);
        let open = filed(d(2026, 11, 2));
        assert_eq!(void(&open), Ok(()));
        let voided = State {
            voided: true,
            ..open.clone()
        };
        assert_eq!(next_deadline(&voided, &p), None);
        for act in Act::RECORDABLE {
            assert_eq!(
                apply(&voided, act, d(2026, 11, 5), today, &p),
                Err(ActRefusal::Voided),
                "{act:?}"
            );
        }
        assert_eq!(void(&voided), Err(VoidRefusal::AlreadyVoided));
        let settled = apply(&open, Act::Settled, d(2026, 11, 5), today, &p).unwrap();
        assert_eq!(
            void(&settled).unwrap_err().to_string(),
            "This grievance is closed (settled); a closed case keeps its outcome and cannot be voided."
        );
    }

    #[test]
    fn dates_before_the_phase_or_in_the_future_are_refused() {
        let p = procedure();
        let today = d(2026, 11, 22);
        let state = filed(d(2026, 11, 10));
        assert!(
            apply(&state, Act::Settled, d(2026, 11, 9), today, &p)
                .unwrap_err()
                .to_string()
                .starts_with("The date cannot be before Tue 10 Nov 2026")
        );
        assert_eq!(
            apply(&state, Act::Settled, d(2026, 11, 23), today, &p).unwrap_err(),
            ActRefusal::InFuture
        );
    }

    #[test]
    fn a_new_holiday_recounts_an_open_deadline_and_an_agreed_one_stands() {
        // Business days: 10 from Tue 1 Dec 2026 end on Tue 15 Dec.
        let before = procedure();
        let state = filed(d(2026, 12, 1));
        let stored = recount(&state, &before, None).unwrap();
        assert_eq!(stored.on, d(2026, 12, 15));
        let mut after = before.clone();
        after
            .holidays
            .insert(d(2026, 12, 14), "Staff day".to_owned());
        let moved = recount(&state, &after, Some(&stored)).unwrap();
        assert_eq!(moved.on, d(2026, 12, 16));
        assert!(
            moved.basis.contains("Staff day (Mon 14 Dec 2026)"),
            "{}",
            moved.basis
        );
        let cause = why_moved(&before, &after, state.since, moved.on);
        assert_eq!(cause, "holiday added (Staff day, Mon 14 Dec 2026)");
        assert_eq!(
            moved_text(Some(stored.on), Some(&moved), &cause),
            "Deadline moved from Tue 15 Dec 2026 to Wed 16 Dec 2026: holiday added (Staff day, Mon 14 Dec 2026)."
        );
        // Taken away again, the deadline comes back.
        let back = recount(&state, &before, Some(&moved)).unwrap();
        assert_eq!(back.on, d(2026, 12, 15));
        assert_eq!(
            why_moved(&after, &before, state.since, moved.on),
            "holiday removed (Staff day, Mon 14 Dec 2026)"
        );
        // An agreed date later than the new count stands; an earlier one
        // gives way to it.
        let agreed = Due {
            on: d(2026, 12, 18),
            act: stored.act.clone(),
            basis: format!("{EXTENDED} with Dana HR"),
        };
        assert_eq!(recount(&state, &after, Some(&agreed)), Some(agreed.clone()));
        let short = Due {
            on: d(2026, 12, 15),
            ..agreed
        };
        assert_eq!(
            recount(&state, &after, Some(&short)).unwrap().on,
            d(2026, 12, 16)
        );
        // A holiday after the deadline, or a closed case, changes nothing.
        let mut later = before.clone();
        later.holidays.insert(d(2026, 12, 24), "Eve".to_owned());
        assert_eq!(recount(&state, &later, Some(&stored)), Some(stored));
        let closed = State {
            phase: Phase::Closed,
            status: Status::Settled,
            ..state
        };
        assert_eq!(recount(&closed, &after, None), None);
    }

    #[test]
    fn longer_step_limits_recount_from_the_act_that_started_the_phase() {
        let before = procedure();
        let today = d(2026, 12, 31);
        let state = filed(d(2026, 11, 2));
        let state = apply(&state, Act::MeetingHeld, d(2026, 11, 9), today, &before).unwrap();
        let stored = recount(&state, &before, None).unwrap();
        assert_eq!(
            stored.on,
            d(2026, 11, 24),
            "10 business days from the meeting"
        );
        let mut after = before.clone();
        after.steps[0].response_days = 12;
        let moved = recount(&state, &after, Some(&stored)).unwrap();
        assert_eq!(moved.on, d(2026, 11, 27), "12, past Thanksgiving");
        assert_eq!(
            why_moved(&before, &after, state.since, moved.on),
            "the procedure's step limits changed"
        );
    }

    #[test]
    fn the_roll_forward_option_moves_calendar_deadlines_only() {
        let step = |count| Step {
            position: 1,
            name: "Step 1".into(),
            filing_days: 30,
            response_days: 11,
            count,
            arbitration: false,
        };
        let under = |count, roll_forward| Procedure {
            steps: vec![step(count)],
            holidays: UnitHolidays::new(),
            roll_forward,
        };
        let state = filed(d(2026, 12, 1));
        let due = |p: &Procedure| next_deadline(&state, p).unwrap().deadline.due;
        // 11 calendar days end on Sat 12 Dec; rolled, Mon 14 Dec.
        assert_eq!(due(&under(DayCount::Calendar, false)), d(2026, 12, 12));
        let rolled = under(DayCount::Calendar, true);
        assert_eq!(due(&rolled), d(2026, 12, 14));
        assert!(next_deadline(&state, &rolled).unwrap().basis.ends_with(
            "the contract moves a deadline on a weekend or holiday to the next business day"
        ));
        // Business days are the same with the option or without.
        assert_eq!(
            due(&under(DayCount::Business, true)),
            due(&under(DayCount::Business, false))
        );
        // The filing limit too: 30 calendar days from Thu 12 Nov 2026 end
        // on Sat 12 Dec, so a filing on Mon 14 Dec is in time only when
        // the deadline rolls.
        let late = |p: &Procedure| {
            filing_lateness(d(2026, 11, 12), d(2026, 12, 14), false, p)
                .unwrap()
                .1
        };
        assert_eq!(late(&under(DayCount::Calendar, false)), 2);
        assert_eq!(late(&rolled), 0);
        assert_eq!(
            why_moved(
                &under(DayCount::Calendar, false),
                &rolled,
                state.since,
                d(2026, 12, 14)
            ),
            "the contract now moves a deadline on a weekend or holiday to the next business day"
        );
    }

    #[test]
    fn filing_late_counts_the_days_past_the_limit() {
        let p = procedure();
        // 30 business days from Thu 1 Oct 2026: Columbus Day (12 Oct),
        // Veterans Day (11 Nov) skipped → Mon 16 Nov.
        let (deadline, late) = filing_lateness(d(2026, 10, 1), d(2026, 11, 20), false, &p).unwrap();
        assert_eq!(deadline.due, d(2026, 11, 16));
        assert_eq!(late, 4);
        let (_, late) = filing_lateness(d(2026, 10, 1), d(2026, 11, 16), false, &p).unwrap();
        assert_eq!(late, 0);
        let (_, late) = filing_lateness(d(2026, 10, 1), d(2026, 11, 20), true, &p).unwrap();
        assert_eq!(late, 0, "a continuing violation is never late");
    }
}
