use diesel::prelude::*;
use diesel::sql_types::Text;
use unionhall::config::DatabaseUrl;
use unionhall::db;

use crate::helpers::{PgDatabase, TestApp, postgres_admin_url, skip_or_fail};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[tokio::test]
async fn the_server_migrates_its_database_at_start() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    let applied = db::run_migrations(&mut conn).unwrap();
    assert!(
        applied.is_empty(),
        "start-up applied everything: {applied:?}"
    );
    let count: i64 = unionhall::db::schema::outbox::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(count, 0);
}

#[test]
fn an_empty_postgresql_database_gets_the_tables_and_nothing_else() {
    let Some(admin) = postgres_admin_url() else {
        skip_or_fail("no PostgreSQL answers (set TEST_POSTGRES_URL)");
        return;
    };
    let database = PgDatabase::create(&admin);
    let url = DatabaseUrl::Postgres(database.url.clone());
    let pool = db::connect_and_migrate(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let mut tables: Vec<String> = diesel::sql_query(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .load::<Name>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|n| n.name)
    .collect();
    tables.retain(|t| t != "__diesel_schema_migrations");
    assert_eq!(
        tables,
        [
            "arrears_notices",
            "audit_log",
            "ballot_alphas",
            "ballots",
            "checkoff_imports",
            "classifications",
            "deadline_reminders",
            "dues_rates",
            "election_choices",
            "election_credentials",
            "election_observers",
            "election_outcomes",
            "election_questions",
            "election_record",
            "election_reminders",
            "election_results",
            "election_trustees",
            "elections",
            "form_submissions",
            "grievance_articles",
            "grievance_attachments",
            "grievance_events",
            "grievance_extensions",
            "grievance_notes",
            "grievance_procedures",
            "grievance_steps",
            "grievances",
            "grievants",
            "ledger_entries",
            "member_status_history",
            "members",
            "notification_prefs",
            "one_time_tokens",
            "outbox",
            "participation",
            "pending_uploads",
            "recovery_codes",
            "reference_costs",
            "roll_challenges",
            "roll_entries",
            "scenario_floors",
            "scenarios",
            "sessions",
            "throttle",
            "unit_holidays",
            "units",
            "user_roles",
            "users",
        ]
    );
    let other_schemas: Vec<String> = diesel::sql_query(
        "SELECT schema_name AS name FROM information_schema.schemata \
         WHERE schema_name NOT IN ('public', 'information_schema') AND schema_name NOT LIKE 'pg\\_%' ESCAPE '\\'",
    )
    .load::<Name>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|n| n.name)
    .collect();
    assert!(other_schemas.is_empty(), "{other_schemas:?}");
    // Running again changes nothing.
    assert!(db::run_migrations(&mut conn).unwrap().is_empty());
}

#[test]
fn sqlite_and_postgresql_end_with_the_same_columns() {
    let Some(admin) = postgres_admin_url() else {
        skip_or_fail("no PostgreSQL answers (set TEST_POSTGRES_URL)");
        return;
    };
    let pg = PgDatabase::create(&admin);
    let pg_pool = db::connect_and_migrate(&DatabaseUrl::Postgres(pg.url.clone()), 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lite = DatabaseUrl::Sqlite(dir.path().join("x.db").to_string_lossy().into_owned());
    let lite_pool = db::connect_and_migrate(&lite, 1).unwrap();
    let pg_columns: Vec<String> = diesel::sql_query(
        "SELECT table_name || '.' || column_name AS name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load::<Name>(&mut pg_pool.get().unwrap())
    .unwrap()
    .into_iter()
    .map(|n| n.name)
    .collect();
    let lite_columns: Vec<String> = diesel::sql_query(
        "SELECT m.name || '.' || p.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load::<Name>(&mut lite_pool.get().unwrap())
    .unwrap()
    .into_iter()
    .map(|n| n.name)
    .collect();
    assert_eq!(pg_columns, lite_columns);
}

/// A vote published or open under the version that kept choices in the
/// clear: the upgrade that drops that table waits, and says which vote,
/// with nothing changed; once it is closed, the upgrade goes through.
#[test]
fn the_upgrade_to_encrypted_ballots_waits_for_a_vote_taken_the_old_way() {
    use diesel::r2d2::ManageConnection;
    let env = crate::helpers::TestEnv::new();
    let manager = db::Manager::new(env.database.clone());
    let mut conn = manager.connect().unwrap();
    db::run_migrations_to(&mut conn, "2026-12-01-000024").unwrap();
    diesel::sql_query(
        "INSERT INTO units (name, created_at) VALUES ('Old Unit', '2026-11-01 09:00:00')",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO elections (unit_id, title, opens_at, closes_at, cutoff, status, created_at, updated_at) \
         SELECT id, 'Old strike vote', '2026-11-30 09:00:00', '2026-12-09 09:00:00', '2026-11-20', 'open', \
         '2026-11-01 09:00:00', '2026-11-01 09:00:00' FROM units",
    )
    .execute(&mut conn)
    .unwrap();
    let refused = db::run_migrations(&mut conn).unwrap_err();
    assert!(
        refused.contains("Close and count it") && refused.contains("\"Old strike vote\""),
        "{refused}"
    );
    let tables: Vec<Name> = diesel::sql_query(if env.is_postgres() {
        "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'election_record'"
    } else {
        "SELECT name FROM sqlite_master WHERE name = 'election_record'"
    })
    .load(&mut conn)
    .unwrap();
    assert!(tables.is_empty(), "nothing of the upgrade was applied");

    diesel::sql_query("UPDATE elections SET status = 'closed'")
        .execute(&mut conn)
        .unwrap();
    let applied = db::run_migrations(&mut conn).unwrap();
    assert!(applied.iter().any(|m| m.ends_with("000025")), "{applied:?}");
}
