//! What a member may see of a unit's salaries: the one place that decides.
//!
//! The rule, in one paragraph (the comparison page says it to members in
//! one sentence):
//!
//! A member sees other people's pay only through figures worked from each
//! person's pay put into its $1,000 band ($X,000.00 to $X,999.99, taken at
//! its middle), over the groups the small-group rule allows (a
//! classification of at least three people apart, the rest together, no
//! group under three, the whole unit always covered): each group's and the
//! unit's headcount and average pay now, and how many of each are on either
//! side of a scenario's lines (below its floor, going backward after
//! premiums, rent-burdened or severely so before and after, and in each
//! band of net change). What the floors add is for officers only, however
//! many people it concerns: the cost to bring people to the floor, the cost
//! over payroll, and payroll, averages and real change after a scenario all
//! move cent for cent with the pay of whoever a floor lifts, so one
//! scenario with one person under a floor gives their pay away. Hence every
//! figure a member sees, of any number of scenarios, stays the same when a
//! protected person's pay moves anywhere within its band, even to someone
//! who knows everyone else's pay to the cent: no member learns a
//! colleague's pay more closely than its $1,000 band, and a count says only
//! how many of a group of three or more are in which band, not who. Their
//! own line, from their own pay, is theirs in full.
//!
//! Why bands rather than exact counts shown only when both sides of a line
//! have three people: whether a count is shown is itself a figure, so a
//! run of floors a dollar apart would still find the third-lowest salary;
//! and exact counts beside exact averages pin pay down whenever people sit
//! on a line or a band's edge (three people at round thousands, with their
//! bands known, have exactly the average of the bands' bottoms). Working
//! every figure from the same bands leaves nothing finer to combine. Floors
//! and rent lines at whole thousands, as they usually are, still count
//! exactly; a line inside a band counts its people by the band's middle.

use super::calc::{self, Outcome, Person, References, Row, SMALLEST_GROUP, Terms};
use super::charts;
use crate::money::{Cents, div_round_half_up};

/// The width of a pay band.
pub const BAND: Cents = Cents(100_000);

/// Averages a member sees are rounded to this, so they do not look finer
/// than the bands they come from.
const AVERAGE_TO: i64 = 10_000;

/// The middle of the band `salary` is in.
pub fn banded(salary: Cents) -> Cents {
    Cents(salary.0.div_euclid(BAND.0) * BAND.0 + BAND.0 / 2)
}

/// One group as a member sees it: counts and the average now, all from
/// banded pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberGroup {
    pub label: String,
    pub headcount: usize,
    /// The average of the group's banded pay now, to the nearest $100.
    pub average_now: Cents,
    pub below_floor: usize,
    pub backward: usize,
    pub burdened_before: usize,
    pub burdened_after: usize,
    pub severe_before: usize,
    pub severe_after: usize,
    /// Below the living wage now and after: counts of banded pay, like
    /// the floor's; what lifting them costs is for officers only.
    pub below_living_before: usize,
    pub below_living_after: usize,
}

impl MemberGroup {
    fn of(g: &calc::Group) -> Self {
        let average = i64::try_from(div_round_half_up(
            i128::from(g.mean_before.0),
            i128::from(AVERAGE_TO),
        ))
        .unwrap_or(0)
            * AVERAGE_TO;
        Self {
            label: g.label.clone(),
            headcount: g.headcount,
            average_now: Cents(average),
            below_floor: g.below_floor,
            backward: g.backward,
            burdened_before: g.burdened_before,
            burdened_after: g.burdened_after,
            severe_before: g.severe_before,
            severe_after: g.severe_after,
            below_living_before: g.below_living_before,
            below_living_after: g.below_living_after,
        }
    }
}

/// One scenario as a member sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberScenario {
    /// The whole unit; `None` when it has fewer than three people.
    pub unit: Option<MemberGroup>,
    /// The groups the small-group rule allows, covering the unit.
    pub groups: Vec<MemberGroup>,
    /// How many people fall in each band of net change (`charts::NET_BANDS`);
    /// `None` with the unit.
    pub net_bands: Option<[usize; 5]>,
    /// The member's own line, from their own pay.
    pub own: Option<Row>,
}

/// Everything a member sees of `scenarios` over `people`; `own` is the
/// member's roster id. Pages, charts and CSV files for members are drawn
/// from this and from nothing else that depends on pay.
pub fn member_view(
    people: &[Person],
    scenarios: &[Terms],
    refs: &References,
    own: Option<i64>,
) -> Vec<MemberScenario> {
    let banded_people: Vec<Person> = people
        .iter()
        .map(|p| Person {
            salary: banded(p.salary),
            ..p.clone()
        })
        .collect();
    let mine = own.and_then(|id| people.iter().find(|p| p.member_id == id));
    let visible = people.len() >= SMALLEST_GROUP;
    scenarios
        .iter()
        .map(|terms| {
            let outcome: Outcome = calc::compute(&banded_people, terms, refs);
            MemberScenario {
                unit: visible.then(|| MemberGroup::of(&outcome.unit)),
                groups: calc::public_groups(&outcome)
                    .iter()
                    .map(MemberGroup::of)
                    .collect(),
                net_bands: visible.then(|| charts::net_counts(&outcome)),
                own: mine.map(|p| calc::row(p, terms, refs)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use proptest::prelude::*;

    const CLASSES: [&str; 4] = ["A", "B", "C", "D"];

    /// Pay as rosters have it: round thousands, round hundreds, or cents.
    fn any_salary() -> impl Strategy<Value = i64> {
        prop_oneof![
            (40i64..90).prop_map(|k| k * 100_000),
            (400i64..900).prop_map(|h| h * 10_000),
            4_000_000i64..9_000_000,
        ]
    }

    /// A small unit: 3 to 9 people in up to four classifications.
    fn any_unit() -> impl Strategy<Value = Vec<Person>> {
        proptest::collection::vec((0usize..4, any_salary()), 3..10).prop_map(|people| {
            people
                .into_iter()
                .enumerate()
                .map(|(i, (class, salary))| Person {
                    member_id: i64::try_from(i).unwrap_or(0) + 1,
                    name: format!("P{i}"),
                    classification: CLASSES[class].into(),
                    salary: Cents(salary),
                })
                .collect()
        })
    }

    /// A scenario with floors in the unit's range, so that one person, a
    /// few or none fall below them.
    fn any_terms() -> impl Strategy<Value = Terms> {
        (
            -200i64..800,
            prop_oneof![Just(0i64), 0i64..200_000],
            -5_000i64..40_000,
            proptest::collection::vec(proptest::option::of(any_salary()), 4),
        )
            .prop_map(|(raise_bp, flat, premium, floors)| Terms {
                raise_bp,
                flat_raise: Cents(flat),
                premium_monthly: Cents(premium),
                floors: CLASSES
                    .iter()
                    .zip(floors)
                    .filter_map(|(c, f)| f.map(|f| ((*c).to_owned(), Cents(f))))
                    .collect::<BTreeMap<_, _>>(),
            })
    }

    fn any_refs() -> impl Strategy<Value = References> {
        (
            proptest::option::of(100_000i64..350_000),
            proptest::option::of(0i64..900),
            proptest::option::of(any_salary()),
        )
            .prop_map(|(rent, cpi, living)| References {
                rent_monthly: rent.map(Cents),
                cpi_bp: cpi,
                living_wage: living.map(Cents),
            })
    }

    fn with_salary(people: &[Person], changes: &[(usize, i64)]) -> Vec<Person> {
        let mut people = people.to_vec();
        for (i, delta) in changes {
            people[*i].salary = Cents(people[*i].salary.0 + delta);
        }
        people
    }

    /// The people a member may not single out: everyone but themselves,
    /// with the public group each is counted in.
    fn protected(people: &[Person], terms: &Terms, viewer: usize) -> Vec<(usize, String)> {
        let outcome = calc::compute(people, terms, &References::default());
        let groups = calc::public_groups(&outcome);
        let class_of = |class: &str| {
            groups
                .iter()
                .find(|g| g.label == class)
                .map_or(calc::OTHER_GROUP.to_owned(), |g| g.label.clone())
        };
        people
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != viewer)
            .map(|(i, p)| (i, class_of(&p.classification)))
            .collect()
    }

    /// The module docs' example in `calc`, as a member sees it: the same
    /// counts as the officers' (every line falls between bands), and the
    /// average of the bands' middles.
    #[test]
    fn a_member_sees_the_hand_worked_example_through_bands() {
        let person = |id: i64, class: &str, dollars: i64| Person {
            member_id: id,
            name: format!("Person {id}"),
            classification: class.into(),
            salary: Cents(dollars * 100),
        };
        let people = [
            person(1, "Analyst", 50_000),
            person(2, "Analyst", 58_250),
            person(3, "Analyst", 64_000),
            person(4, "Organizer", 52_500),
            person(5, "Organizer", 120_000),
        ];
        let terms = Terms {
            raise_bp: 300,
            flat_raise: Cents(0),
            premium_monthly: Cents(25_000),
            floors: BTreeMap::from([
                ("Analyst".to_owned(), Cents(5_973_700)),
                ("Organizer".to_owned(), Cents(5_500_000)),
            ]),
        };
        let refs = References {
            rent_monthly: Some(Cents(280_000)),
            cpi_bp: Some(500),
            living_wage: None,
        };
        let view = member_view(&people, std::slice::from_ref(&terms), &refs, Some(2));
        let unit = view[0].unit.clone().unwrap();
        let exact = calc::compute(&people, &terms, &refs).unit;
        assert_eq!(
            (unit.headcount, unit.below_floor, unit.backward),
            (exact.headcount, exact.below_floor, exact.backward)
        );
        assert_eq!(
            (unit.burdened_after, unit.severe_after),
            (exact.burdened_after, exact.severe_after)
        );
        // ($50,500 + $58,500 + $64,500 + $52,500 + $120,500) ÷ 5.
        assert_eq!(unit.average_now, Cents(6_930_000));
        // The two Organizers are not shown apart.
        assert_eq!(view[0].groups.len(), 1);
        assert_eq!(view[0].groups[0].label, calc::OTHER_GROUP);
        // Ben's own line is his, to the cent.
        let own = view[0].own.clone().unwrap();
        assert_eq!(own.new_salary, Cents(5_999_750));
        assert_eq!(banded(Cents(5_825_000)), Cents(5_850_000));
        assert_eq!(banded(Cents(5_899_999)), Cents(5_850_000));
        assert_eq!(banded(Cents(5_900_000)), Cents(5_950_000));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The rule itself: a protected person's pay moved anywhere within
        /// its band, even with everyone else's pay known, changes nothing a
        /// member sees of any scenario.
        #[test]
        fn a_protected_salary_anywhere_in_its_band_leaves_every_member_figure_the_same(
            people in any_unit(),
            scenarios in proptest::collection::vec(any_terms(), 1..5),
            refs in any_refs(),
            viewer in any::<proptest::sample::Index>(),
            who in any::<proptest::sample::Index>(),
            within in 0i64..BAND.0,
        ) {
            let viewer = viewer.index(people.len());
            let j = who.index(people.len() - 1);
            let j = if j >= viewer { j + 1 } else { j };
            let own = Some(people[viewer].member_id);
            let seen = member_view(&people, &scenarios, &refs, own);
            let bottom = people[j].salary.0.div_euclid(BAND.0) * BAND.0;
            for moved in [bottom, bottom + within, bottom + BAND.0 - 1] {
                let changed = with_salary(&people, &[(j, moved - people[j].salary.0)]);
                prop_assert_eq!(&member_view(&changed, &scenarios, &refs, own), &seen);
            }
        }

        /// The attacker's brute force: for each protected person, try other
        /// salaries near theirs (alone, or with someone else in their group
        /// moved the other way so every published total stays put) and see
        /// whether any fits every figure the member saw of every scenario.
        /// If none does, the figures pin that salary down.
        #[test]
        fn no_protected_salary_is_pinned_down_by_what_a_member_sees(
            people in any_unit(),
            scenarios in proptest::collection::vec(any_terms(), 2..5),
            refs in any_refs(),
            viewer in any::<proptest::sample::Index>(),
        ) {
            let viewer = viewer.index(people.len());
            let own = Some(people[viewer].member_id);
            let seen = member_view(&people, &scenarios, &refs, own);
            let everyone = protected(&people, &scenarios[0], viewer);
            for (j, group) in &everyone {
                let partners: Vec<usize> = everyone
                    .iter()
                    .filter(|(k, g)| k != j && g == group)
                    .map(|(k, _)| *k)
                    .collect();
                let fits = |changes: &[(usize, i64)]| {
                    member_view(&with_salary(&people, changes), &scenarios, &refs, own) == seen
                };
                let alternative = [1i64, -1, 100, -100, 777, -777, 5_000, -5_000, 49_999, -49_999]
                    .iter()
                    .filter(|d| people[*j].salary.0 + **d >= 0)
                    .any(|d| {
                        fits(&[(*j, *d)])
                            || partners.iter().any(|k| fits(&[(*j, *d), (*k, -*d)]))
                    });
                prop_assert!(
                    alternative,
                    "person {} ({:?}, {}) is pinned down by what person {} sees",
                    j, people[*j].salary, people[*j].classification, viewer
                );
            }
        }
    }
}
