//! The words a case's row and timeline store for its state: whether it is
//! open or how it closed, where it stands within its step, what started
//! the step's clock, what kind of grievance it is, and each act. A word
//! the code does not know fails the read instead of passing as a default.

crate::db::text_enum::text_enum! {
    /// Whether a case is open, or how it closed.
    pub enum Status {
        /// Being pursued.
        Open = "open",
        /// Settled, with terms.
        Settled = "settled",
        /// Withdrawn by the union.
        Withdrawn = "withdrawn",
        /// Denied, and not taken further.
        Denied = "denied",
        /// Won at a step.
        Won = "won",
        /// Decided by an arbitrator's award.
        Award = "award",
    }
}

impl Status {
    /// How the status reads on pages and reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Settled => "Settled",
            Self::Withdrawn => "Withdrawn",
            Self::Denied => "Denied",
            Self::Won => "Won",
            Self::Award => "Decided by award",
        }
    }
}

crate::db::text_enum::text_enum! {
    /// Where a case stands within its step.
    pub enum Phase {
        /// Filed or appealed at this step; management's answer is awaited.
        AwaitingResponse = "awaiting_response",
        /// Management answered; the union decides whether to appeal.
        AwaitingAppeal = "awaiting_appeal",
        /// Settled, withdrawn, denied, won or decided by award.
        Closed = "closed",
    }
}

crate::db::text_enum::text_enum! {
    /// What started the current phase's clock, as a deadline's
    /// explanation names it.
    pub enum ClockStart {
        /// The case was filed.
        Filed = "filed",
        /// A step meeting took place.
        MeetingHeld = "meeting held",
        /// Management answered.
        ResponseReceived = "response received",
        /// The union appealed.
        Appealed = "appealed",
        /// The union demanded arbitration.
        ArbitrationDemanded = "arbitration demanded",
    }
}

crate::db::text_enum::text_enum! {
    /// Whom a grievance is for.
    pub enum Kind {
        /// One member.
        Individual = "individual",
        /// Several named members.
        Group = "group",
        /// Everyone in a described class.
        Class = "class",
    }
}

crate::db::text_enum::text_enum! {
    /// Every act on a case's timeline.
    pub enum Act {
        /// The grievance was filed.
        Filed = "filed",
        /// A steward was assigned.
        Assigned = "assigned",
        /// A step meeting with management took place.
        MeetingHeld = "meeting_held",
        /// Management answered at this step.
        ResponseReceived = "response_received",
        /// The union appealed to the next step.
        Appealed = "appealed",
        /// The union demanded arbitration.
        ArbitrationDemanded = "arbitration_demanded",
        /// Settled, with terms.
        Settled = "settled",
        /// Withdrawn by the union.
        Withdrawn = "withdrawn",
        /// Denied, and not taken further.
        Denied = "denied",
        /// Won at a step.
        Won = "won",
        /// An arbitrator's award.
        Award = "award",
        /// A deadline moved by mutual agreement.
        Extended = "extended",
        /// Marked (or unmarked) as a continuing violation.
        ContinuingViolation = "continuing_violation",
        /// The deadline was counted again after the unit's holidays or
        /// procedure changed.
        DeadlineMoved = "deadline_moved",
        /// Voided as filed in error: the case leaves every list.
        Voided = "voided",
    }
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
            Self::DeadlineMoved => "Deadline moved",
            Self::Voided => "Voided",
        }
    }

    /// The status a closing act leaves the case in.
    pub fn closes_as(self) -> Option<Status> {
        match self {
            Self::Settled => Some(Status::Settled),
            Self::Withdrawn => Some(Status::Withdrawn),
            Self::Denied => Some(Status::Denied),
            Self::Won => Some(Status::Won),
            Self::Award => Some(Status::Award),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip_and_strays_are_refused() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(*status));
        }
        assert!(
            "closed".parse::<Status>().is_err(),
            "a phase is not a status"
        );
        assert!("Open".parse::<Status>().is_err());
        assert_eq!("meeting held".parse(), Ok(ClockStart::MeetingHeld));
        assert!("meeting_held".parse::<ClockStart>().is_err());
    }

    #[test]
    fn only_outcomes_close_a_case() {
        let closing: Vec<Act> = Act::ALL
            .iter()
            .copied()
            .filter(|a| a.closes_as().is_some())
            .collect();
        assert_eq!(
            closing,
            [
                Act::Settled,
                Act::Withdrawn,
                Act::Denied,
                Act::Won,
                Act::Award
            ]
        );
        assert!(Act::RECORDABLE.iter().all(|a| *a != Act::Filed));
    }
}
