//! The bargaining arithmetic, in integer cents and basis points.
//!
//! One rounding rule everywhere: a division rounds to the nearest cent (or
//! basis point), halves away from zero (`money::div_round_half_up`).
//!
//! For each person: the raise is salary × rate, rounded, plus the flat
//! raise; the new salary is that, brought up to the scenario's floor for
//! the classification. The premium increase is twelve times the monthly
//! change. Net = raise − premium increase; net below zero goes backward.
//! Rent burden = rent × 12 ÷ salary, in basis points (over 3000 is
//! burdened, over 5000 severely). Real change = new salary ÷ (1 + CPI) −
//! current salary: what the new salary buys in today's money.

use std::collections::BTreeMap;

use crate::money::{Cents, div_round_half_up};

/// Rent over this share of gross pay is a burden (30%).
pub const BURDEN_BP: i64 = 3000;
/// Rent over this share is a severe burden (50%).
pub const SEVERE_BP: i64 = 5000;
/// The label of the classifications too small to show apart, together.
pub const OTHER_GROUP: &str = "Other classifications";

/// Smallest group shown apart to members.
pub const SMALLEST_GROUP: usize = 3;

/// One person in the bargaining unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Roster id.
    pub member_id: i64,
    /// "Okafor, Sarah".
    pub name: String,
    /// Their classification's name.
    pub classification: String,
    /// Annual base salary now.
    pub salary: Cents,
}

/// What a scenario changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms {
    /// Across-the-board raise in basis points (300 = 3%).
    pub raise_bp: i64,
    /// Flat raise a year.
    pub flat_raise: Cents,
    /// Change in the employee's monthly health-premium share.
    pub premium_monthly: Cents,
    /// Floor per classification name; a classification without one has none.
    pub floors: BTreeMap<String, Cents>,
}

/// The reference costs the burden and real figures need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct References {
    /// Median one-bedroom rent, a month.
    pub rent_monthly: Option<Cents>,
    /// CPI inflation over the period, basis points.
    pub cpi_bp: Option<i64>,
    /// A living wage, a year.
    pub living_wage: Option<Cents>,
}

/// One person under a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub person: Person,
    pub floor: Cents,
    /// How far below the floor they are now (0 when at or above).
    pub below_floor_by: Cents,
    pub new_salary: Cents,
    pub raise: Cents,
    pub premium_year: Cents,
    pub net: Cents,
    pub burden_before_bp: Option<i64>,
    pub burden_after_bp: Option<i64>,
    pub real_change: Option<Cents>,
    /// How far below the living wage they are now, and after (0 when at
    /// or above it, or when no living wage is entered).
    pub living_gap_before: Cents,
    pub living_gap_after: Cents,
}

impl Row {
    /// Net below zero: the raise does not cover the premium increase.
    pub fn backward(&self) -> bool {
        self.net.0 < 0
    }
}

/// Rent × 12 as a share of `salary`, in basis points.
pub fn burden_bp(rent_monthly: Cents, salary: Cents) -> Option<i64> {
    (salary.0 > 0).then(|| {
        let share = div_round_half_up(
            i128::from(rent_monthly.0) * 12 * 10_000,
            i128::from(salary.0),
        );
        i64::try_from(share).unwrap_or(i64::MAX)
    })
}

/// `amount` × `bp` ÷ 10,000, rounded.
pub fn apply_bp(amount: Cents, bp: i64) -> Cents {
    Cents(
        i64::try_from(div_round_half_up(
            i128::from(amount.0) * i128::from(bp),
            10_000,
        ))
        .unwrap_or(i64::MAX),
    )
}

/// The new salary in today's money after `cpi_bp` of inflation.
pub fn deflate(amount: Cents, cpi_bp: i64) -> Cents {
    Cents(
        i64::try_from(div_round_half_up(
            i128::from(amount.0) * 10_000,
            i128::from(10_000 + cpi_bp).max(1),
        ))
        .unwrap_or(i64::MAX),
    )
}

/// One person's figures.
pub fn row(person: &Person, terms: &Terms, refs: &References) -> Row {
    let floor = terms
        .floors
        .get(&person.classification)
        .copied()
        .unwrap_or_default();
    let salary = person.salary;
    let raised = Cents(salary.0 + apply_bp(salary, terms.raise_bp).0 + terms.flat_raise.0);
    let new_salary = Cents(raised.0.max(floor.0));
    let raise = Cents(new_salary.0 - salary.0);
    let premium_year = Cents(terms.premium_monthly.0 * 12);
    Row {
        person: person.clone(),
        floor,
        below_floor_by: Cents((floor.0 - salary.0).max(0)),
        new_salary,
        raise,
        premium_year,
        net: Cents(raise.0 - premium_year.0),
        burden_before_bp: refs.rent_monthly.and_then(|r| burden_bp(r, salary)),
        burden_after_bp: refs.rent_monthly.and_then(|r| burden_bp(r, new_salary)),
        real_change: refs
            .cpi_bp
            .map(|cpi| Cents(deflate(new_salary, cpi).0 - salary.0)),
        living_gap_before: gap(refs.living_wage, salary),
        living_gap_after: gap(refs.living_wage, new_salary),
    }
}

/// How far `salary` falls short of `line`; 0 with no line.
fn gap(line: Option<Cents>, salary: Cents) -> Cents {
    line.map_or(Cents(0), |line| Cents((line.0 - salary.0).max(0)))
}

/// The median, the mean of the middle two rounded when the count is even.
pub fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => i64::try_from(div_round_half_up(
            i128::from(values[n / 2 - 1]) + i128::from(values[n / 2]),
            2,
        ))
        .ok(),
    }
}

/// Figures for a group of rows: a classification, or the whole unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    pub label: String,
    pub headcount: usize,
    pub median_before: Cents,
    pub median_after: Cents,
    pub min_before: Cents,
    pub min_after: Cents,
    pub payroll_before: Cents,
    pub payroll_after: Cents,
    /// What the scenario adds to the payroll a year.
    pub cost: Cents,
    pub below_floor: usize,
    /// What bringing everyone to the floor costs a year.
    pub cost_to_floor: Cents,
    pub backward: usize,
    /// The largest loss among those going backward.
    pub worst_net: Cents,
    pub burdened_before: usize,
    pub burdened_after: usize,
    pub severe_before: usize,
    pub severe_after: usize,
    pub median_real_change: Option<Cents>,
    /// Means, for members: a median or minimum of a small group is one
    /// person's salary, a mean of three or more is nobody's.
    pub mean_before: Cents,
    pub mean_after: Cents,
    pub mean_real_change: Option<Cents>,
    /// Below the living wage now and after, and what lifting them to it
    /// would cost a year, now and after the scenario.
    pub below_living_before: usize,
    pub below_living_after: usize,
    pub cost_to_living_before: Cents,
    pub cost_to_living_after: Cents,
}

/// Sums up `rows` under `label`.
pub fn group(label: &str, rows: &[&Row]) -> Group {
    let mut before: Vec<i64> = rows.iter().map(|r| r.person.salary.0).collect();
    let mut after: Vec<i64> = rows.iter().map(|r| r.new_salary.0).collect();
    let mut real: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.real_change.map(|c| c.0))
        .collect();
    let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
    let over = |bp: Option<i64>, line: i64| bp.is_some_and(|b| b > line);
    let payroll_before: i64 = before.iter().sum();
    let payroll_after: i64 = after.iter().sum();
    let mean = |total: i64, n: usize| -> Cents {
        if n == 0 {
            return Cents(0);
        }
        let n = i128::try_from(n).unwrap_or(i128::MAX);
        Cents(i64::try_from(div_round_half_up(i128::from(total), n)).unwrap_or(0))
    };
    let mean_real_change = (!real.is_empty()).then(|| mean(real.iter().sum(), real.len()));
    Group {
        label: label.to_owned(),
        headcount: rows.len(),
        median_before: Cents(median(&mut before).unwrap_or(0)),
        median_after: Cents(median(&mut after).unwrap_or(0)),
        min_before: Cents(before.first().copied().unwrap_or(0)),
        min_after: Cents(after.first().copied().unwrap_or(0)),
        payroll_before: Cents(payroll_before),
        payroll_after: Cents(payroll_after),
        cost: Cents(payroll_after - payroll_before),
        below_floor: count(&|r| r.below_floor_by.0 > 0),
        cost_to_floor: Cents(rows.iter().map(|r| r.below_floor_by.0).sum()),
        backward: count(&|r| r.backward()),
        worst_net: Cents(rows.iter().map(|r| r.net.0).min().unwrap_or(0).min(0)),
        burdened_before: count(&|r| over(r.burden_before_bp, BURDEN_BP)),
        burdened_after: count(&|r| over(r.burden_after_bp, BURDEN_BP)),
        severe_before: count(&|r| over(r.burden_before_bp, SEVERE_BP)),
        severe_after: count(&|r| over(r.burden_after_bp, SEVERE_BP)),
        median_real_change: (!real.is_empty()).then(|| Cents(median(&mut real).unwrap_or(0))),
        mean_before: mean(payroll_before, rows.len()),
        mean_after: mean(payroll_after, rows.len()),
        mean_real_change,
        below_living_before: count(&|r| r.living_gap_before.0 > 0),
        below_living_after: count(&|r| r.living_gap_after.0 > 0),
        cost_to_living_before: Cents(rows.iter().map(|r| r.living_gap_before.0).sum()),
        cost_to_living_after: Cents(rows.iter().map(|r| r.living_gap_after.0).sum()),
    }
}

/// Everything computed for one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Per person, by classification then name.
    pub rows: Vec<Row>,
    /// Per classification, by name.
    pub by_class: Vec<Group>,
    /// The whole unit.
    pub unit: Group,
}

/// Computes a scenario over the unit's people.
pub fn compute(people: &[Person], terms: &Terms, refs: &References) -> Outcome {
    let mut rows: Vec<Row> = people.iter().map(|p| row(p, terms, refs)).collect();
    rows.sort_by(|a, b| {
        (&a.person.classification, &a.person.name).cmp(&(&b.person.classification, &b.person.name))
    });
    let mut classes: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        classes
            .entry(r.person.classification.as_str())
            .or_default()
            .push(r);
    }
    let by_class = classes
        .iter()
        .map(|(name, members)| group(name, members))
        .collect();
    let all: Vec<&Row> = rows.iter().collect();
    let unit = group("Whole unit", &all);
    Outcome {
        rows,
        by_class,
        unit,
    }
}

/// The groups a member may see, which together always cover the whole
/// unit (so no subtraction from the unit's total isolates anyone):
/// classifications of at least 3 people apart; smaller ones together as
/// "Other classifications"; and when only one or two people would be left
/// over, the smallest classification joins them there. Empty when the unit
/// itself has fewer than 3 people.
pub fn public_groups(outcome: &Outcome) -> Vec<Group> {
    if outcome.rows.len() < SMALLEST_GROUP {
        return Vec::new();
    }
    let mut big: Vec<&Group> = outcome
        .by_class
        .iter()
        .filter(|g| g.headcount >= SMALLEST_GROUP)
        .collect();
    let mut other: Vec<&str> = outcome
        .by_class
        .iter()
        .filter(|g| g.headcount < SMALLEST_GROUP)
        .map(|g| g.label.as_str())
        .collect();
    let left_over: usize = outcome
        .by_class
        .iter()
        .filter(|g| g.headcount < SMALLEST_GROUP)
        .map(|g| g.headcount)
        .sum();
    if (1..SMALLEST_GROUP).contains(&left_over)
        && let Some(smallest) = big
            .iter()
            .enumerate()
            .min_by_key(|(_, g)| (g.headcount, g.label.clone()))
            .map(|(i, _)| i)
    {
        other.push(big.remove(smallest).label.as_str());
    }
    let mut shown: Vec<Group> = big.into_iter().cloned().collect();
    if !other.is_empty() {
        let rows: Vec<&Row> = outcome
            .rows
            .iter()
            .filter(|r| other.contains(&r.person.classification.as_str()))
            .collect();
        shown.push(group(OTHER_GROUP, &rows));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(id: i64, class: &str, dollars: i64) -> Person {
        Person {
            member_id: id,
            name: format!("Person {id}"),
            classification: class.into(),
            salary: Cents(dollars * 100),
        }
    }

    /// The example worked by hand in the module docs' terms: a 3% raise,
    /// $250 a month more in premiums, floors of $59,737 (Analyst) and
    /// $55,000 (Organizer), $2,800 rent, 5% inflation.
    fn example() -> Outcome {
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
        compute(&people, &terms, &refs)
    }

    #[test]
    fn each_persons_figures_match_the_hand_worked_example() {
        let outcome = example();
        let by_id = |id: i64| {
            outcome
                .rows
                .iter()
                .find(|r| r.person.member_id == id)
                .unwrap()
        };
        // $50,000: 3% → $51,500, below the floor → $59,737.
        let a = by_id(1);
        assert_eq!(a.new_salary, Cents(5_973_700));
        assert_eq!(a.raise, Cents(973_700));
        assert_eq!(a.premium_year, Cents(300_000));
        assert_eq!(a.net, Cents(673_700));
        assert_eq!(a.below_floor_by, Cents(973_700));
        // $2,800 × 12 ÷ $50,000 = 67.20%; ÷ $59,737 = 56.246…% → 5625.
        assert_eq!(a.burden_before_bp, Some(6720));
        assert_eq!(a.burden_after_bp, Some(5625));
        // $59,737 ÷ 1.05 = $56,892.380… → $56,892.38; − $50,000.
        assert_eq!(a.real_change, Some(Cents(689_238)));
        // $58,250: 3% → $59,997.50, above the floor; $1,747.50 − $3,000.
        let b = by_id(2);
        assert_eq!(b.new_salary, Cents(5_999_750));
        assert_eq!(b.net, Cents(-125_250));
        assert!(b.backward());
        assert_eq!(b.below_floor_by, Cents(148_700));
        assert_eq!(
            (b.burden_before_bp, b.burden_after_bp),
            (Some(5768), Some(5600))
        );
        assert_eq!(b.real_change, Some(Cents(-110_952)));
        let c = by_id(3);
        assert_eq!((c.new_salary, c.net), (Cents(6_592_000), Cents(-108_000)));
        assert_eq!(
            (c.burden_before_bp, c.burden_after_bp),
            (Some(5250), Some(5097))
        );
        assert_eq!(c.real_change, Some(Cents(-121_905)));
        let d = by_id(4);
        assert_eq!((d.new_salary, d.net), (Cents(5_500_000), Cents(-50_000)));
        assert_eq!(d.below_floor_by, Cents(250_000));
        let e = by_id(5);
        assert_eq!((e.new_salary, e.net), (Cents(12_360_000), Cents(60_000)));
        assert_eq!(
            (e.burden_before_bp, e.burden_after_bp),
            (Some(2800), Some(2718))
        );
        assert_eq!(e.real_change, Some(Cents(-228_571)));
    }

    #[test]
    fn the_totals_match_the_hand_worked_example() {
        let outcome = example();
        let unit = &outcome.unit;
        assert_eq!(unit.headcount, 5);
        assert_eq!(unit.below_floor, 3);
        assert_eq!(unit.cost_to_floor, Cents(1_372_400));
        assert_eq!(unit.payroll_before, Cents(34_475_000));
        assert_eq!(unit.payroll_after, Cents(36_425_450));
        assert_eq!(unit.cost, Cents(1_950_450));
        assert_eq!(unit.backward, 3);
        assert_eq!(unit.worst_net, Cents(-125_250));
        assert_eq!((unit.burdened_before, unit.severe_before), (4, 4));
        assert_eq!((unit.burdened_after, unit.severe_after), (4, 4));
        assert_eq!(unit.median_before, Cents(5_825_000));
        assert_eq!(unit.median_after, Cents(5_999_750));
        assert_eq!(
            (unit.min_before, unit.min_after),
            (Cents(5_000_000), Cents(5_500_000))
        );
        // $344,750 ÷ 5 = $68,950; $364,254.50 ÷ 5 = $72,850.90.
        assert_eq!(
            (unit.mean_before, unit.mean_after),
            (Cents(6_895_000), Cents(7_285_090))
        );
        // (689,238 − 110,952 − 121,905 − 11,905 − 228,571) ÷ 5 = 43,181.
        assert_eq!(unit.mean_real_change, Some(Cents(43_181)));
        let analysts = &outcome.by_class[0];
        assert_eq!(
            (analysts.label.as_str(), analysts.headcount),
            ("Analyst", 3)
        );
        assert_eq!(analysts.cost, Cents(1_340_450));
        assert_eq!(outcome.by_class[1].cost, Cents(610_000));
        // The Organizers are two people: members see them together with the
        // Analysts, so the unit minus the groups shown isolates no one.
        let public = public_groups(&outcome);
        assert_eq!(public.len(), 1);
        assert_eq!(
            (public[0].label.as_str(), public[0].headcount),
            (OTHER_GROUP, 5)
        );
    }

    #[test]
    fn an_even_median_rounds_half_away_from_zero() {
        assert_eq!(median(&mut [1, 2]), Some(2));
        assert_eq!(median(&mut [5_250_000, 5_825_000]), Some(5_537_500));
        assert_eq!(median(&mut [-3, -2]), Some(-3));
        assert_eq!(median(&mut []), None);
    }

    fn any_person() -> impl Strategy<Value = Person> {
        (1i64..1000, 0usize..3, 0i64..50_000_000).prop_map(|(id, class, cents)| Person {
            member_id: id,
            name: format!("P{id}"),
            classification: ["A", "B", "C"][class].into(),
            salary: Cents(cents),
        })
    }

    fn any_terms() -> impl Strategy<Value = Terms> {
        (
            0i64..3000,
            0i64..500_000,
            -50_000i64..100_000,
            0i64..10_000_000,
        )
            .prop_map(|(raise_bp, flat, premium, floor)| Terms {
                raise_bp,
                flat_raise: Cents(flat),
                premium_monthly: Cents(premium),
                floors: BTreeMap::from([("A".to_owned(), Cents(floor))]),
            })
    }

    proptest! {
        #[test]
        fn nobody_ends_below_the_floor_or_below_their_salary(
            p in any_person(), terms in any_terms(),
        ) {
            let r = row(&p, &terms, &References::default());
            prop_assert!(r.new_salary >= r.floor);
            prop_assert!(r.new_salary >= p.salary);
            prop_assert_eq!(r.raise.0, r.new_salary.0 - p.salary.0);
            prop_assert_eq!(r.net.0, r.raise.0 - r.premium_year.0);
        }

        #[test]
        fn the_unit_totals_are_the_sums_of_the_classes(
            people in proptest::collection::vec(any_person(), 0..40), terms in any_terms(),
        ) {
            let outcome = compute(&people, &terms, &References::default());
            let sum = |f: fn(&Group) -> i64| outcome.by_class.iter().map(f).sum::<i64>();
            prop_assert_eq!(sum(|g| g.cost.0), outcome.unit.cost.0);
            prop_assert_eq!(sum(|g| g.cost_to_floor.0), outcome.unit.cost_to_floor.0);
            prop_assert_eq!(sum(|g| g.headcount as i64), people.len() as i64);
            prop_assert_eq!(sum(|g| g.backward as i64), outcome.unit.backward as i64);
        }

        #[test]
        fn members_see_groups_of_three_or_more_that_cover_the_unit(
            people in proptest::collection::vec(any_person(), 0..12), terms in any_terms(),
        ) {
            let outcome = compute(&people, &terms, &References::default());
            let groups = public_groups(&outcome);
            for g in &groups {
                prop_assert!(g.headcount >= SMALLEST_GROUP);
            }
            let covered: usize = groups.iter().map(|g| g.headcount).sum();
            let expected = if people.len() >= SMALLEST_GROUP { people.len() } else { 0 };
            prop_assert_eq!(covered, expected);
        }

        #[test]
        fn a_higher_salary_never_has_a_higher_burden(
            rent in 1i64..1_000_000, low in 1i64..20_000_000, extra in 0i64..20_000_000,
        ) {
            let a = burden_bp(Cents(rent), Cents(low)).unwrap();
            let b = burden_bp(Cents(rent), Cents(low + extra)).unwrap();
            prop_assert!(b <= a);
        }
    }
}
