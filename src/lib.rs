//! unionhall: the web app a staff union local runs on.
//!
//! `main.rs` only wires the command line to these modules; `app` builds the
//! server; each feature lives in its own module.

pub mod app;
pub mod at_rest;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod context;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod dues;
pub mod elections;
pub mod error;
pub mod files;
pub mod forms;
pub mod grievances;
pub mod home;
pub mod jobs;
pub mod mail;
pub mod money;
pub mod officer;
pub mod plural;
pub mod record;
pub mod roster;
pub mod salary;
pub mod state;
pub mod trustees;
pub mod users;
pub mod web;
