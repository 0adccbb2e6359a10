//! What an outside probe broke in signing in, and what it lives through now:
//! a stranger guessing from many addresses, old links, old session ids,
//! and signing out of a tab left open.

use std::time::Duration;

use unionhall::users::Role;

use crate::helpers::{PASSWORD, Page, TestApp, TestClient};

fn path_of(link: &str) -> String {
    url::Url::parse(link).unwrap().path().to_owned()
}

fn session_cookie(page: &Page) -> Option<String> {
    page.set_cookies
        .iter()
        .find(|c| c.starts_with("uh_session=") && !c.starts_with("uh_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// The status `GET /account` answers to a browser sending only this cookie.
async fn account_status_with(app: &TestApp, cookie: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/account"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A stranger's client at a new address each time (our proxy's entry last).
fn from_address(app: &TestApp, n: u32) -> TestClient {
    let mut client = app.new_client();
    client.forwarded_for = Some(format!(
        "10.{}.{}.{}",
        n / 65536 % 256,
        n / 256 % 256,
        n % 256
    ));
    client
}

/// The probe's pattern, on the server's clock: a stranger makes 2 wrong
/// tries a second, each from a new address (every other one from the
/// member's own address, as behind one router), for `seconds`; every
/// `every` seconds the owner runs `owner_try`. Returns the owner's
/// successes and tries.
async fn under_attack<F, Fut>(
    app: &TestApp,
    email: &str,
    seconds: u32,
    every: u32,
    mut owner_try: F,
) -> (usize, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let (mut ok, mut tries) = (0, 0);
    for second in 0..seconds {
        for n in 0..2 {
            let mut stranger = from_address(app, second * 2 + n);
            if n == 1 {
                stranger.forwarded_for = Some("198.51.100.7".into());
            }
            let answer = stranger.sign_in(email, "a wrong guess here").await;
            assert!(matches!(answer.status, 200 | 429), "{}", answer.body);
        }
        if second % every == every - 1 {
            tries += 1;
            if owner_try().await {
                ok += 1;
            }
        }
        app.config.clock.advance(Duration::from_secs(1));
    }
    (ok, tries)
}

#[tokio::test]
async fn a_stranger_guessing_from_many_addresses_cannot_keep_the_member_out() {
    let app = TestApp::spawn_with(|config| config.trust_proxy_headers = true).await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let mut laptop = app.new_client();
    laptop.forwarded_for = Some("198.51.100.7".into());
    assert_eq!(
        laptop.sign_in("mia@example.org", PASSWORD).await.status,
        303
    );

    // 130 s of guessing at 2 a second; Mia signs in from her laptop every 7 s.
    let (ok, tries) = under_attack(&app, "mia@example.org", 130, 7, || async {
        let answer = laptop.sign_in("mia@example.org", PASSWORD).await;
        answer.status == 303 && laptop.get("/account").await.status == 200
    })
    .await;
    assert_eq!((ok, tries), (18, 18), "Mia got in {ok} times of {tries}");

    // The stranger is still slowed: the next guess waits.
    let slowed = from_address(&app, 99_999)
        .sign_in("mia@example.org", "a wrong guess here")
        .await;
    assert_eq!(slowed.status, 429, "{}", slowed.body);
    assert!(slowed.body.contains("Wait"), "{}", slowed.body);
    // Mia's own typing mistakes from her laptop are still counted.
    for _ in 0..5 {
        let typo = laptop
            .sign_in("mia@example.org", "tin cup river spoo")
            .await;
        assert_eq!(typo.status, 200, "{}", typo.body);
        assert!(typo.body.contains("match an account"));
    }
    let sixth = laptop
        .sign_in("mia@example.org", "tin cup river spoo")
        .await;
    assert_eq!(sixth.status, 429, "{}", sixth.body);
}

/// Olive's password, then her code; true when her officer pages open.
async fn officer_signs_in(app: &TestApp, client: &TestClient, secret: &str) -> bool {
    let answer = client.sign_in("olive@example.org", PASSWORD).await;
    if answer.location.as_deref() != Some("/sign-in/two-factor?next=%2F") {
        return false;
    }
    let done = client
        .post(
            "/sign-in/two-factor",
            &[("code", &app.code(secret)), ("next", "/")],
        )
        .await;
    done.status == 303 && client.get("/officer/users").await.status == 200
}

#[tokio::test]
async fn an_officer_with_two_factor_gets_in_at_once_through_a_guessing_attack() {
    let app = TestApp::spawn_with(|config| config.trust_proxy_headers = true).await;
    let (_, secret) = app.officer_account("olive@example.org");
    let desk = app.new_client();
    assert!(officer_signs_in(&app, &desk, &secret).await);
    // Codes change every 30 s and each works once: she tries every 31 s.
    let (ok, tries) = under_attack(&app, "olive@example.org", 130, 31, || {
        officer_signs_in(&app, &desk, &secret)
    })
    .await;
    assert_eq!((ok, tries), (4, 4), "Olive got in {ok} times of {tries}");
}

#[tokio::test]
async fn from_a_new_browser_the_member_waits_a_minute_at_most_or_uses_a_reset_link() {
    let app = TestApp::spawn_with(|config| config.trust_proxy_headers = true).await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let mut library = app.new_client();
    library.forwarded_for = Some("192.0.2.40".into());
    // 40 s of guessing: the account-wide delay is at its cap.
    let (_, _) = under_attack(&app, "mia@example.org", 40, 1000, || async { false }).await;
    let held = library.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(
        held.status, 429,
        "a browser never seen is a stranger: {}",
        held.body
    );
    // The attack stops: a minute later she is in.
    app.config.clock.advance(Duration::from_secs(61));
    assert_eq!(
        library.sign_in("mia@example.org", PASSWORD).await.status,
        303
    );

    // The attack goes on from another new browser: a reset link mailed to
    // her lets her in from it, and it is known from then on.
    let mut phone = app.new_client();
    phone.forwarded_for = Some("192.0.2.41".into());
    let _ = under_attack(&app, "mia@example.org", 40, 1000, || async { false }).await;
    assert_eq!(phone.sign_in("mia@example.org", PASSWORD).await.status, 429);
    phone
        .post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let path = path_of(&mails[0].link(&format!("{}/password-reset/", app.address)));
    let new = "a brand new phrase";
    let reset = phone
        .post(&path, &[("password", new), ("confirm", new)])
        .await;
    assert_eq!(reset.status, 303, "{}", reset.body);
    let _ = under_attack(&app, "mia@example.org", 10, 1000, || async { false }).await;
    assert_eq!(phone.sign_in("mia@example.org", new).await.status, 303);
}

#[tokio::test]
async fn a_password_change_or_reset_ends_every_other_reset_and_invitation_link() {
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let mia = app.new_client();
    let reset_prefix = format!("{}/password-reset/", app.address);

    // Two reset links asked for; the second is used.
    mia.post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let first =
        path_of(&app.smtp.wait_for(1, Duration::from_secs(10)).await[0].link(&reset_prefix));
    mia.post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let second =
        path_of(&app.smtp.wait_for(2, Duration::from_secs(10)).await[1].link(&reset_prefix));
    let phrase = "a brand new phrase";
    let done = mia
        .post(&second, &[("password", phrase), ("confirm", phrase)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let old = mia.get(&first).await;
    assert_eq!(
        old.status, 404,
        "the older link died with the reset: {}",
        old.body
    );
    assert!(
        old.body.contains("as soon as the password is changed"),
        "{}",
        old.body
    );

    // A link asked for, then the password changed from the account page.
    mia.post("/password-reset", &[("email", "mia@example.org")])
        .await;
    let third =
        path_of(&app.smtp.wait_for(3, Duration::from_secs(10)).await[2].link(&reset_prefix));
    assert_eq!(mia.sign_in("mia@example.org", phrase).await.status, 303);
    let changed = mia
        .post(
            "/account/password",
            &[
                ("current", phrase),
                ("password", "another good phrase"),
                ("confirm", "another good phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let stale = app
        .new_client()
        .post(
            &third,
            &[
                ("password", "stolen link phrase"),
                ("confirm", "stolen link phrase"),
            ],
        )
        .await;
    assert_eq!(stale.status, 404, "{}", stale.body);
    assert!(stale.body.contains("expired"), "{}", stale.body);
    assert_eq!(
        app.new_client()
            .sign_in("mia@example.org", "another good phrase")
            .await
            .status,
        303,
        "the password from the account page stands"
    );

    // An invitation sent twice: accepting one ends the other.
    let (officer, _) = app.officer("olive@example.org").await;
    for _ in 0..2 {
        let sent = officer
            .post(
                "/officer/users/invite",
                &[
                    ("name", "Sam Steward"),
                    ("email", "sam@example.org"),
                    ("role", "member"),
                ],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
    }
    let mails = app.smtp.wait_for(5, Duration::from_secs(10)).await;
    let invites: Vec<String> = mails
        .iter()
        .filter(|m| m.to == ["sam@example.org"])
        .map(|m| path_of(&m.link(&format!("{}/invite/", app.address))))
        .collect();
    assert_eq!(invites.len(), 2);
    let sam = app.new_client();
    let accepted = sam
        .post(
            &invites[1],
            &[
                ("password", "harbour lights at dusk"),
                ("confirm", "harbour lights at dusk"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let other = sam.get(&invites[0]).await;
    assert_eq!(other.status, 404, "{}", other.body);
    assert!(other.body.contains("expired"), "{}", other.body);
}

#[tokio::test]
async fn the_session_id_changes_at_every_change_of_privilege() {
    let app = TestApp::spawn().await;
    let (mia, _) = app.member("mia@example.org").await;
    // Sign-in itself gives a new id (an id planted before is not kept).
    let planted = "uh_session=0000000000000000000000000000000000000000000000000000000000000000";
    let signed = app.new_client();
    let first = signed.sign_in("mia@example.org", PASSWORD).await;
    assert_ne!(session_cookie(&first).as_deref(), Some(planted));

    // A password change.
    let before = session_cookie(&mia.sign_in("mia@example.org", PASSWORD).await).unwrap();
    let phrase = "a brand new phrase";
    let changed = mia
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", phrase),
                ("confirm", phrase),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let after = session_cookie(&changed).expect("a new id with the new password");
    assert_ne!(before, after);
    assert_eq!(mia.get("/account").await.status, 200, "still signed in");
    assert_eq!(
        account_status_with(&app, &before).await,
        303,
        "the old id is worth nothing"
    );

    // Two-factor on: the recovery codes page answers with a new id, and its
    // sign-out button works under it.
    let page = mia.get("/account/two-factor").await;
    let secret = page
        .body
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    let enrolled = mia
        .post("/account/two-factor", &[("code", &app.code(&secret))])
        .await;
    assert_eq!(enrolled.status, 200, "{}", enrolled.body);
    let on = session_cookie(&enrolled).expect("a new id with two-factor on");
    assert_ne!(on, after);
    assert_eq!(account_status_with(&app, &after).await, 303);
    let token = enrolled.value_of("csrf_token").expect("a form on the page");
    let out = mia.post_raw("/sign-out", &[("csrf_token", &token)]).await;
    assert_eq!(
        out.status, 303,
        "signing out from the codes page: {}",
        out.body
    );
    assert_eq!(out.location.as_deref(), Some("/"));
    assert_eq!(account_status_with(&app, &on).await, 303, "signed out");

    // Two-factor off.
    mia.sign_in("mia@example.org", phrase).await;
    app.config.clock.advance(Duration::from_secs(30));
    let done = mia
        .post(
            "/sign-in/two-factor",
            &[("code", &app.code(&secret)), ("next", "/")],
        )
        .await;
    let with_code = session_cookie(&done).unwrap();
    let off = mia
        .post("/account/two-factor/disable", &[("password", phrase)])
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    let without = session_cookie(&off).expect("a new id with two-factor off");
    assert_ne!(with_code, without);
    assert_eq!(account_status_with(&app, &with_code).await, 303);
    assert_eq!(mia.get("/account").await.status, 200);

    // Roles: an officer raises Sam while Sam is signed in; Sam's session
    // ends and his next sign-in has the new role.
    let (olive_id, olive_secret) = app.officer_account("olive@example.org");
    let olive = app.new_client();
    olive.sign_in("olive@example.org", PASSWORD).await;
    let code = app.code(&olive_secret);
    let done = olive
        .post("/sign-in/two-factor", &[("code", &code), ("next", "/")])
        .await;
    let olive_before = session_cookie(&done).unwrap();
    let (sam, sam_id) = app.member("sam@example.org").await;
    assert_eq!(sam.get("/stewards/board").await.status, 403);
    let raised = olive
        .post(
            &format!("/officer/users/{sam_id}/roles"),
            &[("role", "member"), ("role", "steward")],
        )
        .await;
    assert_eq!(raised.status, 303, "{}", raised.body);
    let signed_out = sam.get("/stewards/board").await;
    assert_eq!(
        signed_out.status, 303,
        "Sam signs in again for his new role"
    );
    assert!(signed_out.location.unwrap().starts_with("/sign-in"));
    assert_eq!(sam.sign_in("sam@example.org", PASSWORD).await.status, 303);
    assert_eq!(sam.get("/stewards/board").await.status, 200);
    // An officer changing her own roles keeps her session under a new id.
    let own = olive
        .post(
            &format!("/officer/users/{olive_id}/roles"),
            &[
                ("role", "member"),
                ("role", "chief_steward"),
                ("role", "officer"),
            ],
        )
        .await;
    assert_eq!(own.status, 303, "{}", own.body);
    let olive_after = session_cookie(&own).expect("a new id with her own new roles");
    assert_ne!(olive_before, olive_after);
    assert_eq!(account_status_with(&app, &olive_before).await, 303);
    assert_eq!(olive.get("/officer/users").await.status, 200);
}

#[tokio::test]
async fn signing_out_from_a_tab_whose_session_ended_signs_out_with_a_message() {
    let app = TestApp::spawn().await;
    let (mia, _) = app.member("mia@example.org").await;
    // A tab left open over lunch: the session times out.
    let token = mia.get("/account").await.value_of("csrf-token").unwrap();
    app.config.clock.advance(Duration::from_secs(31 * 60));
    let out = mia.post_raw("/sign-out", &[("csrf_token", &token)]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(out.location.as_deref(), Some("/sign-in"));
    let page = mia.get("/sign-in").await;
    assert!(page.body.contains("You are signed out"), "{}", page.body);

    // Signed out in one tab, then again from another one left open.
    let tab = mia.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(tab.status, 303);
    let stale = mia.get("/account").await.value_of("csrf-token").unwrap();
    assert_eq!(mia.post("/sign-out", &[]).await.status, 303);
    let again = mia.post_raw("/sign-out", &[("csrf_token", &stale)]).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(again.location.as_deref(), Some("/sign-in"));

    // A forged sign-out of a live session is still refused, and she stays in.
    mia.sign_in("mia@example.org", PASSWORD).await;
    assert_eq!(mia.post_raw("/sign-out", &[]).await.status, 403);
    assert_eq!(
        mia.post_raw("/sign-out", &[("csrf_token", &stale)])
            .await
            .status,
        403
    );
    assert_eq!(mia.get("/account").await.status, 200);
}
