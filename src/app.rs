//! Builds the server: the pool, the mail worker, the middleware, and every
//! route in one place.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers, Logger};
use actix_web::{App, HttpServer, web};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::password::Hasher;
use crate::auth::{account, csrf, invite, reset, session, setup, sign_in};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::dues::{checkoff_pages, handlers as dues_pages, member_ledger, reversal_pages};
use crate::elections::{admin as election_admin, voting};
use crate::grievances::{
    attachments as grievance_files, board, filing, pages as grievance_pages, procedure_pages,
    reports as grievance_reports,
};
use crate::mail::worker::Worker;
use crate::mail::{MailWaker, Transport};
use crate::officer;
use crate::roster::edit as roster_edit;
use crate::roster::handlers as roster_pages;
use crate::roster::unit_pages as units_pages;
use crate::roster::{import_page, imports};
use crate::salary::{forms as salary_forms, views as salary_views};
use crate::state::AppState;
use crate::users::handlers as users_pages;
use crate::web::{assets, error_pages, headers, home, once};

/// Why the server did not start; each says what to fix in one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] db::DbError),
    /// The listening address could not be taken.
    #[error("cannot listen on BIND={addr}: {reason}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// What the system said.
        reason: String,
    },
    /// The mail transport could not be set up.
    #[error("mail: {0}")]
    Mail(String),
}

/// Registers every route. Feature modules add theirs here, nowhere else.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(read().to(home::home)))
        .service(web::resource("/healthz").route(read().to(home::healthz)))
        .service(web::resource("/static/{name}").route(read().to(assets::serve)))
        // Signing in and out, and the one-time links.
        .service(
            web::resource("/sign-in")
                .route(read().to(sign_in::form))
                .route(web::post().to(sign_in::submit)),
        )
        .service(
            web::resource("/sign-in/two-factor")
                .route(read().to(sign_in::second_factor_form))
                .route(web::post().to(sign_in::second_factor_submit)),
        )
        .service(web::resource("/sign-out").route(web::post().to(sign_in::sign_out)))
        .service(
            web::resource("/setup/{token}")
                .route(read().to(setup::form))
                .route(web::post().to(setup::submit)),
        )
        .service(
            web::resource("/password-reset")
                .route(read().to(reset::request_form))
                .route(web::post().to(reset::request_submit)),
        )
        .service(
            web::resource("/password-reset/{token}")
                .route(read().to(reset::reset_form))
                .route(web::post().to(reset::reset_submit)),
        )
        .service(
            web::resource("/invite/{token}")
                .route(read().to(invite::form))
                .route(web::post().to(invite::submit)),
        )
        // A person's own account.
        .service(web::resource("/account").route(read().to(account::overview)))
        .service(
            web::resource("/account/password")
                .route(read().to(account::password_form))
                .route(web::post().to(account::password_submit)),
        )
        .service(web::resource("/account/sessions").route(read().to(account::sessions)))
        .service(
            web::resource("/account/sessions/end-others")
                .route(web::post().to(account::end_other_sessions)),
        )
        .service(
            web::resource("/account/sessions/end-all")
                .route(web::post().to(account::end_all_sessions)),
        )
        .service(
            web::resource("/account/two-factor")
                .route(read().to(account::two_factor_page))
                .route(web::post().to(account::two_factor_enrol)),
        )
        .service(
            web::resource("/account/two-factor/recovery-codes")
                .route(web::post().to(account::two_factor_new_codes)),
        )
        .service(
            web::resource("/account/two-factor/disable")
                .route(web::post().to(account::two_factor_disable)),
        )
        .service(
            web::resource("/account/notifications")
                .route(read().to(account::notifications))
                .route(web::post().to(account::notifications_submit)),
        )
        // Officers.
        .service(web::resource("/officer/users").route(read().to(users_pages::list)))
        .service(web::resource("/officer/users/invite").route(web::post().to(users_pages::invite)))
        .service(web::resource("/officer/users/{id}").route(read().to(users_pages::show)))
        .service(
            web::resource("/officer/users/{id}/roles")
                .route(web::post().to(users_pages::set_roles)),
        )
        .service(
            web::resource("/officer/users/{id}/{verb}")
                .route(web::post().to(users_pages::set_active)),
        )
        .service(web::resource("/officer/audit").route(read().to(officer::audit_log)))
        // The dues roll.
        .service(web::resource("/dues").route(read().to(member_ledger::statement)))
        .service(web::resource("/officer/roster").route(read().to(roster_pages::list)))
        .service(
            web::resource("/officer/roster/new")
                .route(read().to(roster_edit::new_form))
                .route(web::post().to(roster_edit::save)),
        )
        .service(web::resource("/officer/roster/export.csv").route(read().to(roster_pages::export)))
        .service(web::resource("/officer/roster/{id}").route(read().to(member_ledger::show)))
        .service(
            web::resource("/officer/roster/{id}/edit")
                .route(read().to(roster_edit::edit_form))
                .route(web::post().to(roster_edit::save)),
        )
        .service(
            web::resource("/officer/roster/{id}/ledger")
                .route(web::post().to(member_ledger::add_entry)),
        )
        .service(
            web::resource("/officer/roster/{id}/reversals")
                .route(web::post().to(member_ledger::reverse_entry)),
        )
        .service(web::resource("/officer/imports").route(read().to(import_page::index)))
        .service(
            web::resource("/officer/imports/roster").route(web::post().to(imports::roster_upload)),
        )
        .service(
            web::resource("/officer/imports/checkoff")
                .route(web::post().to(checkoff_pages::upload)),
        )
        .service(
            web::resource("/officer/imports/checkoff/reversals")
                .route(web::post().to(reversal_pages::reverse_import)),
        )
        .service(
            web::resource("/officer/imports/{token}/confirm")
                .route(web::post().to(imports::confirm)),
        )
        .service(
            web::resource("/officer/units")
                .route(read().to(units_pages::index))
                .route(web::post().to(units_pages::save)),
        )
        .service(web::resource("/officer/units/{id}").route(web::post().to(units_pages::save)))
        .service(web::resource("/officer/dues").route(read().to(dues_pages::index)))
        .service(web::resource("/officer/dues/rate").route(web::post().to(dues_pages::set_rate)))
        .service(web::resource("/officer/dues/post").route(web::post().to(dues_pages::post_month)))
        .service(
            web::resource("/officer/dues/reversals")
                .route(web::post().to(reversal_pages::reverse_posting)),
        )
        .service(
            web::resource("/officer/dues/arrears-notices")
                .route(web::post().to(dues_pages::arrears_notices)),
        )
        .service(
            web::resource("/officer/dues/reconciliation")
                .route(read().to(dues_pages::reconciliation)),
        )
        // Grievances.
        .service(web::resource("/grievances").route(read().to(grievance_pages::list)))
        .service(
            web::resource("/grievances/new")
                .route(read().to(filing::new_form))
                .route(web::post().to(filing::file)),
        )
        .service(web::resource("/grievances/{id}").route(read().to(grievance_pages::show)))
        .service(
            web::resource("/grievances/{id}/acts")
                .route(web::post().to(grievance_pages::record_act)),
        )
        .service(
            web::resource("/grievances/{id}/extensions")
                .route(web::post().to(grievance_pages::extend)),
        )
        .service(
            web::resource("/grievances/{id}/notes")
                .route(web::post().to(grievance_pages::add_note)),
        )
        .service(
            web::resource("/grievances/{id}/assign").route(web::post().to(grievance_pages::assign)),
        )
        .service(
            web::resource("/grievances/{id}/continuing")
                .route(web::post().to(grievance_pages::set_continuing)),
        )
        .service(
            web::resource("/grievances/{id}/void").route(web::post().to(grievance_pages::void)),
        )
        .service(
            web::resource("/grievances/{id}/attachments")
                .route(web::post().to(grievance_files::upload)),
        )
        .service(
            web::resource("/grievances/{id}/attachments/{attachment}")
                .route(read().to(grievance_files::download)),
        )
        .service(web::resource("/stewards/board").route(read().to(board::board)))
        .service(web::resource("/stewards/reports").route(read().to(grievance_reports::reports)))
        .service(
            web::resource("/stewards/reports/grievances.csv")
                .route(read().to(grievance_reports::export)),
        )
        .service(
            web::resource("/officer/units/{id}/procedure")
                .route(read().to(procedure_pages::form))
                .route(web::post().to(procedure_pages::save)),
        )
        // Salary-floor comparisons.
        .service(web::resource("/salary").route(read().to(salary_views::index)))
        .service(web::resource("/salary/compare").route(read().to(salary_views::compare)))
        .service(web::resource("/salary/scenarios/{id}").route(read().to(salary_views::scenario)))
        .service(
            web::resource("/salary/scenarios/{id}/aggregates.csv")
                .route(read().to(salary_views::aggregates_csv)),
        )
        .service(
            web::resource("/officer/salary/units/{id}")
                .route(read().to(salary_forms::unit_settings))
                .route(web::post().to(salary_forms::save_unit_settings)),
        )
        .service(
            web::resource("/officer/salary/units/{id}/scenarios/new")
                .route(read().to(salary_forms::new_scenario))
                .route(web::post().to(salary_forms::create)),
        )
        .service(
            web::resource("/officer/salary/scenarios/{id}/edit")
                .route(read().to(salary_forms::edit_scenario))
                .route(web::post().to(salary_forms::update)),
        )
        .service(
            web::resource("/officer/salary/scenarios/{id}/copy")
                .route(web::post().to(salary_forms::copy)),
        )
        .service(
            web::resource("/officer/salary/scenarios/{id}/rows.csv")
                .route(read().to(salary_views::rows_csv)),
        )
        // Elections.
        .service(web::resource("/elections").route(read().to(voting::list)))
        .service(web::resource("/elections/{id}").route(read().to(voting::show)))
        .service(
            web::resource("/elections/{id}/challenge")
                .route(web::post().to(voting::challenge::challenge)),
        )
        .service(web::resource("/elections/{id}/ballot").route(read().to(voting::ballot::ballot)))
        .service(
            web::resource("/elections/{id}/confirm").route(web::post().to(voting::ballot::confirm)),
        )
        .service(web::resource("/elections/{id}/cast").route(web::post().to(voting::ballot::cast)))
        .service(web::resource("/officer/elections").route(read().to(election_admin::list)))
        .service(
            web::resource("/officer/elections/new")
                .route(read().to(election_admin::drafts::new_form))
                .route(web::post().to(election_admin::drafts::create)),
        )
        .service(web::resource("/officer/elections/{id}").route(read().to(election_admin::show)))
        .service(
            web::resource("/officer/elections/{id}/edit")
                .route(read().to(election_admin::drafts::edit_form))
                .route(web::post().to(election_admin::drafts::update)),
        )
        .service(
            web::resource("/officer/elections/{id}/publish")
                .route(web::post().to(election_admin::lifecycle::publish)),
        )
        .service(
            web::resource("/officer/elections/{id}/open")
                .route(web::post().to(election_admin::lifecycle::open_now)),
        )
        .service(
            web::resource("/officer/elections/{id}/close")
                .route(web::post().to(election_admin::lifecycle::close_early)),
        )
        .service(
            web::resource("/officer/elections/{id}/paper")
                .route(web::post().to(election_admin::paper::paper)),
        )
        .service(
            web::resource("/officer/elections/{id}/reminders")
                .route(web::post().to(election_admin::reminders::remind)),
        )
        .service(
            web::resource("/officer/elections/{id}/purge")
                .route(web::post().to(election_admin::lifecycle::purge)),
        )
        .service(
            web::resource("/officer/elections/{id}/challenges/{challenge}")
                .route(web::post().to(election_admin::roll::resolve)),
        )
        .service(
            web::resource("/officer/elections/{id}/certificate")
                .route(read().to(election_admin::certificate::certificate)),
        )
        .service(web::resource("/officer/outbox").route(read().to(officer::outbox_page)))
        .service(web::resource("/officer/outbox/{id}/retry").route(web::post().to(officer::retry)));
}

/// GET, and HEAD answered the same way without a body. A resource answers
/// any other method with 405.
fn read() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    config: Config,
    server: Server,
    pool: DbPool,
    worker: JoinHandle<()>,
    reminders: JoinHandle<()>,
    stop_worker: watch::Sender<bool>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens and migrates the database, binds `config.bind` (port 0 picks a
    /// free one, as the tests do), and starts the mail worker.
    pub async fn build(mut config: Config) -> Result<Self, StartupError> {
        let web_workers = config.web_workers;
        let database = config.database.clone();
        let pool_size = config.db_pool_size;
        let pool =
            tokio::task::spawn_blocking(move || db::connect_and_migrate(&database, pool_size))
                .await
                .map_err(|e| StartupError::Mail(format!("start-up task failed: {e}")))??;
        let listener = TcpListener::bind(config.bind).map_err(|e| StartupError::Bind {
            addr: config.bind,
            reason: e.to_string(),
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind {
                addr: config.bind,
                reason: e.to_string(),
            })?
            .port();
        if config.base_url_follows_bind {
            // Port 0 became a real port; links in emails must carry it.
            let _ = config.base_url.set_port(Some(port));
        }
        let transport = Transport::from_config(&config.mail_transport, config.outbox.send_timeout)
            .map_err(StartupError::Mail)?;

        let mail_waker = MailWaker::default();
        let (stop_worker, stopped) = watch::channel(false);
        let worker = Worker {
            pool: pool.clone(),
            transport,
            from: config.mail_from.clone(),
            settings: config.outbox.clone(),
            waker: mail_waker.clone(),
        };
        let reminders = tokio::spawn(crate::jobs::run(
            pool.clone(),
            config.clone(),
            config.reminder_every,
            mail_waker.clone(),
            stopped.clone(),
        ));
        let worker = tokio::spawn(worker.run(stopped));

        let behind_https = config.behind_https();
        let hasher = {
            let limit = config.hash_concurrency;
            tokio::task::spawn_blocking(move || Hasher::new(limit))
                .await
                .map_err(|e| StartupError::Mail(format!("start-up task failed: {e}")))?
        };
        let final_config = config.clone();
        let state = web::Data::new(AppState {
            config,
            pool: pool.clone(),
            mail_waker,
            hasher,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .configure(routes)
                .default_service(web::to(not_found))
                // Inside the CSRF check: only a genuine form claims its key.
                .wrap(actix_web::middleware::from_fn(once::middleware))
                .wrap(actix_web::middleware::from_fn(csrf::middleware))
                .wrap(actix_web::middleware::from_fn(session::middleware))
                .wrap(ErrorHandlers::new().default_handler(error_pages::render))
                .wrap(Compress::default())
                .wrap(headers::security_headers(behind_https))
                .wrap(
                    Logger::new("%a \"%{request}xi\" %s %Dms")
                        .custom_request_replace("request", logged_request),
                )
        })
        .workers(web_workers.max(1))
        .disable_signals()
        .listen(listener)
        .map_err(|e| StartupError::Bind {
            addr: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            reason: e.to_string(),
        })?
        .run();
        Ok(Self {
            port,
            config: final_config,
            server,
            pool,
            worker,
            reminders,
            stop_worker,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The settings in force, with the bound port filled in.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The database pool, for commands and tests that work beside the server.
    pub fn pool(&self) -> DbPool {
        self.pool.clone()
    }

    /// A handle that stops the server from elsewhere.
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped through its handle, then stops the
    /// mail worker between two messages.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let _ = self.stop_worker.send(true);
        let _ = self.worker.await;
        let _ = self.reminders.await;
        result
    }

    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("stopping: finishing requests in flight");
            handle.stop(true).await;
        });
        self.run_until_stopped().await
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The request line for the access log, without secrets: one-time link
/// tokens are masked and query strings (which may carry a CSRF token) left out.
fn logged_request(req: &actix_web::dev::ServiceRequest) -> String {
    let path = req.path();
    let masked = [
        "/password-reset/",
        "/invite/",
        "/setup/",
        "/officer/imports/",
    ]
    .iter()
    .find_map(|prefix| {
        let rest = path.strip_prefix(prefix)?;
        let tail = rest.find('/').map_or("", |i| &rest[i..]);
        Some(format!("{prefix}…{tail}"))
    })
    .unwrap_or_else(|| path.to_owned());
    format!("{} {}", req.method(), masked)
}

async fn not_found() -> Result<actix_web::HttpResponse, crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    #[test]
    fn the_access_log_never_holds_a_one_time_token_or_a_query() {
        let line = |uri: &str| super::logged_request(&TestRequest::get().uri(uri).to_srv_request());
        assert_eq!(line("/password-reset/0123abcd"), "GET /password-reset/…");
        assert_eq!(line("/invite/0123abcd"), "GET /invite/…");
        assert_eq!(
            line("/officer/imports/0123abcd/confirm"),
            "GET /officer/imports/…/confirm"
        );
        assert_eq!(
            line("/officer/imports/roster?csrf_token=secret"),
            "GET /officer/imports/…"
        );
        assert_eq!(line("/account?x=1"), "GET /account");
    }
}
