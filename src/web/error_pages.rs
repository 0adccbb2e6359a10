//! Renders `error.html` for every error response that is not already a
//! page, whichever part of the stack produced it, showing no internal detail.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, Result};
use askama::Template;

use super::layout::Page;
use crate::error::{KeepBody, PublicMessage};

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    page: Page,
    status: u16,
    title: &'static str,
    message: String,
}

fn wording(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Bad request",
            "The request could not be understood. Go back and try again.",
        ),
        401 => ("Please sign in", "You need to sign in to see this page."),
        403 => ("Not allowed", "You do not have permission to do that."),
        404 => (
            "Page not found",
            "There is nothing at this address, or you cannot see it.",
        ),
        405 => ("Not allowed", "That action is not available here."),
        413 => (
            "Too long to read",
            "What was sent is longer than this form takes, so it was not read and nothing was saved. Go back, shorten the text and send it again.",
        ),
        422 => (
            "Not saved",
            "Something in the form could not be taken, so nothing was saved. Go back and check it.",
        ),
        429 => ("Too many attempts", "Please wait a little and try again."),
        503 => (
            "Unavailable",
            "The service is briefly unavailable. Please try again shortly.",
        ),
        s if s >= 500 => (
            "Something went wrong",
            "Something went wrong on our side. Nothing you did caused it; please try again. If it keeps happening, tell an officer.",
        ),
        _ => (
            "Something went wrong",
            "The request could not be completed.",
        ),
    }
}

/// The `ErrorHandlers` default handler.
pub fn render<B>(res: ServiceResponse<B>) -> Result<ErrorHandlerResponse<B>> {
    let is_page = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let keep = res.response().extensions().get::<KeepBody>().is_some();
    if keep || is_page || !res.status().is_client_error() && !res.status().is_server_error() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let public = res.response().extensions().get::<PublicMessage>().cloned();
    let (request, response) = res.into_parts();
    let (title, default_message) = wording(status);
    let page = ErrorPage {
        page: Page::for_request(&request),
        status: status.as_u16(),
        title,
        message: public.map_or_else(|| default_message.to_owned(), |m| m.0),
    };
    let body = page.render().unwrap_or_else(|_| format!("{status}"));
    let mut rendered = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH {
            rendered.append_header((name.clone(), value.clone()));
        }
    }
    let mut rendered: HttpResponse<BoxBody> = rendered
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .body(body);
    super::flash::clear_if_shown(&request, &mut rendered);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, rendered).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::ErrorHandlers;
    use actix_web::{App, HttpResponse, test, web};

    use crate::error::AppError;

    async fn fails() -> Result<HttpResponse, AppError> {
        Err(AppError::Internal(
            "password column missing in table users".into(),
        ))
    }

    async fn refuses() -> Result<HttpResponse, AppError> {
        Err(AppError::BadRequest("That link has expired.".into()))
    }

    #[actix_web::test]
    async fn a_server_error_shows_the_page_without_the_internal_detail() {
        let app = test::init_service(
            App::new()
                .route("/fail", web::get().to(fails))
                .route("/refuse", web::get().to(refuses))
                .wrap(ErrorHandlers::new().default_handler(super::render)),
        )
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/fail").to_request()).await;
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "text/html; charset=utf-8"
        );
        let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
        assert!(body.contains("<h1>Something went wrong</h1>"), "{body}");
        assert!(!body.contains("password column"), "{body}");

        let response =
            test::call_service(&app, test::TestRequest::get().uri("/refuse").to_request()).await;
        assert_eq!(response.status(), 400);
        let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
        assert!(
            body.contains("That link has expired."),
            "a bad request says what was wrong: {body}"
        );
    }
}
