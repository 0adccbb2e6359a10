use crate::helpers::TestApp;

#[tokio::test]
async fn a_visitor_sees_what_unionhall_is_and_a_way_to_sign_in() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Test Local 1</h1>"), "{body}");
    assert!(body.contains("dues roll"));
    assert!(body.contains("href=\"/sign-in\""));
    assert_eq!(body.matches("<h1").count(), 1, "one h1 per page");
    assert!(body.contains("href=\"#main\""), "a skip link");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/no-such-page", "/healthz"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
}

#[tokio::test]
async fn hsts_is_sent_when_the_site_is_reached_over_https() {
    let app = TestApp::spawn_with(|config| {
        config.base_url = url::Url::parse("https://hall.example.org").unwrap();
        config.base_url_follows_bind = false;
    })
    .await;
    let response = app.get("/").await;
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
}

#[tokio::test]
async fn the_stylesheet_is_cached_and_revalidated() {
    let app = TestApp::spawn().await;
    let (_, home) = app.get_text("/").await;
    let href = home
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the layout links its stylesheet");
    assert!(href.starts_with("/static/app.css?v="), "{href}");
    let response = app.get(href).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let etag = response.headers()["etag"].clone();
    let again = app
        .client
        .get(app.url(href))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn an_unknown_address_gets_the_404_page_in_the_layout() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_text("/members/12345/secret").await;
    assert_eq!(status, 404);
    assert!(body.contains("<h1>Page not found</h1>"), "{body}");
    assert!(
        body.contains("Skip to main content"),
        "rendered inside the layout"
    );
    let (status, _) = app.get_text("/static/passwd").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_wrong_method_gets_the_405_page() {
    let app = TestApp::spawn().await;
    let client = app.new_client();
    let page = client.post("/", &[]).await;
    assert_eq!(page.status, 405);
    assert!(page.body.contains("<h1>Not allowed</h1>"), "{}", page.body);
}

#[tokio::test]
async fn healthz_answers_200_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok\n"));
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    if !app.env.is_postgres() {
        // An open SQLite file keeps answering even when unlinked; only a
        // database server can go away under a running process.
        eprintln!("SKIPPED here: needs the PostgreSQL suite (TEST_DATABASE_URL)");
        return;
    }
    // Terminate every connection the server holds and refuse new ones.
    let name = match &app.env.database {
        unionhall::config::DatabaseUrl::Postgres(url) => url.rsplit('/').next().unwrap().to_owned(),
        _ => unreachable!(),
    };
    let admin = crate::helpers::postgres_admin_url().unwrap();
    let mut conn = <diesel::PgConnection as diesel::Connection>::establish(&admin).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        &format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ),
    )
    .unwrap();
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body, "database unavailable\n",
        "healthz stays plain text for load balancers"
    );
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true;"),
    )
    .unwrap();
}

#[tokio::test]
async fn a_flash_message_is_shown_once() {
    let app = TestApp::spawn().await;
    let (member, _) = app.member("mia@example.org").await;
    member
        .post("/account/notifications", &[("kind", "arrears")])
        .await;
    let first = member.get("/account/notifications").await;
    assert!(first.body.contains("Your notification choices are saved."));
    let second = member.get("/account/notifications").await;
    assert!(
        !second.body.contains("Your notification choices are saved."),
        "not twice"
    );
}

#[tokio::test]
async fn times_read_in_the_locals_zone_and_name_it() {
    let app = TestApp::spawn_with(|config| {
        config.timezone = chrono_tz::America::Chicago;
    })
    .await;
    let (officer, _) = app.officer("olive@example.org").await;
    let now = app.config.clock.now();
    let local = now
        .and_utc()
        .with_timezone(&chrono_tz::America::Chicago)
        .format("%H:%M")
        .to_string();
    let sessions = officer.visit("/account/sessions").await;
    let zone_name = if sessions.body.contains(" CDT") {
        "CDT"
    } else {
        "CST"
    };
    assert!(
        sessions.body.contains(&format!("{local} {zone_name}")),
        "the sign-in time in Chicago's zone: {local} {zone_name} in\n{}",
        sessions.body
    );
    let audit = officer.visit("/officer/audit").await;
    assert!(
        audit.body.contains(&format!(" {zone_name}</td>")),
        "{}",
        audit.body
    );
}
