//! Every route × every role, with someone else's ids: the probe that found
//! no IDOR, kept as a test. The routes come from `app::ROUTES`, so a route
//! added without an entry in `expected` fails here before it ships.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use unionhall::app::ROUTES;
use unionhall::elections::rules::PassRule;
use unionhall::elections::states::QuestionKind;
use unionhall::elections::store::QuestionDraft;
use unionhall::grievances::calendar::DayCount;

use crate::helpers::{Page, Stage, TestApp, TestClient, sample};

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Stewards, chief stewards and officers.
    Steward,
    /// Chief stewards and officers.
    ChiefSteward,
    /// Officers only.
    Officer,
    /// The case's grievants, its steward, chief stewards and officers.
    CaseParty,
    /// Members of the unit it belongs to, and officers.
    UnitMember,
    /// Those on the election's roll.
    Voter,
    /// The election's trustees, who are none of the roles tried.
    Trustee,
    /// Whoever holds the link's token, which none of the roles tried does.
    LinkHolder,
    /// Members of the unit and officers, only while the roll is open to
    /// challenges: the matrix's election is open, so nobody, and nothing
    /// else is told (`elections::the_roll_in_the_open_…` tries the window).
    ChallengeWindow,
}

/// The roles the matrix tries, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// A member of the unit: not the grievant, on the election's roll.
    Member,
    /// A steward not assigned to the case, outside the unit.
    Steward,
    /// A chief steward outside the unit.
    Chief,
    /// An officer outside the unit.
    Officer,
}

impl Access {
    fn admits(self, who: Who) -> bool {
        use Who::*;
        match self {
            Access::Public => true,
            Access::SignedIn => who != Anonymous,
            Access::Steward => matches!(who, Steward | Chief | Officer),
            Access::ChiefSteward | Access::CaseParty => matches!(who, Chief | Officer),
            Access::Officer => who == Officer,
            Access::UnitMember => matches!(who, Member | Officer),
            Access::Voter => who == Member,
            Access::Trustee | Access::LinkHolder | Access::ChallengeWindow => false,
        }
    }
}

/// Who each route is for. Every route in `app::ROUTES` must be here.
fn expected(path: &str) -> Option<Access> {
    use Access::*;
    let access = match path {
        "/"
        | "/healthz"
        | "/static/{name}"
        | "/sign-in"
        | "/sign-in/two-factor"
        | "/sign-out"
        | "/setup/{token}"
        | "/password-reset"
        | "/password-reset/{token}"
        | "/invite/{token}" => Public,
        "/account"
        | "/account/password"
        | "/account/sessions"
        | "/account/sessions/end-others"
        | "/account/sessions/end-all"
        | "/account/two-factor"
        | "/account/two-factor/recovery-codes"
        | "/account/two-factor/disable"
        | "/account/notifications"
        | "/dues"
        | "/grievances"
        | "/grievances/new"
        | "/salary"
        | "/salary/compare"
        | "/elections" => SignedIn,
        "/salary/scenarios/{id}"
        | "/salary/scenarios/{id}/aggregates.csv"
        | "/elections/{id}"
        | "/elections/{id}/challenge"
        | "/elections/{id}/record"
        | "/elections/{id}/verify" => UnitMember,
        "/elections/{id}/roll" | "/elections/{id}/roll.txt" => ChallengeWindow,
        "/elections/{id}/trustee" | "/elections/{id}/trustee/packet" => Trustee,
        // The credential officer, who is none of the roles tried either.
        "/elections/{id}/credentials"
        | "/elections/{id}/credentials/roll.csv"
        | "/elections/{id}/credentials/revoke" => Trustee,
        "/observe/{token}" | "/observe/{token}/record" => LinkHolder,
        "/elections/{id}/ballot" | "/elections/{id}/confirm" | "/elections/{id}/cast" => Voter,
        "/stewards/board" => Steward,
        "/stewards/reports" | "/stewards/reports/grievances.csv" => ChiefSteward,
        p if p.starts_with("/grievances/{id}") => CaseParty,
        p if p.starts_with("/officer/") => Officer,
        _ => return None,
    };
    Some(access)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The row count of every table a request could change on someone's
/// behalf (not sessions, the throttle, one-time keys or the audit log): a
/// refused POST must leave it as it was.
fn fingerprint(app: &TestApp) -> Vec<(String, i64)> {
    let tables = [
        "outbox",
        "users",
        "user_roles",
        "one_time_tokens",
        "recovery_codes",
        "notification_prefs",
        "units",
        "members",
        "dues_rates",
        "checkoff_imports",
        "ledger_entries",
        "pending_uploads",
        "arrears_notices",
        "member_status_history",
        "grievance_procedures",
        "grievances",
        "grievants",
        "grievance_events",
        "grievance_extensions",
        "grievance_notes",
        "grievance_attachments",
        "scenarios",
        "scenario_floors",
        "elections",
        "roll_entries",
        "roll_challenges",
        "participation",
        "ballots",
        "election_trustees",
        "election_record",
        "election_observers",
        "ballot_alphas",
        "election_results",
    ];
    let mut conn = app.db();
    tables
        .iter()
        .map(|t| {
            let count: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}"))
                .get_result(&mut conn)
                .unwrap();
            ((*t).to_owned(), count.n)
        })
        .collect()
}

/// The ids of things that belong to someone else.
struct Theirs {
    user: i64,
    member: i64,
    unit: i64,
    case: i64,
    scenario: i64,
    election: i64,
    attachment: i64,
    /// The officer's own import preview: a preview is only ever its
    /// uploader's, and another's token is not found.
    preview: String,
}

impl Theirs {
    fn fill(&self, path: &str) -> String {
        path.replace(
            "/officer/users/{id}",
            &format!("/officer/users/{}", self.user),
        )
        .replace(
            "/officer/roster/{id}",
            &format!("/officer/roster/{}", self.member),
        )
        .replace(
            "/officer/units/{id}",
            &format!("/officer/units/{}", self.unit),
        )
        .replace(
            "/officer/salary/units/{id}",
            &format!("/officer/salary/units/{}", self.unit),
        )
        .replace("/grievances/{id}", &format!("/grievances/{}", self.case))
        .replace("scenarios/{id}", &format!("scenarios/{}", self.scenario))
        .replace("elections/{id}", &format!("elections/{}", self.election))
        .replace("{verb}", "deactivate")
        .replace("{name}", "app.css")
        .replace("/officer/imports/{token}", &self.preview)
        .replace("{token}", "0000")
        .replace("{attachment}", &self.attachment.to_string())
        .replace("{challenge}", "1")
        .replace("{id}", "1")
    }
}

fn yes_no() -> QuestionDraft {
    QuestionDraft {
        text: "Do you authorize a strike?".into(),
        kind: QuestionKind::YesNo,
        choices: vec!["Yes".into(), "No".into()],
        rule: PassRule {
            num: 1,
            den: 2,
            at_least: false,
            min_turnout_bp: 0,
        },
        dues: None,
    }
}

fn describe(page: &Page) -> String {
    match &page.location {
        Some(to) => format!("{} -> {}", page.status, to),
        None => page.status.to_string(),
    }
}

/// What the answer says: allowed through, refused, or sent to sign in.
fn refused(page: &Page, who: Who) -> bool {
    if who == Who::Anonymous {
        return page.status == 303
            && page
                .location
                .as_deref()
                .is_some_and(|to| to.starts_with("/sign-in"));
    }
    matches!(page.status, 403 | 404)
}

fn let_through(page: &Page, pattern: &str) -> bool {
    if pattern == "/account/sessions/end-all" {
        // Ending every session ends this one too: off to sign in.
        return page.status == 303;
    }
    page.status < 500
        && !matches!(page.status, 403 | 404)
        && !page
            .location
            .as_deref()
            .is_some_and(|to| to.starts_with("/sign-in"))
}

async fn send(client: &TestClient, method: &str, path: &str) -> Page {
    if method == "GET" {
        client.get(path).await
    } else {
        client.post(path, &[]).await
    }
}

/// Session-ending routes go last (signing out last of all), so the rest
/// run signed in.
fn in_order() -> Vec<(&'static str, &'static [&'static str])> {
    let rank = |p: &str| match p {
        "/account/sessions/end-others" => 1,
        "/account/sessions/end-all" => 2,
        "/sign-out" => 3,
        _ => 0,
    };
    let mut routes = ROUTES.to_vec();
    routes.sort_by_key(|(p, _)| rank(p));
    routes
}

#[test]
fn every_route_has_a_rule() {
    let missing: Vec<&str> = ROUTES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| expected(p).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an entry in access::expected: {missing:?}"
    );
}

/// A unit with a grievance filed by one member (with a file attached), a
/// salary scenario and an open election; then each role tries every route
/// with those ids. A role the route is not for is refused (403 or 404, or
/// sent to sign in) and nothing it sends changes a thing; a role it is for
/// gets through.
#[tokio::test]
async fn every_route_answers_each_role_as_its_rule_says_with_someone_elses_ids() {
    let app = TestApp::spawn().await;
    let unit = app.grievance_unit(DayCount::Calendar);
    let (owner, owner_user) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let filed = owner
        .post(
            "/grievances/new",
            &[
                ("incident_date", &app.config.today().to_string()),
                ("articles", "12.3"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours."),
                ("department", "Research"),
                ("supervisor", "Pat Boss"),
            ],
        )
        .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let case = filed.created_id();
    let attached = owner
        .upload(
            &format!("/grievances/{case}/attachments"),
            &[],
            "timesheet.txt",
            b"Hours: 20, was 40".to_vec(),
        )
        .await;
    assert_eq!(attached.status, 303, "{}", attached.body);
    let attachment: i64 = {
        use unionhall::db::schema::grievance_attachments as a;
        a::table.select(a::id).first(&mut app.db()).unwrap()
    };
    let (officer, _) = app.officer("officer@example.org").await;
    let floor = {
        use unionhall::db::schema::classifications as c;
        let id: i64 = c::table
            .filter(c::name.eq("Research Analyst"))
            .select(c::id)
            .first(&mut app.db())
            .unwrap();
        format!("floor_{id}")
    };
    let made = officer
        .post(
            &format!("/officer/salary/units/{unit}/scenarios/new"),
            &[
                ("name", "Union proposal"),
                ("raise", "3"),
                ("flat_raise", "0"),
                ("premium", "0"),
                ("effective_date", "2027-01-01"),
                (floor.as_str(), "60000"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let scenario = made.created_id();
    let theirs = Theirs {
        user: owner_user,
        member: app.member_id("E1001"),
        unit,
        case,
        scenario,
        election: app.election(unit, vec![yes_no()], Stage::Open),
        attachment,
        preview: officer
            .preview_roster(
                "roster.csv",
                String::from_utf8(sample("roster.csv"))
                    .unwrap()
                    .replace("Member Services", "Member Care")
                    .into_bytes(),
            )
            .await
            .confirm_path()
            .trim_end_matches("/confirm")
            .to_owned(),
    };
    let cast = [
        (Who::Anonymous, app.new_client()),
        (
            Who::Member,
            app.roster_member("miguel.santos@example.org", "E1002")
                .await
                .0,
        ),
        (Who::Steward, app.steward("steward@example.org").await.0),
        (Who::Chief, app.chief_steward("chief@example.org").await.0),
        (Who::Officer, officer),
    ];
    let mut wrong = Vec::new();
    for (pattern, methods) in in_order() {
        let access = expected(pattern).expect("every route has a rule");
        let path = theirs.fill(pattern);
        for method in methods {
            for (who, client) in &cast {
                let before = fingerprint(&app);
                let page = send(client, method, &path).await;
                let ok = if access.admits(*who) {
                    let_through(&page, pattern) || access == Access::Public && page.status < 500
                } else {
                    // A link's token is its own key: without it, nothing is there.
                    let refusal = if access == Access::LinkHolder {
                        page.status == 404
                    } else {
                        refused(&page, *who)
                    };
                    refusal && fingerprint(&app) == before
                };
                if !ok {
                    wrong.push(format!(
                        "{method} {path} as {who:?} ({access:?}): {}",
                        describe(&page)
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers against the rule:\n{}",
        wrong.join("\n")
    );
}

/// Every route that names something answers 404 to an officer when that
/// thing does not exist, for GET and POST alike.
#[tokio::test]
async fn a_missing_id_is_not_found_on_every_route_that_names_one() {
    let app = TestApp::spawn().await;
    app.grievance_unit(DayCount::Calendar);
    let (officer, _) = app.officer("officer@example.org").await;
    let mut wrong = Vec::new();
    for (pattern, methods) in ROUTES {
        if !pattern.contains('{') || pattern.starts_with("/static/") {
            continue;
        }
        let path = pattern
            .replace("{verb}", "deactivate")
            .replace("{token}", "0000")
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "999999"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in *methods {
            let page = send(&officer, method, &path).await;
            if page.status != 404 {
                wrong.push(format!("{method} {path}: {}", describe(&page)));
            }
        }
    }
    assert!(wrong.is_empty(), "not 404:\n{}", wrong.join("\n"));
}
