//! Accepting an officer's invitation: choosing a first password.

use actix_web::{HttpRequest, HttpResponse, web};

use super::reset::{ChoosePasswordForm, choose_form, choose_submit};
use super::tokens::Purpose;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;

const TITLE: &str = "Welcome: choose your password";

/// `GET /invite/{token}`.
pub async fn form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/invite/{token}");
    choose_form(page, &state, Purpose::Invite, token, TITLE, action).await
}

/// `POST /invite/{token}`.
pub async fn submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ChoosePasswordForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/invite/{token}");
    choose_submit(
        &req,
        page,
        &state,
        Purpose::Invite,
        token,
        TITLE,
        action,
        form.into_inner(),
    )
    .await
}
