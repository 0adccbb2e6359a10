//! Signing in through the sign-in page, as each flow's people do.

use fantoccini::Client;

use crate::browser::{expect_heading, fill, press, visit};
use crate::helpers::{PASSWORD, TestApp};

/// Fills in and sends the sign-in form; what follows is the test's to check.
pub async fn sign_in(client: &Client, app: &TestApp, email: &str, password: &str) {
    visit(client, &app.url("/sign-in")).await;
    fill(client, "email", email).await;
    fill(client, "password", password).await;
    press(client, "Sign in").await;
}

/// Signs in afresh as someone without two-factor, who is welcomed by `name`.
pub async fn sign_in_as(client: &Client, app: &TestApp, email: &str, password: &str, name: &str) {
    client.delete_all_cookies().await.unwrap();
    sign_in(client, app, email, password).await;
    expect_heading(client, &format!("Welcome, {name}")).await;
}

/// Signs in afresh as one of the people `unionhall demo` makes.
pub async fn sign_in_demo(client: &Client, app: &TestApp, email: &str, name: &str) {
    sign_in_as(client, app, email, unionhall::demo::DEMO_PASSWORD, name).await;
}

/// Answers the second-factor page with the code an authenticator shows now.
pub async fn enter_code(client: &Client, app: &TestApp, secret: &str, name: &str) {
    fill(client, "code", &app.code(secret)).await;
    press(client, "Continue").await;
    expect_heading(client, &format!("Welcome, {name}")).await;
}

/// Signs in as a new officer, "Olive Officer", with two-factor done.
pub async fn sign_in_officer(client: &Client, app: &TestApp, email: &str) {
    let (_, secret) = app.officer_account(email);
    sign_in(client, app, email, PASSWORD).await;
    expect_heading(client, "Enter your code").await;
    enter_code(client, app, &secret, "Olive Officer").await;
}
