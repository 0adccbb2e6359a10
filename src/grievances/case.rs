//! The rules of a case: which act fits which step and phase, and the
//! deadline for the next act. Pure functions of the procedure and the
//! case's state, so every rule is tested without a database.

use chrono::NaiveDate;

use super::calendar::{self, DayCount, Deadline, UnitHolidays};

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

/// A unit's procedure: its steps in order, and its own holidays.
#[derive(Debug, Clone, Default)]
pub struct Procedure {
    /// Ordered by position, starting at 1.
    pub steps: Vec<Step>,
    /// Days off under the contract besides the federal holidays.
    pub holidays: UnitHolidays,
}

impl Procedure {
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

/// Where a case stands within its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Filed or appealed at this step; management's answer is awaited.
    AwaitingResponse,
    /// Management answered; the union decides whether to appeal.
    AwaitingAppeal,
    /// Settled, withdrawn, denied, won or decided by award.
    Closed,
}

impl Phase {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingResponse => "awaiting_response",
            Self::AwaitingAppeal => "awaiting_appeal",
            Self::Closed => "closed",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "awaiting_response" => Some(Self::AwaitingResponse),
            "awaiting_appeal" => Some(Self::AwaitingAppeal),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Every act on a case's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// The grievance was filed.
    Filed,
    /// A steward was assigned.
    Assigned,
    /// A step meeting with management took place.
    MeetingHeld,
    /// Management answered at this step.
    ResponseReceived,
    /// The union appealed to the next step.
    Appealed,
    /// The union demanded arbitration.
    ArbitrationDemanded,
    /// Settled, with terms.
    Settled,
    /// Withdrawn by the union.
    Withdrawn,
    /// Denied, and not taken further.
    Denied,
    /// Won at a step.
    Won,
    /// An arbitrator's award.
    Award,
    /// A deadline moved by mutual agreement.
    Extended,
    /// Marked (or unmarked) as a continuing violation.
    ContinuingViolation,
}

impl Act {
    /// The acts a steward records from the case page, in the order offered.
    pub const RECORDABLE: [Act; 9] = [
        Act::MeetingHeld,
        Act::ResponseReceived,
        Act::Appealed,
        Act::ArbitrationDemanded,
        Act::Settled,
        Act::Won,
        Act::Denied,
        Act::Withdrawn,
        Act::Award,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Assigned => "assigned",
            Self::MeetingHeld => "meeting_held",
            Self::ResponseReceived => "response_received",
            Self::Appealed => "appealed",
            Self::ArbitrationDemanded => "arbitration_demanded",
            Self::Settled => "settled",
            Self::Withdrawn => "withdrawn",
            Self::Denied => "denied",
            Self::Won => "won",
            Self::Award => "award",
            Self::Extended => "extended",
            Self::ContinuingViolation => "continuing_violation",
        }
    }

    /// What people read on the timeline.
    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "Filed",
            Self::Assigned => "Steward assigned",
            Self::MeetingHeld => "Meeting held",
            Self::ResponseReceived => "Management's response received",
            Self::Appealed => "Appealed",
            Self::ArbitrationDemanded => "Arbitration demanded",
            Self::Settled => "Settled",
            Self::Withdrawn => "Withdrawn",
            Self::Denied => "Denied",
            Self::Won => "Won",
            Self::Award => "Arbitration award",
            Self::Extended => "Deadline extended",
            Self::ContinuingViolation => "Continuing violation",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Filed,
            Self::Assigned,
            Self::MeetingHeld,
            Self::ResponseReceived,
            Self::Appealed,
            Self::ArbitrationDemanded,
            Self::Settled,
            Self::Withdrawn,
            Self::Denied,
            Self::Won,
            Self::Award,
            Self::Extended,
            Self::ContinuingViolation,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }

    /// The status a closing act leaves the case in.
    pub fn closes_as(self) -> Option<&'static str> {
        match self {
            Self::Settled => Some("settled"),
            Self::Withdrawn => Some("withdrawn"),
            Self::Denied => Some("denied"),
            Self::Won => Some("won"),
            Self::Award => Some("award"),
            _ => None,
        }
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
    /// What started it, for the explanation: "filed", "appealed".
    pub since_reason: String,
    /// The date it was filed; nothing can happen before it.
    pub filed_on: NaiveDate,
    /// "open" or how it closed.
    pub status: String,
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
    match state.phase {
        Phase::Closed => None,
        Phase::AwaitingResponse => {
            let step = procedure.step(state.step)?;
            if step.response_days == 0 {
                return None;
            }
            let deadline = calendar::add_days(
                state.since,
                step.response_days,
                step.count,
                &procedure.holidays,
            );
            let basis = calendar::explain(
                &deadline,
                step.response_days,
                step.count,
                state.since,
                &state.since_reason,
            );
            Some(NextDeadline {
                act: format!("{}: management's response due", step.name),
                deadline,
                basis,
            })
        }
        Phase::AwaitingAppeal => {
            let next = procedure.step(state.step + 1)?;
            let deadline = calendar::add_days(
                state.since,
                next.filing_days,
                next.count,
                &procedure.holidays,
            );
            let basis = calendar::explain(
                &deadline,
                next.filing_days,
                next.count,
                state.since,
                &state.since_reason,
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
    let deadline = calendar::add_days(
        incident,
        first.filing_days,
        first.count,
        &procedure.holidays,
    );
    let late = if continuing {
        0
    } else {
        calendar::days_between(deadline.due, filed_on).max(0)
    };
    Some((deadline, late))
}

/// The case after `act` on `on`, or why the act does not fit.
pub fn apply(
    state: &State,
    act: Act,
    on: NaiveDate,
    today: NaiveDate,
    procedure: &Procedure,
) -> Result<State, String> {
    if on > today {
        return Err("The date cannot be in the future.".into());
    }
    if state.phase == Phase::Closed {
        return Err(format!(
            "This grievance is closed ({}); it cannot be {}.",
            state.status,
            past_tense(act)
        ));
    }
    if on < state.since {
        return Err(format!(
            "The date cannot be before {} ({}).",
            crate::clock::long_date(state.since),
            state.since_reason
        ));
    }
    let mut next = state.clone();
    match act {
        Act::Filed | Act::Assigned | Act::Extended | Act::ContinuingViolation => {
            return Err("That act is recorded with its own form.".into());
        }
        Act::MeetingHeld => {
            if state.phase != Phase::AwaitingResponse {
                return Err(
                    "Management has already answered at this step; record an appeal or an outcome."
                        .into(),
                );
            }
            // Contracts count the response time from the step meeting.
            next.since = on;
            next.since_reason = "meeting held".into();
        }
        Act::ResponseReceived => {
            if state.phase != Phase::AwaitingResponse {
                return Err("Management's response at this step is already recorded.".into());
            }
            next.phase = Phase::AwaitingAppeal;
            next.since = on;
            next.since_reason = "response received".into();
        }
        Act::Appealed | Act::ArbitrationDemanded => {
            let Some(target) = procedure.step(state.step + 1) else {
                return Err(format!(
                    "{} is the last step of the procedure; there is nothing to appeal to.",
                    procedure.step_name(state.step)
                ));
            };
            if target.arbitration && act == Act::Appealed {
                return Err(format!(
                    "The next step is {}: record \"arbitration demanded\" instead.",
                    target.name
                ));
            }
            if !target.arbitration && act == Act::ArbitrationDemanded {
                return Err(format!(
                    "The next step is {}, not arbitration: record an appeal.",
                    target.name
                ));
            }
            next.step = target.position;
            next.phase = Phase::AwaitingResponse;
            next.since = on;
            next.since_reason = if target.arbitration {
                "arbitration demanded".into()
            } else {
                "appealed".into()
            };
        }
        Act::Award => {
            if !procedure.step(state.step).is_some_and(|s| s.arbitration) {
                return Err("An award comes only at arbitration.".into());
            }
            next.phase = Phase::Closed;
            next.status = "award".into();
        }
        Act::Settled | Act::Withdrawn | Act::Denied | Act::Won => {
            next.phase = Phase::Closed;
            next.status = act.closes_as().unwrap_or("closed").into();
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
        }
    }

    fn filed(on: NaiveDate) -> State {
        State {
            step: 1,
            phase: Phase::AwaitingResponse,
            since: on,
            since_reason: "filed".into(),
            filed_on: on,
            status: "open".into(),
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
            apply(&state, Act::Appealed, d(2026, 12, 11), today, &p).unwrap_err(),
            "The next step is Arbitration: record \"arbitration demanded\" instead."
        );
        let state = apply(&state, Act::ArbitrationDemanded, d(2026, 12, 11), today, &p).unwrap();
        assert_eq!(state.step, 3);
        assert_eq!(next_deadline(&state, &p), None, "no limit on an award");
        let state = apply(&state, Act::Award, d(2026, 12, 30), today, &p).unwrap();
        assert_eq!(
            (state.phase, state.status.as_str()),
            (Phase::Closed, "award")
        );
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
            apply(&state, Act::Appealed, d(2026, 11, 6), today, &p).unwrap_err(),
            "This grievance is closed (settled); it cannot be appealed."
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
                .starts_with("The date cannot be before Tue 10 Nov 2026")
        );
        assert_eq!(
            apply(&state, Act::Settled, d(2026, 11, 23), today, &p).unwrap_err(),
            "The date cannot be in the future."
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
