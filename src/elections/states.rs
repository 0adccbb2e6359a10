//! The words an election's rows store for where things stand, as enums: an
//! unknown word read back is an error, never a silent default. `Phase` is
//! what a page shows: the stored status read against the clock, so a page
//! never has to write to show an election that is due to move on.

use chrono::NaiveDateTime;

use crate::db::text_enum::text_enum;

text_enum! {
    /// Where an election stands, as stored.
    pub enum Status {
        /// Being written; only officers see it.
        Draft = "draft",
        /// The roll is drawn and open to challenges.
        Published = "published",
        /// The roll is frozen and ballots are taken.
        Open = "open",
        /// Counted, with the certified result stored.
        Closed = "closed",
    }
}

text_enum! {
    /// What a question asks for.
    pub enum QuestionKind {
        /// Yes or no; only such a question may adopt a dues rate.
        YesNo = "yes_no",
        /// One choice among several.
        Choice = "choice",
    }
}

text_enum! {
    /// What a challenge to the roll asks.
    pub enum ChallengeKind {
        /// Put a member on the roll.
        Add = "add",
        /// Take a member off it.
        Remove = "remove",
    }
}

text_enum! {
    /// Where a challenge to the roll stands.
    pub enum ChallengeStatus {
        /// Waiting for an officer.
        Open = "open",
        /// Decided for the challenger; the roll changed.
        Upheld = "upheld",
        /// Decided against, or left open when the roll froze.
        Rejected = "rejected",
    }
}

text_enum! {
    /// How a member took part.
    pub enum Method {
        /// Through the ballot page.
        Online = "online",
        /// On paper, recorded by an officer.
        Paper = "paper",
    }
}

/// Where an election stands at a moment: its stored status read against
/// the clock. The stored status catches up when the clock job, or the next
/// act that needs it, moves the election on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Being written.
    Draft,
    /// The roll is published and may be challenged.
    Challenges,
    /// Past the opening time, but the trustees have not made the key yet.
    AwaitingKey,
    /// Ballots are taken.
    Voting,
    /// Past the closing time, waiting for the count to be stored.
    Counting,
    /// Closed, with its certified result.
    Closed {
        /// The roll, participation and ballots are gone; the result stays.
        purged: bool,
    },
}

impl Phase {
    /// The phase of an election with this stored status and these times.
    pub fn of(
        status: Status,
        opens_at: NaiveDateTime,
        closes_at: NaiveDateTime,
        purged: bool,
        now: NaiveDateTime,
    ) -> Self {
        match status {
            Status::Draft => Self::Draft,
            Status::Closed => Self::Closed { purged },
            _ if now >= closes_at => Self::Counting,
            Status::Published if now < opens_at => Self::Challenges,
            Status::Published | Status::Open => Self::Voting,
        }
    }

    /// How the phase reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Challenges => "Roll published for challenges",
            Self::AwaitingKey => "Waiting for the trustees to make the election key",
            Self::Voting => "Voting open",
            Self::Counting => "Voting closed; waiting for the trustees to decrypt the result",
            Self::Closed { purged: false } => "Closed",
            Self::Closed { purged: true } => "Closed; records purged",
        }
    }

    /// Ballots are being taken, or have been: turnout means something.
    pub fn has_turnout(self) -> bool {
        matches!(self, Self::Voting | Self::Counting | Self::Closed { .. })
    }

    /// The result is stored.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Closed { .. })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::{Phase, Status};

    #[test]
    fn the_clock_moves_the_phase_before_the_row_catches_up() {
        let opens = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let closes = opens + Duration::hours(8);
        let at = |status, now| Phase::of(status, opens, closes, false, now);
        let before = opens - Duration::minutes(1);
        assert_eq!(at(Status::Draft, closes), Phase::Draft);
        assert_eq!(at(Status::Published, before), Phase::Challenges);
        assert_eq!(at(Status::Published, opens), Phase::Voting);
        assert_eq!(at(Status::Open, before), Phase::Voting);
        assert_eq!(at(Status::Open, closes), Phase::Counting);
        assert_eq!(at(Status::Published, closes), Phase::Counting);
        assert_eq!(at(Status::Closed, before), Phase::Closed { purged: false });
    }

    #[test]
    fn an_unknown_stored_word_is_refused() {
        assert!("opened".parse::<Status>().is_err());
        assert_eq!("open".parse::<Status>(), Ok(Status::Open));
    }
}
