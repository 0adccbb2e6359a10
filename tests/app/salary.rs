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
        "<th scope=\"row\">People in the unit</th><td class=\"num\">5</td>",
        "<th scope=\"row\">Below the floor now</th><td class=\"num\">3</td>",
        "<th scope=\"row\">Cost to bring everyone to the floor, a year</th><td class=\"num\">$13,724.00</td>",
        "<th scope=\"row\">Cost over the current payroll, a year</th><td class=\"num\">$19,504.50</td>",
        "<th scope=\"row\">Go backward after premiums</th><td class=\"num\">3</td>",
        "<th scope=\"row\">Largest loss after premiums, a year</th><td class=\"num\">$1,252.50</td>",
        "<th scope=\"row\">Median salary after</th><td class=\"num\">$59,997.50</td>",
        // Ann: brought to the floor; 67.2% → 56.3% rent burden; +$6,892.38 real.
        "<td>Alpha, Ann</td><td>Analyst</td><td class=\"num\">$50,000.00</td><td class=\"num\">$9,737.00</td><td class=\"num\">$59,737.00</td><td class=\"num\">$9,737.00</td><td class=\"num\">$3,000.00</td><td class=\"num\">$6,737.00</td><td class=\"num\">67.2% → 56.3%</td><td class=\"num\">$6,892.38</td>",
        // Ben goes backward: $1,747.50 raise against $3,000 of premiums.
        "<strong class=\"diff-worse\">-$1,252.50</strong>",
        "<td class=\"num\">57.7% → 56.0%</td><td class=\"num\">-$1,109.52</td>",
        // Eve: not burdened, above every floor.
        "<td>Epsilon, Eve</td><td>Organizer</td><td class=\"num\">$120,000.00</td><td class=\"num\"></td><td class=\"num\">$123,600.00</td>",
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
    // Members get averages, not medians or minimums.
    assert!(seen.contains("Average salary after"));
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
