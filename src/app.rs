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
use crate::roster::{import_page, imports, invitations};
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
    /// What is stored could not be made private, or `SECRET_KEY` cannot
    /// open the two-factor secrets.
    #[error("{0}")]
    AtRest(String),
}

/// Declares every route once: `routes` registers them and `ROUTES` lists
/// them, so the access test covers a new route the moment it exists.
macro_rules! route_table {
    ($( $path:literal => [$( $method:ident $handler:path ),+] ),* $(,)?) => {
        /// Every route's path and methods, in the order they are registered.
        pub const ROUTES: &[(&str, &[&str])] = &[$( ($path, &[$( stringify!($method) ),+]) ),*];

        /// Registers every route. Feature modules add theirs here, nowhere else.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            $( cfg.service(
                web::resource($path)
                    // Each form's body cap, set here so no route keeps a default.
                    .app_data(crate::forms::limits::form_config($path))
                    $( .route(method!($method).to($handler)) )+
            ); )*
        }
    };
}

macro_rules! method {
    (GET) => {
        read()
    };
    (POST) => {
        web::post()
    };
}

route_table! {
    "/" => [GET home::home],
    "/healthz" => [GET home::healthz],
    "/static/{name}" => [GET assets::serve],
    // Signing in and out, and the one-time links.
    "/sign-in" => [GET sign_in::form, POST sign_in::submit],
    "/sign-in/two-factor" => [GET sign_in::second_factor_form, POST sign_in::second_factor_submit],
    "/sign-out" => [POST sign_in::sign_out],
    "/setup/{token}" => [GET setup::form, POST setup::submit],
    "/password-reset" => [GET reset::request_form, POST reset::request_submit],
    "/password-reset/{token}" => [GET reset::reset_form, POST reset::reset_submit],
    "/invite/{token}" => [GET invite::form, POST invite::submit],
    // A person's own account.
    "/account" => [GET account::overview],
    "/account/password" => [GET account::password_form, POST account::password_submit],
    "/account/sessions" => [GET account::sessions],
    "/account/sessions/end-others" => [POST account::end_other_sessions],
    "/account/sessions/end-all" => [POST account::end_all_sessions],
    "/account/two-factor" => [GET account::two_factor_page, POST account::two_factor_enrol],
    "/account/two-factor/recovery-codes" => [POST account::two_factor_new_codes],
    "/account/two-factor/disable" => [POST account::two_factor_disable],
    "/account/notifications" => [GET account::notifications, POST account::notifications_submit],
    // Officers.
    "/officer/users" => [GET users_pages::list],
    "/officer/users/invite" => [POST users_pages::invite],
    "/officer/users/{id}" => [GET users_pages::show],
    "/officer/users/{id}/roles" => [POST users_pages::set_roles],
    "/officer/users/{id}/{verb}" => [POST users_pages::set_active],
    "/officer/audit" => [GET officer::audit_log],
    // The dues roll.
    "/dues" => [GET member_ledger::statement],
    "/officer/roster" => [GET roster_pages::list],
    "/officer/roster/new" => [GET roster_edit::new_form, POST roster_edit::save],
    "/officer/roster/export.csv" => [GET roster_pages::export],
    "/officer/roster/invitations" => [GET invitations::show, POST invitations::send],
    "/officer/roster/{id}" => [GET member_ledger::show],
    "/officer/roster/{id}/edit" => [GET roster_edit::edit_form, POST roster_edit::save],
    "/officer/roster/{id}/ledger" => [POST member_ledger::add_entry],
    "/officer/roster/{id}/reversals" => [POST member_ledger::reverse_entry],
    "/officer/imports" => [GET import_page::index],
    "/officer/imports/roster" => [POST imports::roster_upload],
    "/officer/imports/checkoff" => [POST checkoff_pages::upload],
    "/officer/imports/checkoff/reversals" => [POST reversal_pages::reverse_import],
    "/officer/imports/{token}/confirm" => [POST imports::confirm],
    "/officer/units" => [GET units_pages::index, POST units_pages::save],
    "/officer/units/{id}" => [POST units_pages::save],
    "/officer/dues" => [GET dues_pages::index],
    "/officer/dues/rate" => [POST dues_pages::set_rate],
    "/officer/dues/post" => [POST dues_pages::post_month],
    "/officer/dues/reversals" => [POST reversal_pages::reverse_posting],
    "/officer/dues/arrears-notices" => [POST dues_pages::arrears_notices],
    "/officer/dues/reconciliation" => [GET dues_pages::reconciliation],
    // Grievances.
    "/grievances" => [GET grievance_pages::list],
    "/grievances/new" => [GET filing::new_form, POST filing::file],
    "/grievances/{id}" => [GET grievance_pages::show],
    "/grievances/{id}/acts" => [POST grievance_pages::record_act],
    "/grievances/{id}/extensions" => [POST grievance_pages::extend],
    "/grievances/{id}/notes" => [POST grievance_pages::add_note],
    "/grievances/{id}/assign" => [POST grievance_pages::assign],
    "/grievances/{id}/continuing" => [POST grievance_pages::set_continuing],
    "/grievances/{id}/void" => [POST grievance_pages::void],
    "/grievances/{id}/attachments" => [POST grievance_files::upload],
    "/grievances/{id}/attachments/{attachment}" => [GET grievance_files::download],
    "/stewards/board" => [GET board::board],
    "/stewards/reports" => [GET grievance_reports::reports],
    "/stewards/reports/grievances.csv" => [GET grievance_reports::export],
    "/officer/units/{id}/procedure" => [GET procedure_pages::form, POST procedure_pages::save],
    // Salary-floor comparisons.
    "/salary" => [GET salary_views::index],
    "/salary/compare" => [GET salary_views::compare],
    "/salary/scenarios/{id}" => [GET salary_views::scenario],
    "/salary/scenarios/{id}/aggregates.csv" => [GET salary_views::aggregates_csv],
    "/officer/salary/units/{id}" => [GET salary_forms::unit_settings, POST salary_forms::save_unit_settings],
    "/officer/salary/units/{id}/scenarios/new" => [GET salary_forms::new_scenario, POST salary_forms::create],
    "/officer/salary/scenarios/{id}/edit" => [GET salary_forms::edit_scenario, POST salary_forms::update],
    "/officer/salary/scenarios/{id}/copy" => [POST salary_forms::copy],
    "/officer/salary/scenarios/{id}/rows.csv" => [GET salary_views::rows_csv],
    // Elections.
    "/elections" => [GET voting::list],
    "/elections/{id}" => [GET voting::show],
    "/elections/{id}/challenge" => [POST voting::challenge::challenge],
    "/elections/{id}/roll" => [GET voting::roll::show],
    "/elections/{id}/roll.txt" => [GET voting::roll::list],
    "/elections/{id}/ballot" => [GET voting::ballot::ballot],
    "/elections/{id}/trustee" => [GET voting::trustee::show, POST voting::trustee::answer],
    "/elections/{id}/trustee/packet" => [GET voting::trustee::packet],
    "/elections/{id}/record" => [GET voting::trustee::record],
    "/elections/{id}/credentials" => [GET voting::credentials::show, POST voting::credentials::upload],
    "/elections/{id}/credentials/roll.csv" => [GET voting::credentials::roll_csv],
    "/elections/{id}/credentials/revoke" => [POST voting::credentials::revoke],
    "/elections/{id}/verify" => [GET voting::verify_page::verify_page],
    "/observe/{token}" => [GET voting::observe::show],
    "/observe/{token}/record" => [GET voting::observe::record],
    "/elections/{id}/confirm" => [POST voting::ballot::confirm],
    "/elections/{id}/cast" => [POST voting::ballot::cast],
    "/officer/elections" => [GET election_admin::list],
    "/officer/elections/new" => [GET election_admin::drafts::new_form, POST election_admin::drafts::create],
    "/officer/elections/{id}" => [GET election_admin::show],
    "/officer/elections/{id}/edit" => [GET election_admin::drafts::edit_form, POST election_admin::drafts::update],
    "/officer/elections/{id}/trustees" => [POST election_admin::trustees::name],
    "/officer/elections/{id}/credential-officer" => [POST election_admin::credential_officer::name],
    "/officer/elections/{id}/observers" => [POST election_admin::observers::create],
    "/officer/elections/{id}/publish" => [POST election_admin::lifecycle::publish],
    "/officer/elections/{id}/open" => [POST election_admin::lifecycle::open_now],
    "/officer/elections/{id}/close" => [POST election_admin::lifecycle::close_early],
    "/officer/elections/{id}/withdraw" => [POST election_admin::lifecycle::withdraw],
    "/officer/elections/{id}/paper" => [POST election_admin::paper::paper],
    "/officer/elections/{id}/reminders" => [POST election_admin::reminders::remind],
    "/officer/elections/{id}/purge" => [POST election_admin::lifecycle::purge],
    "/officer/elections/{id}/challenges/{challenge}" => [POST election_admin::roll::resolve],
    "/officer/elections/{id}/certificate" => [GET election_admin::certificate::certificate],
    "/officer/elections/{id}/roll.csv" => [GET election_admin::roll::roll_csv],
    "/officer/outbox" => [GET officer::outbox_page],
    "/officer/outbox/{id}/retry" => [POST officer::retry],
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
        {
            let (pool, config) = (pool.clone(), config.clone());
            tokio::task::spawn_blocking(move || crate::at_rest::prepare(&pool, &config))
                .await
                .map_err(|e| StartupError::AtRest(format!("start-up task failed: {e}")))?
                .map_err(StartupError::AtRest)?;
        }
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
            clock: config.clock.clone(),
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
