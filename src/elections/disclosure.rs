//! When officers may see, person by person, who took part in a vote.
//!
//! The rule: before the close, officers see who has not voted yet (so they
//! can remind them) and never a list of who has. After the close, who voted
//! is listed only when, on every question, the counted ballots split so that
//! even a voter who knows their own choice cannot work out anyone else's:
//! taking away any one ballot must leave votes for at least two choices.
//! That holds when three or more choices received votes, or two choices
//! received at least two votes each. A unanimous result, or one where a
//! choice has a single vote against a single other (1–1, 1–3), fails it:
//! knowing who voted would tell how they voted.

/// Whether one question's counts hide every individual choice from someone
/// who knows who voted and how they voted themselves.
pub fn question_hides_choices(counts: &[i64]) -> bool {
    let with_votes: Vec<i64> = counts.iter().copied().filter(|c| *c > 0).collect();
    match with_votes.len() {
        0 | 1 => false,
        2 => with_votes.iter().all(|c| *c >= 2),
        _ => true,
    }
}

/// Whether who voted may be listed after the close: every question's
/// counts hide every individual choice.
pub fn may_list_voters_after_close(tallies: &[Vec<i64>]) -> bool {
    !tallies.is_empty() && tallies.iter().all(|counts| question_hides_choices(counts))
}

/// What the officer's page says when it does not list who voted.
pub const WITHHELD: &str = "Who voted is not listed: with this result, knowing who voted \
                            would tell how someone voted.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edges_of_the_rule() {
        assert!(
            !question_hides_choices(&[0, 2]),
            "two eligible, both voted no"
        );
        assert!(!question_hides_choices(&[5, 0]), "unanimous");
        assert!(
            !question_hides_choices(&[1, 1]),
            "each knows the other's vote"
        );
        assert!(
            !question_hides_choices(&[1, 3]),
            "the lone yes knows the rest"
        );
        assert!(question_hides_choices(&[2, 2]));
        assert!(
            question_hides_choices(&[1, 1, 1]),
            "three choices with votes"
        );
        assert!(!question_hides_choices(&[]));
        assert!(may_list_voters_after_close(&[vec![2, 3], vec![1, 1, 4]]));
        assert!(
            !may_list_voters_after_close(&[vec![2, 3], vec![0, 5]]),
            "one unanimous question is enough to withhold the list"
        );
        assert!(!may_list_voters_after_close(&[]));
    }

    /// Every way `voters` people can choose among `choices`.
    fn assignments(voters: usize, choices: usize) -> Vec<Vec<usize>> {
        let mut all = vec![Vec::new()];
        for _ in 0..voters {
            all = all
                .into_iter()
                .flat_map(|prefix| {
                    (0..choices).map(move |c| {
                        let mut next = prefix.clone();
                        next.push(c);
                        next
                    })
                })
                .collect();
        }
        all
    }

    fn tally(assignment: &[usize], choices: usize) -> Vec<i64> {
        let mut counts = vec![0; choices];
        for c in assignment {
            counts[*c] += 1;
        }
        counts
    }

    /// Whether someone who knows who voted, the counts, and (as voter
    /// `insider`, when given) their own choice, can tell voter `target`'s
    /// choice: every assignment consistent with what they know gives the
    /// target the same choice.
    fn reveals(actual: &[usize], choices: usize, insider: Option<usize>, target: usize) -> bool {
        let counts = tally(actual, choices);
        let mut seen = None;
        for candidate in assignments(actual.len(), choices) {
            if tally(&candidate, choices) != counts {
                continue;
            }
            if insider.is_some_and(|i| candidate[i] != actual[i]) {
                continue;
            }
            match seen {
                None => seen = Some(candidate[target]),
                Some(c) if c != candidate[target] => return false,
                Some(_) => {}
            }
        }
        true
    }

    #[test]
    fn by_brute_force_the_rule_hides_every_choice_exactly_when_it_says_so() {
        for voters in 1..=5 {
            for choices in 2..=3 {
                for actual in assignments(voters, choices) {
                    let counts = tally(&actual, choices);
                    let mut anyone_revealed = false;
                    for target in 0..voters {
                        let insiders = std::iter::once(None)
                            .chain((0..voters).filter(|i| *i != target).map(Some));
                        for insider in insiders {
                            anyone_revealed |= reveals(&actual, choices, insider, target);
                        }
                    }
                    assert_eq!(
                        question_hides_choices(&counts),
                        !anyone_revealed,
                        "{voters} voters, counts {counts:?}"
                    );
                }
            }
        }
    }
}
