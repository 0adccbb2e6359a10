//! Salary-floor comparisons over HTTP: the hand-worked example, the
//! privacy rule, the small-group rule, bad input, and the audit trail.

use diesel::prelude::*;
use unionhall::db::schema::{scenarios, units};
use unionhall::users::Role;

use crate::helpers::{TestApp, TestClient};

/// Five people, worked by hand in `salary::calc`'s tests: three Analysts
/// ($50,000, $58,250, $64,000) and two Organizers ($52,500, $120,000).
const ROSTER: &str = "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date
S1,Ann,Alpha,ann@example.org,Local Staff,Analyst,Research,2020-01-06,50000.00,hybrid,member,2020-02-01
S2,Ben,Beta,ben@example.org,Local Staff,Analyst,Research,2020-01-06,58250.00,hybrid,member,2020-02-01
S3,Cat,Gamma,cat@example.org,Local Staff,Analyst,Research,2020-01-06,64000.00,hybrid,non-member,
S4,Dan,Delta,dan@example.org,Local Staff,Organizer,Organizing,2020-01-06,52500.00,on-site,member,2020-02-01
S5,Eve,Epsilon,eve@example.org,Local Staff,Organizer,Organizing,2020-01-06,120000.00,remote,member,2020-02-01
S6,Fay,Zeta,fay@example.org,Local Staff,Analyst,Research,2020-01-06,99000.00,remote,resigned,2020-02-01
";

fn local(app: &TestApp) -> i64 {
    app.import_roster(ROSTER.as_bytes());
    app.unit_id("Local Staff")
}

fn class_id(app: &TestApp, name: &str) -> i64 {
    use unionhall::db::schema::classifications;
    classifications::table
        .filter(classifications::name.eq(name))
        .select(classifications::id)
        .first(&mut app.db())
        .unwrap()
}

/// The officer enters the references and the union's proposal.
async fn proposal(app: &TestApp, officer: &TestClient, unit: i64) -> i64 {
    let analyst = format!("floor_{}", class_id(app, "Analyst"));
    let organizer = format!("floor_{}", class_id(app, "Organizer"));
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}"),
            &[
                (analyst.as_str(), "52100"),
                (organizer.as_str(), "50100"),
                ("rent_amount", "2,800"),
                ("rent_source", "City rent report"),
                ("rent_as_of", "2026-10-01"),
                ("cpi_amount", "5"),
                ("cpi_source", "BLS CPI-U"),
                ("cpi_as_of", "2026-09-30"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}/scenarios/new"),
            &[
                ("name", "Union proposal"),
                ("raise", "3"),
                ("flat_raise", "0"),
                ("premium", "250"),
                ("effective_date", "2027-01-01"),
                (analyst.as_str(), "59,737"),
                (organizer.as_str(), "55000"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    answer.created_id()
}

#[tokio::test]
async fn the_officer_sees_the_hand_worked_figures_for_every_person() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let id = proposal(&app, &officer, unit).await;
    let page = officer.visit(&format!("/salary/scenarios/{id}")).await;
    assert_eq!(page.status, 200);
    let body = page.body;
    for expected in [
        // The unit: five people (the resigned analyst is not counted).
        "<th scope=\"row\">People in the unit</th><td class=\"num\" data-label=\"Union proposal\">5</td>",
        "<th scope=\"row\">Below the floor now</th><td class=\"num\" data-label=\"Union proposal\">3</td>",
        "<th scope=\"row\">Cost to bring everyone to the floor, a year</th><td class=\"num\" data-label=\"Union proposal\">$13,724.00</td>",
        "<th scope=\"row\">Cost over the current payroll, a year</th><td class=\"num\" data-label=\"Union proposal\">$19,504.50</td>",
        "<th scope=\"row\">Go backward after premiums</th><td class=\"num\" data-label=\"Union proposal\">3</td>",
        "<th scope=\"row\">Largest loss after premiums, a year</th><td class=\"num\" data-label=\"Union proposal\">$1,252.50</td>",
        "<th scope=\"row\">Median salary after</th><td class=\"num\" data-label=\"Union proposal\">$59,997.50</td>",
        // Ann: brought to the floor; 67.2% → 56.3% rent burden; +$6,892.38 real.
        "<td data-label=\"Name\">Alpha, Ann</td><td data-label=\"Classification\">Analyst</td><td data-label=\"Salary now\" class=\"num\">$50,000.00</td><td data-label=\"Below floor by\" class=\"num\">$9,737.00</td><td data-label=\"New salary\" class=\"num\">$59,737.00</td><td data-label=\"Raise\" class=\"num\">$9,737.00</td><td data-label=\"Premiums, a year\" class=\"num\">$3,000.00</td><td data-label=\"Net\" class=\"num\">$6,737.00</td><td data-label=\"Rent burden now → after\" class=\"num\">67.2% → 56.3%</td><td data-label=\"Real change\" class=\"num\">$6,892.38</td>",
        // Ben goes backward: $1,747.50 raise against $3,000 of premiums.
        "<strong class=\"diff-worse\">-$1,252.50</strong>",
        "<td data-label=\"Rent burden now → after\" class=\"num\">57.7% → 56.0%</td><td data-label=\"Real change\" class=\"num\">-$1,109.52</td>",
        // Eve: not burdened, above every floor.
        "<td data-label=\"Name\">Epsilon, Eve</td><td data-label=\"Classification\">Organizer</td><td data-label=\"Salary now\" class=\"num\">$120,000.00</td><td data-label=\"Below floor by\" class=\"num\"></td><td data-label=\"New salary\" class=\"num\">$123,600.00</td>",
    ] {
        assert!(body.contains(expected), "missing {expected}");
    }
    assert!(
        !body.contains("Zeta"),
        "a resigned person is not in the unit"
    );
    assert!(body.contains("<svg"), "charts are drawn on the server");
    let csv = officer
        .get(&format!("/officer/salary/scenarios/{id}/rows.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains(
            "Union proposal,\"Beta, Ben\",Analyst,58250.00,59737.00,1487.00,59997.50,1747.50,3000.00,-1252.50,yes,57.68,56.00,-1109.52"
        ),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn a_member_sees_aggregates_and_their_own_line_and_no_one_elses_salary() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let id = proposal(&app, &officer, unit).await;
    // Ben's account matches his roster email.
    let (ben, _) = app.person("ben@example.org", &[Role::Member], None).await;
    let mut seen = String::new();
    for path in [
        format!("/salary/scenarios/{id}"),
        format!("/salary/compare?scenario={id}"),
        format!("/salary/scenarios/{id}/aggregates.csv"),
        "/salary".to_owned(),
    ] {
        let page = ben.visit(&path).await;
        assert_eq!(page.status, 200, "{path}");
        seen.push_str(&page.body);
    }
    // His own line is there.
    assert!(seen.contains("$58,250.00"));
    assert!(seen.contains("$59,997.50"));
    // Nobody else's salary, before or after, name, or small group.
    for other in [
        "50,000.00",
        "50000.00",
        "64,000.00",
        "64000.00",
        "52,500.00",
        "52500.00",
        "120,000.00",
        "120000.00",
        "65,920.00",
        "65920.00",
        "123,600.00",
        "123600.00",
        "Alpha",
        "Gamma",
        "Delta",
        "Epsilon",
    ] {
        assert!(!seen.contains(other), "a member saw {other}");
    }
    // The two Organizers are not a group of their own on any figures page
    // (the contract's floors list names every classification, with no pay).
    let figures = ben.visit(&format!("/salary/scenarios/{id}")).await.body;
    let csv = ben
        .visit(&format!("/salary/scenarios/{id}/aggregates.csv"))
        .await
        .body;
    assert!(!figures.contains(">Organizer<") && !csv.contains("Organizer"));
    // Ben is one of three below the floor, so the cost of bringing them up
    // (his own gap known) would give away another's; nor is one person's
    // largest loss shown.
    assert!(!seen.contains("Cost to bring everyone to the floor"));
    assert!(!seen.contains("Largest loss"));
    // Members get averages, not medians or minimums, and only of pay now:
    // an average after a scenario carries the floor's lift (issue 13).
    assert!(seen.contains("Average salary now"));
    assert!(!seen.contains("Average salary after"));
    assert!(!seen.contains("Median salary after"));
    assert!(seen.contains("fewer than three people are not shown apart"));
    // Officer pages and every person's rows are not theirs.
    assert_eq!(
        ben.get(&format!("/officer/salary/scenarios/{id}/rows.csv"))
            .await
            .status,
        403
    );
    assert_eq!(
        ben.get(&format!("/officer/salary/units/{unit}"))
            .await
            .status,
        403
    );
    assert_eq!(
        ben.get(&format!("/officer/salary/scenarios/{id}/edit"))
            .await
            .status,
        403
    );
    // A member not on this unit's roster cannot see its scenarios at all.
    let (stranger, _) = app
        .person("stranger@example.org", &[Role::Member], None)
        .await;
    assert_eq!(
        stranger
            .get(&format!("/salary/scenarios/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        stranger
            .get(&format!("/salary/compare?scenario={id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        stranger
            .get(&format!("/salary/scenarios/{id}/aggregates.csv"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bad_scenarios_and_references_are_refused_with_the_typing_kept() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        diesel::update(units::table.find(unit))
            .set(units::contract_start.eq(start))
            .execute(&mut app.db())
            .unwrap();
    }
    let (officer, _) = app.officer("olive@example.org").await;
    let analyst = format!("floor_{}", class_id(&app, "Analyst"));
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}/scenarios/new"),
            &[
                ("name", "Wild"),
                ("raise", "150"),
                ("flat_raise", "0"),
                ("premium", "0"),
                ("effective_date", "2026-01-01"),
                (analyst.as_str(), "-5"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("A raise beyond 100% either way is not a bargaining position")
    );
    assert!(
        answer
            .body
            .contains("cannot be before the contract starts (2026-07-01)")
    );
    assert!(
        answer
            .body
            .contains("The floor for Analyst cannot be negative.")
    );
    assert!(answer.body.contains("value=\"150\""), "typing kept");
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}/scenarios/new"),
            &[
                ("name", "Empty"),
                ("raise", "3"),
                ("flat_raise", "0"),
                ("premium", "0"),
                ("effective_date", "2026-08-01"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("Give at least one classification a floor")
    );
    let count: i64 = scenarios::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(count, 0, "nothing saved");
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}"),
            &[("rent_amount", "2800"), ("rent_as_of", "2026-10-01")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("Say where the median one-bedroom rent figure comes from.")
    );
    assert!(answer.body.contains("value=\"2800\""));
}

#[tokio::test]
async fn officers_copy_and_edit_scenarios_and_every_change_is_audited() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let id = proposal(&app, &officer, unit).await;
    let answer = officer
        .post(&format!("/officer/salary/scenarios/{id}/copy"), &[])
        .await;
    assert_eq!(answer.status, 303);
    let copy: i64 = scenarios::table
        .filter(scenarios::name.eq("Copy of Union proposal"))
        .select(scenarios::id)
        .first(&mut app.db())
        .unwrap();
    let form = officer
        .visit(&format!("/officer/salary/scenarios/{copy}/edit"))
        .await;
    assert!(
        form.body.contains("value=\"59737.00\""),
        "the floors came along"
    );
    let analyst = format!("floor_{}", class_id(&app, "Analyst"));
    let answer = officer
        .post(
            &format!("/officer/salary/scenarios/{copy}/edit"),
            &[
                ("name", "Management offer"),
                ("raise", "2.5"),
                ("flat_raise", "0"),
                ("premium", "208.33"),
                ("effective_date", "2027-01-01"),
                (analyst.as_str(), "55000"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let compare = officer
        .visit(&format!("/salary/compare?scenario={id}&scenario={copy}"))
        .await;
    assert_eq!(compare.status, 200);
    assert!(compare.body.contains("Management offer"));
    assert!(compare.body.contains("diff-"), "differences are marked");
    let actions = app.audit_actions();
    for action in [
        "salary_unit_settings",
        "salary_scenario_create",
        "salary_scenario_copy",
        "salary_scenario_edit",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

/// Every amount with cents in `text` ("$68,950.00", "68950.00", "−$500.00"),
/// in cents, without its sign.
fn amounts(text: &str) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b',') {
            i += 1;
        }
        let cents = bytes.get(i + 1..i + 3);
        if bytes.get(i) == Some(&b'.')
            && cents.is_some_and(|c| c.iter().all(u8::is_ascii_digit))
            && !bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
        {
            let digits: String = text[start..i + 3]
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if let Ok(v) = digits.parse() {
                found.push(v);
            }
            i += 3;
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The probe's sum: with one person lifted to floor `floor` by a raise of
/// `raise_bp`, salary = (r·n·mean + F − cost) ÷ (1 + r). Tries it on every
/// average and every cost a member could read or work out (a cost shown, or
/// n × the rise in an average) and says which salaries come out.
fn solve_for_the_lifted(seen: &[i64], n: i64, raise_bp: i64, floor: i64) -> Vec<i64> {
    let mut solved = Vec::new();
    // An average of a unit's pay is more than $10,000; a cost is positive.
    for mean in seen.iter().filter(|m| **m >= 1_000_000) {
        let rises = seen.iter().map(|after| n * (after - mean));
        for cost in seen.iter().copied().chain(rises).filter(|c| *c > 0) {
            let top = i128::from(raise_bp) * i128::from(n * mean) / 10_000 + i128::from(floor)
                - i128::from(cost);
            let salary = top * 10_000 / (10_000 + i128::from(raise_bp));
            solved.push(i64::try_from(salary).unwrap());
        }
    }
    solved
}

#[tokio::test]
async fn a_member_cannot_work_out_the_salary_of_the_one_person_below_a_floor() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let analyst = format!("floor_{}", class_id(&app, "Analyst"));
    let organizer = format!("floor_{}", class_id(&app, "Organizer"));
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}"),
            &[
                (analyst.as_str(), "45000"),
                (organizer.as_str(), "45000"),
                ("rent_amount", "2,800"),
                ("rent_source", "City rent report"),
                ("rent_as_of", "2026-10-01"),
                ("cpi_amount", "5"),
                ("cpi_source", "BLS CPI-U"),
                ("cpi_as_of", "2026-09-30"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    // Two drafts whose Analyst floor only Ann ($50,000) is under: her
    // raise leaves her short and the floor lifts her the rest of the way.
    let drafts = [
        ("Draft A", "2", 200, 5_150_000),
        ("Draft B", "3", 300, 5_200_000),
    ];
    let mut ids = Vec::new();
    for (name, raise, _, floor) in drafts {
        let floor = (floor / 100).to_string();
        let answer = officer
            .post(
                &format!("/officer/salary/units/{unit}/scenarios/new"),
                &[
                    ("name", name),
                    ("raise", raise),
                    ("flat_raise", "0"),
                    ("premium", "100"),
                    ("effective_date", "2027-01-01"),
                    (analyst.as_str(), floor.as_str()),
                    (organizer.as_str(), "50100"),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        let id: i64 = answer
            .location
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        ids.push(id);
    }
    // The officers' own figures carry the lift, as they should.
    let officers = officer
        .visit(&format!("/salary/scenarios/{}", ids[0]))
        .await
        .body;
    assert!(officers.contains("Cost over the current payroll, a year"));

    // Ben, an Analyst, reads everything a member can about both drafts.
    let (ben, _) = app.person("ben@example.org", &[Role::Member], None).await;
    let mut pages = Vec::new();
    let mut csvs = Vec::new();
    for path in [
        format!("/salary/compare?scenario={}&scenario={}", ids[0], ids[1]),
        format!("/salary/scenarios/{}", ids[0]),
        format!("/salary/scenarios/{}", ids[1]),
        "/salary".to_owned(),
    ] {
        let page = ben.visit(&path).await;
        assert_eq!(page.status, 200, "{path}");
        pages.push(page.body);
    }
    for id in &ids {
        let csv = ben
            .visit(&format!("/salary/scenarios/{id}/aggregates.csv"))
            .await;
        assert_eq!(csv.status, 200);
        csvs.push(csv.body);
    }
    let seen = format!("{}\n{}", pages.join("\n"), csvs.join("\n"));

    // The figures that carry the lift are not there at all.
    for label in [
        "Cost over the current payroll",
        "Cost to bring everyone to the floor",
        "Average salary after",
        "Average real change",
        "Average after",
        "Cost a year",
    ] {
        assert!(!seen.contains(label), "a member saw {label:?}");
    }
    for csv in &csvs {
        let head = csv.lines().next().unwrap();
        for column in ["cost_over_payroll", "cost_to_floor", "salary_after"] {
            assert!(!head.contains(column), "{column} in {head}");
        }
    }
    // And the probe's sum, tried on every amount Ben can read or work out,
    // no longer gives Ann's salary.
    let visible = amounts(&seen);
    assert!(!visible.is_empty());
    for (_, _, raise_bp, floor) in drafts {
        let solved = solve_for_the_lifted(&visible, 5, raise_bp, floor);
        assert!(
            !solved.iter().any(|s| (s - 5_000_000).abs() <= 10),
            "Ann's $50,000.00 comes out of the figures Ben sees"
        );
    }
    // He is told plainly what is held back and why.
    assert!(
        pages[0]
            .contains("Costs, payroll and averages after a scenario are shown to officers only"),
        "{}",
        pages[0]
    );
}

#[tokio::test]
async fn the_living_wage_counts_who_earns_below_it_and_officers_see_the_cost_to_lift_them() {
    let app = TestApp::spawn().await;
    let unit = local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let id = proposal(&app, &officer, unit).await;
    let analyst = format!("floor_{}", class_id(&app, "Analyst"));
    let organizer = format!("floor_{}", class_id(&app, "Organizer"));
    let answer = officer
        .post(
            &format!("/officer/salary/units/{unit}"),
            &[
                (analyst.as_str(), "52100"),
                (organizer.as_str(), "50100"),
                ("rent_amount", "2,800"),
                ("rent_source", "City rent report"),
                ("rent_as_of", "2026-10-01"),
                ("living_wage_amount", "60,000"),
                (
                    "living_wage_source",
                    "MIT Living Wage Calculator, one adult",
                ),
                ("living_wage_as_of", "2026-02-01"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    // Ann ($50,000), Ben ($58,250) and Dan ($52,500) earn below $60,000.
    // After the proposal Ann is at her $59,737 floor, Ben at $59,997.50 and
    // Dan at his $55,000 floor: $263 + $2.50 + $5,000 to lift them.
    let page = officer.visit(&format!("/salary/scenarios/{id}")).await;
    for expected in [
        "<th scope=\"row\">Below the living wage now</th><td class=\"num\" data-label=\"Union proposal\">3</td>",
        "<th scope=\"row\">Below the living wage after</th><td class=\"num\" data-label=\"Union proposal\">3</td>",
        "<th scope=\"row\">Cost to bring everyone to the living wage after, a year</th><td class=\"num\" data-label=\"Union proposal\">$5,265.50</td>",
    ] {
        assert!(
            page.body.contains(expected),
            "missing {expected} in {}",
            page.body
        );
    }
    let csv = officer
        .get(&format!("/salary/scenarios/{id}/aggregates.csv"))
        .await;
    assert!(csv.body.contains(",3,3,5265.50"), "{}", csv.body);
    // A member sees the counts from banded pay (Ben's band, $58,500, is
    // raised past the line) and no cost, which would move with one
    // person's pay.
    let (ben, _) = app.person("ben@example.org", &[Role::Member], None).await;
    let page = ben.visit(&format!("/salary/scenarios/{id}")).await;
    assert!(
        page.body
            .contains("<th scope=\"row\">Below the living wage now</th><td class=\"num\" data-label=\"Union proposal\">3</td>")
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Below the living wage after</th><td class=\"num\" data-label=\"Union proposal\">2</td>")
    );
    assert!(
        !page
            .body
            .contains("Cost to bring everyone to the living wage")
    );
}
