//! Accepting an officer's invitation: choosing a first password.

use actix_web::{HttpRequest, HttpResponse, web};

use super::password::NewPasswordFields;
use super::password_link::{PasswordLink, choose_form, choose_submit};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;

/// `GET /invite/{token}`.
pub async fn form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    choose_form(page, &state, PasswordLink::invite(token.into_inner())).await
}

/// `POST /invite/{token}`.
pub async fn submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<NewPasswordFields>,
) -> Result<HttpResponse, AppError> {
    let link = PasswordLink::invite(token.into_inner());
    choose_submit(&req, page, &state, link, form.into_inner()).await
}
