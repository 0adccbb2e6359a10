//! Builds the server: the pool, the mail worker, the middleware, and every
//! route in one place.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, ErrorHandlers, Logger};
use actix_web::{App, HttpServer, web};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::db::{self, DbPool};
use crate::mail::worker::Worker;
use crate::mail::{MailWaker, Transport};
use crate::web::{assets, error_pages, headers, home};

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub config: Config,
    /// Database pool.
    pub pool: DbPool,
    /// Nudges this process's mail worker after mail is queued.
    pub mail_waker: MailWaker,
}

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
        .service(web::resource("/static/{name}").route(read().to(assets::serve)));
}

/// GET, and HEAD answered the same way without a body. A resource answers
/// any other method with 405.
fn read() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

/// A built server, listening, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    worker: JoinHandle<()>,
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
        let worker = tokio::spawn(worker.run(stopped));

        let behind_https = config.behind_https();
        let state = web::Data::new(AppState {
            config,
            pool: pool.clone(),
            mail_waker,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .configure(routes)
                .default_service(web::to(not_found))
                .wrap(ErrorHandlers::new().default_handler(error_pages::render))
                .wrap(Compress::default())
                .wrap(headers::security_headers(behind_https))
                .wrap(Logger::new("%a \"%r\" %s %Dms"))
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
            server,
            pool,
            worker,
            stop_worker,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
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

async fn not_found() -> Result<actix_web::HttpResponse, crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}
