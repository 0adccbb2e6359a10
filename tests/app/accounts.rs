//! Accounts, roles and the protections every page relies on.

use std::time::Duration;

use diesel::prelude::*;
use unionhall::db::schema::{sessions, users};
use unionhall::users::Role;

use crate::helpers::{PASSWORD, TestApp};

fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    url.path().to_owned()
}

#[tokio::test]
async fn the_first_officer_is_made_from_the_one_time_setup_link() {
    let app = TestApp::spawn().await;
    let link = unionhall::auth::setup::setup_link_if_needed(&app.pool, &app.config)
        .unwrap()
        .expect("a link");
    assert!(link.starts_with(&app.address), "{link} uses BASE_URL");
    let path = path_of(&link);
    let client = app.new_client();
    let form = client.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Create the first officer account"));

    // A weak password is refused with the reason; what was typed is kept; nothing is saved.
    let refused = client
        .post(
            &path,
            &[
                ("name", "Olive Officer"),
                ("email", "olive@example.org"),
                ("password", "qwerty123456"),
                ("confirm", "qwerty123456"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("one of the most common"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Olive Officer\""));
    assert!(refused.body.contains("value=\"olive@example.org\""));
    assert!(
        !refused.body.contains("qwerty123456"),
        "the password is never sent back"
    );
    let count: i64 = users::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(count, 0);

    let made = client
        .post(
            &path,
            &[
                ("name", "Olive Officer"),
                ("email", "Olive@Example.org"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/sign-in"));
    let hash: Option<String> = users::table
        .select(users::password_hash)
        .first(&mut app.db())
        .unwrap();
    assert!(
        hash.unwrap().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "argon2id at the required cost"
    );

    // The link works once, and no new one is made while an officer exists.
    let again = client.get(&path).await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("already been used"), "{}", again.body);
    assert!(
        unionhall::auth::setup::setup_link_if_needed(&app.pool, &app.config)
            .unwrap()
            .is_none()
    );

    // The new officer must enrol in two-factor before anything else.
    let signed_in = client.sign_in("olive@example.org", PASSWORD).await;
    assert_eq!(signed_in.status, 303);
    let users_page = client.get("/officer/users").await;
    assert_eq!(users_page.location.as_deref(), Some("/account/two-factor"));
    assert!(
        app.audit_actions()
            .contains(&"first_officer_created".to_owned())
    );
}

#[tokio::test]
async fn a_setup_link_expires_after_an_hour() {
    let app = TestApp::spawn().await;
    let link = unionhall::auth::setup::setup_link_if_needed(&app.pool, &app.config)
        .unwrap()
        .unwrap();
    app.config.clock.advance(Duration::from_secs(61 * 60));
    let page = app.new_client().get(&path_of(&link)).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("expired"), "{}", page.body);
}

#[tokio::test]
async fn sign_in_sets_a_strict_session_cookie_and_a_new_id_each_time() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = app.new_client();
    let first = client.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(first.status, 303);
    let cookie = first
        .set_cookies
        .iter()
        .find(|c| c.starts_with("uh_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP here: {cookie}");
    let second = client.sign_in("mia@example.org", PASSWORD).await;
    let renewed = second
        .set_cookies
        .iter()
        .find(|c| c.starts_with("uh_session="))
        .unwrap();
    assert_ne!(
        cookie.split(';').next(),
        renewed.split(';').next(),
        "a new id at each sign-in"
    );
    let live: i64 = sessions::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(live, 1, "the session signed in over was ended");
    // Only a hash of the id is stored.
    let value = renewed
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("uh_session=");
    let stored: String = sessions::table
        .select(sessions::id_hash)
        .first(&mut app.db())
        .unwrap();
    assert_ne!(stored, value);
    assert_eq!(stored, unionhall::auth::tokens::hash_token(value));
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure() {
    let app = TestApp::spawn_with(|config| {
        config.base_url = url::Url::parse("https://hall.example.org").unwrap();
        config.base_url_follows_bind = false;
    })
    .await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let answer = app.new_client().sign_in("mia@example.org", PASSWORD).await;
    let cookie = answer
        .set_cookies
        .iter()
        .find(|c| c.starts_with("uh_session="))
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = app.new_client();
    let wrong = client.sign_in("mia@example.org", "not the right one").await;
    let unknown = client
        .sign_in("nobody@example.org", "not the right one")
        .await;
    assert_eq!(wrong.status, 200);
    assert_eq!(unknown.status, 200);
    let message = "That email address and password don&#39;t match an account.";
    assert!(wrong.body.contains(message), "{}", wrong.body);
    assert!(unknown.body.contains(message));
    assert!(
        wrong.body.contains("value=\"mia@example.org\""),
        "the email is kept"
    );
    assert!(
        !wrong.body.contains("not the right one"),
        "the password is not"
    );
    let actions = app.audit_actions();
    assert_eq!(actions.iter().filter(|a| *a == "sign_in_failed").count(), 2);
}

#[tokio::test]
async fn a_visitor_is_sent_to_sign_in_and_brought_back() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = app.new_client();
    let page = client.get("/account/sessions").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/sign-in?next=%2Faccount%2Fsessions")
    );
    let answer = client
        .post(
            "/sign-in",
            &[
                ("email", "mia@example.org"),
                ("password", PASSWORD),
                ("next", "/account/sessions"),
            ],
        )
        .await;
    assert_eq!(answer.location.as_deref(), Some("/account/sessions"));
    // A next that leaves the site is ignored.
    let answer = client
        .post(
            "/sign-in",
            &[
                ("email", "mia@example.org"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(answer.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn a_member_gets_403_on_every_officer_page() {
    let app = TestApp::spawn().await;
    let (member, _) = app.member("mia@example.org").await;
    let other = app.create_user("sam@example.org", "Sam", &[Role::Member]);
    for path in [
        "/officer/users",
        &format!("/officer/users/{other}"),
        "/officer/audit",
        "/officer/outbox",
    ] {
        let page = member.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("<h1>Not allowed</h1>"), "{path}");
    }
    let posts = [
        (
            "/officer/users/invite".to_owned(),
            vec![
                ("name", "X"),
                ("email", "x@example.org"),
                ("role", "officer"),
            ],
        ),
        (
            format!("/officer/users/{other}/roles"),
            vec![("role", "officer")],
        ),
        (format!("/officer/users/{other}/deactivate"), vec![]),
        ("/officer/outbox/1/retry".to_owned(), vec![]),
    ];
    for (path, fields) in &posts {
        let page = member.post(path, fields).await;
        assert_eq!(page.status, 403, "{path}");
    }
    let roles: Vec<String> = unionhall::db::schema::user_roles::table
        .filter(unionhall::db::schema::user_roles::user_id.eq(other))
        .select(unionhall::db::schema::user_roles::role)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(roles, ["member"], "nothing changed");
    let count: i64 = users::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(count, 2, "nobody was invited");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let fields = [
        ("name", "Xavier"),
        ("email", "x@example.org"),
        ("role", "member"),
    ];
    let missing = officer.post_raw("/officer/users/invite", &fields).await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("<h1>Not allowed</h1>"));
    assert!(
        missing
            .body
            .contains("This form has expired or did not come from this site, so nothing was done."),
        "{}",
        missing.body
    );
    let mut forged = fields.to_vec();
    forged.push((
        "csrf_token",
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    ));
    assert_eq!(
        officer
            .post_raw("/officer/users/invite", &forged)
            .await
            .status,
        403
    );
    // Another visitor's token does not work for this one.
    let stranger_token = app.new_client().csrf().await;
    let mut borrowed = fields.to_vec();
    borrowed.push(("csrf_token", &stranger_token));
    assert_eq!(
        officer
            .post_raw("/officer/users/invite", &borrowed)
            .await
            .status,
        403
    );
    let count: i64 = users::table
        .filter(users::email.eq("x@example.org"))
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(count, 0);
    // Sign-out without a token is refused too: a forged link cannot sign you out.
    assert_eq!(officer.post_raw("/sign-out", &[]).await.status, 403);
    assert_eq!(
        officer.post("/officer/users/invite", &fields).await.status,
        303,
        "with the token it works"
    );
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes() {
    let app = TestApp::spawn().await;
    let (member, _) = app.member("mia@example.org").await;
    app.config.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        member.get("/account").await.status,
        200,
        "29 minutes is fine"
    );
    app.config.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        member.get("/account").await.status,
        200,
        "use keeps it alive"
    );
    app.config.clock.advance(Duration::from_secs(31 * 60));
    let page = member.get("/account").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some("/sign-in?next=%2Faccount"));
    let sign_in = member.get("/sign-in?next=%2Faccount").await;
    assert!(
        sign_in.body.contains("Your session ended"),
        "{}",
        sign_in.body
    );
    let live: i64 = sessions::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(live, 0);
}

#[tokio::test]
async fn a_session_ends_12_hours_after_sign_in_however_busy() {
    let app = TestApp::spawn().await;
    let (member, _) = app.member("mia@example.org").await;
    for _ in 0..(11 * 3 + 2) {
        app.config.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(member.get("/account").await.status, 200);
    }
    app.config.clock.advance(Duration::from_secs(20 * 60));
    assert_eq!(member.get("/account").await.status, 303, "past 12 hours");
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let (laptop, _) = app.member("mia@example.org").await;
    let phone = app.new_client();
    phone.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(phone.get("/account").await.status, 200);

    let refused = laptop
        .post(
            "/account/password",
            &[
                ("current", "wrong guess here"),
                ("password", "a brand new phrase"),
                ("confirm", "a brand new phrase"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Your current password is not right"));
    assert_eq!(phone.get("/account").await.status, 200, "nothing changed");

    let changed = laptop
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", "a brand new phrase"),
                ("confirm", "a brand new phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(
        laptop.get("/account").await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        phone.get("/account").await.status,
        303,
        "the other one ended"
    );
    let fresh = app.new_client();
    assert_eq!(
        fresh.sign_in("mia@example.org", PASSWORD).await.status,
        200,
        "old password refused"
    );
    assert_eq!(
        fresh
            .sign_in("mia@example.org", "a brand new phrase")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_weaker_stored_hash_is_replaced_at_sign_in() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let app = TestApp::spawn().await;
    let id = app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    );
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let old = weak
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(&old))
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(
        app.new_client()
            .sign_in("mia@example.org", PASSWORD)
            .await
            .status,
        303
    );
    let now: Option<String> = users::table
        .find(id)
        .select(users::password_hash)
        .first(&mut app.db())
        .unwrap();
    assert!(now.unwrap().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[tokio::test]
async fn repeated_failures_slow_the_guesser_without_locking_out_the_member() {
    let app = TestApp::spawn_with(|config| config.trust_proxy_headers = true).await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let mut guesser = app.new_client();
    guesser.forwarded_for = Some("203.0.113.9".into());
    for _ in 0..5 {
        assert_eq!(
            guesser
                .sign_in("mia@example.org", "guess guess guess")
                .await
                .status,
            200
        );
    }
    // The sixth try waits, even with the right password.
    let slowed = guesser.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(slowed.status, 429);
    assert!(slowed.body.contains("Wait 1 second"), "{}", slowed.body);
    app.config.clock.advance(Duration::from_secs(2));
    assert_eq!(
        guesser
            .sign_in("mia@example.org", "guess guess guess")
            .await
            .status,
        200
    );
    let slower = guesser
        .sign_in("mia@example.org", "guess guess guess")
        .await;
    assert!(
        slower.body.contains("Wait 2 seconds"),
        "the delay doubles: {}",
        slower.body
    );

    // Keep guessing for a long while: the guesser's own delay grows long…
    for _ in 0..12 {
        app.config.clock.advance(Duration::from_secs(61));
        guesser
            .sign_in("mia@example.org", "guess guess guess")
            .await;
    }
    let long = guesser.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(long.status, 429);
    assert!(long.body.contains("minutes"), "{}", long.body);
    // …while the member, from her own address, waits at most a minute.
    let mut member = app.new_client();
    // What the client itself wrote comes first; our proxy's entry is last.
    member.forwarded_for = Some("203.0.113.9, 198.51.100.7".into());
    let first = member.sign_in("mia@example.org", PASSWORD).await;
    // Once the guesser is held back by their own address's long delay, the
    // account-wide count stops growing and its one-minute cap runs out.
    assert_eq!(first.status, 303, "{}", first.body);
    app.config.clock.advance(Duration::from_secs(61));
    assert_eq!(
        member.sign_in("mia@example.org", PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn a_password_reset_answers_the_same_for_known_and_unknown_addresses() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = app.new_client();
    let known = client
        .post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let unknown = client
        .post("/password-reset", &[("email", "nobody@example.org")])
        .await;
    assert_eq!(known.status, unknown.status);
    let strip = |body: &str| {
        body.lines()
            .filter(|l| !l.contains("csrf"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&known.body), strip(&unknown.body), "the same page");
    assert!(known.body.contains("Check your email"));

    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["mia@example.org"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.smtp.to("nobody@example.org").is_empty());

    let path = path_of(&mails[0].link(&format!("{}/password-reset/", app.address)));
    let other_device = app.new_client();
    other_device.sign_in("mia@example.org", PASSWORD).await;
    let form = client.get(&path).await;
    assert_eq!(form.status, 200);
    let short = client
        .post(&path, &[("password", "short"), ("confirm", "short")])
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("at least 12 characters"));
    let done = client
        .post(
            &path,
            &[
                ("password", "a brand new phrase"),
                ("confirm", "a brand new phrase"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        other_device.get("/account").await.status,
        303,
        "sessions ended by the reset"
    );
    let reused = client
        .post(
            &path,
            &[
                ("password", "another new phrase"),
                ("confirm", "another new phrase"),
            ],
        )
        .await;
    assert_eq!(reused.status, 404);
    assert!(reused.body.contains("already been used"));
    assert_eq!(
        app.new_client()
            .sign_in("mia@example.org", "a brand new phrase")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_reset_link_expires_after_30_minutes() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = app.new_client();
    client
        .post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let path = path_of(&mails[0].link(&format!("{}/password-reset/", app.address)));
    app.config.clock.advance(Duration::from_secs(31 * 60));
    let page = client.get(&path).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("expired"));
}

#[tokio::test]
async fn two_factor_enrolment_then_sign_in_with_a_code_and_a_recovery_code_once() {
    let app = TestApp::spawn().await;
    let (client, id) = app.member("mia@example.org").await;
    let page = client.get("/account/two-factor").await;
    assert!(page.body.contains("<svg"), "a QR code drawn on the server");
    let secret = page
        .body
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let wrong = client
        .post("/account/two-factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("didn&#39;t match"), "{}", wrong.body);
    let enrolled = client
        .post("/account/two-factor", &[("code", &app.code(&secret))])
        .await;
    assert_eq!(enrolled.status, 200);
    let codes: Vec<String> = enrolled
        .body
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let secret_stored: Option<String> = users::table
        .find(id)
        .select(users::totp_secret)
        .first(&mut app.db())
        .unwrap();
    // Stored sealed (finding 8 of issue 13), opening to the key shown.
    let secret_stored = secret_stored.unwrap();
    assert!(!secret_stored.contains(&secret), "{secret_stored}");
    assert_eq!(
        unionhall::auth::two_factor::SecretBox::of(&app.config).open(id, &secret_stored),
        Ok(secret.clone())
    );

    // Signing in now asks for a code.
    let fresh = app.new_client();
    let answer = fresh.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(
        answer.location.as_deref(),
        Some("/sign-in/two-factor?next=%2F")
    );
    assert_eq!(
        fresh.get("/account").await.location.as_deref(),
        Some("/sign-in/two-factor"),
        "not signed in yet"
    );
    let bad = fresh
        .post("/sign-in/two-factor", &[("code", "123456"), ("next", "/")])
        .await;
    assert!(bad.body.contains("didn&#39;t match"));
    app.config.clock.advance(Duration::from_secs(30));
    let good = fresh
        .post(
            "/sign-in/two-factor",
            &[("code", &app.code(&secret)), ("next", "/account")],
        )
        .await;
    assert_eq!(good.location.as_deref(), Some("/account"));
    assert_eq!(fresh.get("/account").await.status, 200);

    // A recovery code works once.
    let lost_phone = app.new_client();
    lost_phone.sign_in("mia@example.org", PASSWORD).await;
    let used = lost_phone
        .post(
            "/sign-in/two-factor",
            &[("code", &codes[0].to_lowercase()), ("next", "/")],
        )
        .await;
    assert_eq!(used.status, 303, "{}", used.body);
    let again = app.new_client();
    again.sign_in("mia@example.org", PASSWORD).await;
    let reused = again
        .post("/sign-in/two-factor", &[("code", &codes[0]), ("next", "/")])
        .await;
    assert_eq!(reused.status, 200);
    assert!(reused.body.contains("didn&#39;t match"));
    let actions = app.audit_actions();
    assert!(actions.contains(&"two_factor_enabled".to_owned()));
    assert!(actions.contains(&"second_factor_failed".to_owned()));
}

#[tokio::test]
async fn an_officer_cannot_turn_two_factor_off() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let page = officer
        .post("/account/two-factor/disable", &[("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("Officers must keep two-factor sign-in on.")
    );
}

#[tokio::test]
async fn an_invitation_leads_to_a_password_and_a_sign_in() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let bad = officer
        .post(
            "/officer/users/invite",
            &[("name", ""), ("email", "not-an-address")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter a name."));
    assert!(
        bad.body
            .contains("Enter an email address like name@example.org.")
    );
    assert!(bad.body.contains("Choose at least one role."));
    assert!(bad.body.contains("value=\"not-an-address\""), "typing kept");

    let sent = officer
        .post(
            "/officer/users/invite",
            &[
                ("name", "Sam Steward"),
                ("email", "sam@example.org"),
                ("role", "member"),
                ("role", "steward"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails[0].to, ["sam@example.org"]);
    let path = path_of(&mails[0].link(&format!("{}/invite/", app.address)));
    let sam = app.new_client();
    assert_eq!(
        sam.sign_in("sam@example.org", PASSWORD).await.status,
        200,
        "no password yet"
    );
    let set = sam
        .post(&path, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(set.status, 303);
    let location = set.location.clone().unwrap_or_default();
    assert_eq!(location, "/sign-in?email=sam%40example.org");
    let filled = sam.get(&location).await;
    assert!(
        filled.body.contains("value=\"sam@example.org\""),
        "{}",
        filled.body
    );
    assert_eq!(sam.sign_in("sam@example.org", PASSWORD).await.status, 303);
    let account = sam.get("/account").await;
    assert!(account.body.contains("Member, Steward"), "{}", account.body);
    let actions = app.audit_actions();
    assert!(actions.contains(&"invitation_sent".to_owned()));
    assert!(actions.contains(&"invitation_accepted".to_owned()));
}

#[tokio::test]
async fn deactivation_signs_someone_out_and_keeps_them_out() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let (member, member_id) = app.member("mia@example.org").await;
    let done = officer
        .post(&format!("/officer/users/{member_id}/deactivate"), &[])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(member.get("/account").await.status, 303);
    let refused = app.new_client().sign_in("mia@example.org", PASSWORD).await;
    assert!(refused.body.contains("deactivated"), "{}", refused.body);
    let own = officer.post("/officer/users/1/deactivate", &[]).await;
    assert_eq!(own.status, 422, "an officer cannot deactivate themself");
    assert!(app.audit_actions().contains(&"deactivation".to_owned()));
}

#[tokio::test]
async fn role_changes_are_audited_with_old_and_new() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let sam = app.create_user("sam@example.org", "Sam", &[Role::Member]);
    let saved = officer
        .post(
            &format!("/officer/users/{sam}/roles"),
            &[("role", "member"), ("role", "chief_steward")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let audit = officer.get("/officer/audit?action=role_change").await;
    assert_eq!(audit.status, 200);
    assert!(
        audit.body.contains("member -&#62; member,chief_steward"),
        "{}",
        audit.body
    );
    assert!(
        !audit.body.contains("sign_in_second_factor</td>"),
        "filtered by action"
    );
    let by_person = officer.get("/officer/audit?person=SAM@").await;
    assert!(by_person.body.contains("sam@example.org"));
    let bad_date = officer.get("/officer/audit?from=yesterday").await;
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.body.contains("is not a date"));
}

#[tokio::test]
async fn the_sessions_page_lists_sessions_and_signs_out_everywhere() {
    let app = TestApp::spawn().await;
    let (laptop, _) = app.member("mia@example.org").await;
    let phone = app.new_client();
    phone.sign_in("mia@example.org", PASSWORD).await;
    let page = laptop.get("/account/sessions").await;
    assert_eq!(
        page.body.matches("<tr>").count(),
        3,
        "a header and two sessions"
    );
    assert!(page.body.contains("(this one)"));
    let ended = laptop.post("/account/sessions/end-others", &[]).await;
    assert_eq!(ended.status, 303);
    assert_eq!(phone.get("/account").await.status, 303);
    assert_eq!(laptop.get("/account").await.status, 200);
    laptop.post("/account/sessions/end-all", &[]).await;
    assert_eq!(laptop.get("/account").await.status, 303);
}

#[tokio::test]
async fn notification_choices_are_kept_but_essential_ones_stay_on() {
    let app = TestApp::spawn().await;
    let (member, id) = app.member("mia@example.org").await;
    let saved = member
        .post(
            "/account/notifications",
            &[("kind", "arrears"), ("kind", "account")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = member.get("/account/notifications").await;
    assert!(
        page.body
            .contains("id=\"kind-arrears\" name=\"kind\" value=\"arrears\" checked"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("value=\"grievance_updates\" checked"));
    let mut conn = app.db();
    let kinds = unionhall::mail::preferences::for_user(&mut conn, id).unwrap();
    let on: Vec<&str> = kinds
        .iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(on, ["account", "election", "arrears"]);
}

#[tokio::test]
async fn the_outbox_page_shows_a_failure_and_retries_it() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    app.queue_test_mail("reject@example.org");
    let mut page = officer.get("/officer/outbox?status=failed").await;
    for _ in 0..100 {
        if page.body.contains("reject@example.org") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = officer.get("/officer/outbox?status=failed").await;
    }
    assert!(page.body.contains("reject@example.org"));
    assert!(
        page.body.contains("No such mailbox"),
        "the server's words: {}",
        page.body
    );
    let id: i64 = unionhall::db::schema::outbox::table
        .select(unionhall::db::schema::outbox::id)
        .first(&mut app.db())
        .unwrap();
    let retried = officer
        .post(&format!("/officer/outbox/{id}/retry"), &[])
        .await;
    assert_eq!(retried.status, 303);
    assert!(app.audit_actions().contains(&"mail_retry".to_owned()));
}

#[tokio::test]
async fn a_hall_full_of_members_behind_one_router_all_sign_in() {
    // More correct sign-ins at once than the address's free failures.
    const MEMBERS: usize = 70;
    let app = TestApp::spawn().await;
    let emails: Vec<String> = (0..MEMBERS)
        .map(|i| format!("member{i}@example.org"))
        .collect();
    for email in &emails {
        app.create_user(email, "Hall Member", &[Role::Member]);
    }
    let clients: Vec<_> = emails.iter().map(|_| app.new_client()).collect();
    let answers = futures_util::future::join_all(
        clients
            .iter()
            .zip(&emails)
            .map(|(client, email)| client.sign_in(email, PASSWORD)),
    )
    .await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|a| a.location.as_deref() != Some("/"))
        .map(|a| (a.status, a.body.contains("Too many attempts")))
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {MEMBERS} refused: {refused:?}",
        refused.len()
    );
    // A real failure from the hall still counts against the address.
    let wrong = app
        .new_client()
        .sign_in(&emails[0], "not the password")
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("match an account"), "{}", wrong.body);
}

#[tokio::test]
async fn the_session_id_changes_when_the_second_factor_is_given() {
    let app = TestApp::spawn().await;
    let (_, secret) = app.officer_account("olive@example.org");
    let client = app.new_client();
    let first = client.sign_in("olive@example.org", PASSWORD).await;
    let session_cookie = |page: &crate::helpers::Page| {
        page.set_cookies
            .iter()
            .find(|c| c.starts_with("uh_session="))
            .map(|c| c.split(';').next().unwrap().to_owned())
    };
    let before = session_cookie(&first).expect("a pending session after the password");
    let done = client
        .post(
            "/sign-in/two-factor",
            &[("code", &app.code(&secret)), ("next", "/")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = session_cookie(&done).expect("a new session id with the code");
    assert_ne!(before, after, "the id is rotated");
    assert_eq!(client.get("/officer/users").await.status, 200);
    // The id from before the code is worth nothing now.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/officer/users"))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_ne!(replay.status().as_u16(), 200, "the old id signs nobody in");
}
