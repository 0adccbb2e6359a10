//! The case pages: the list of one's cases, the case file, and its forms
//! (acts, extensions, notes, assignment, continuing violation).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::case::{Act, Procedure};
use super::store::{self, GrievanceRow, Outcome};
use super::{Access, access, member_id_of};
use crate::auth::CurrentUser;
use crate::clock::long_date;
use crate::db::DbConnection;
use crate::db::schema::{
    grievance_articles as ga, grievance_attachments as gatt, grievance_events as ge,
    grievance_notes as gn, grievances as g, grievants, members, units, users,
};
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::parse::past_date as parse_past_date;
use crate::money::Cents;
use crate::state::AppState;
use crate::users::Role;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// One line of a case list.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub filed: String,
    pub step: String,
    pub status: String,
    pub due_act: String,
    pub due: String,
    /// "overdue", "soon" or "".
    pub urgency: &'static str,
    pub days_left: i64,
    pub has_due: bool,
    pub steward: String,
    pub late: bool,
}

/// "overdue" before today, "soon" within 7 days, else "".
pub fn urgency(due: Option<NaiveDate>, today: NaiveDate) -> (&'static str, i64) {
    match due {
        Some(due) => {
            let left = (due - today).num_days();
            let label = if left < 0 {
                "overdue"
            } else if left <= 7 {
                "soon"
            } else {
                ""
            };
            (label, left)
        }
        None => ("", 0),
    }
}

/// Builds list lines for rows, resolving step and steward names.
pub fn lines_for(
    conn: &mut DbConnection,
    rows: Vec<GrievanceRow>,
    today: NaiveDate,
) -> QueryResult<Vec<CaseLine>> {
    let mut procedures: HashMap<i64, Procedure> = HashMap::new();
    let unit_names: HashMap<i64, String> = units::table
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let steward_ids: Vec<i64> = rows.iter().filter_map(|r| r.steward_id).collect();
    let steward_names: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(steward_ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = procedures.entry(row.unit_id) {
            slot.insert(store::procedure(conn, row.unit_id)?);
        }
        let step = procedures
            .get(&row.unit_id)
            .map_or_else(String::new, |p| p.step_name(row.step_position));
        let (urgency, days_left) = if row.is_open() {
            urgency(row.due_on, today)
        } else {
            ("", 0)
        };
        lines.push(CaseLine {
            id: row.id,
            number: row.number(),
            unit: unit_names.get(&row.unit_id).cloned().unwrap_or_default(),
            filed: row.filed_on.to_string(),
            step,
            status: status_label(&row.status).to_owned(),
            due_act: row.due_act.clone(),
            due: row.due_on.map(|d| d.to_string()).unwrap_or_default(),
            urgency,
            days_left,
            has_due: row.is_open() && row.due_on.is_some(),
            steward: row
                .steward_id
                .and_then(|s| steward_names.get(&s).cloned())
                .unwrap_or_else(|| "Not assigned".into()),
            late: row.late_days > 0,
        });
    }
    Ok(lines)
}

/// How a status reads.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "Open",
        "settled" => "Settled",
        "withdrawn" => "Withdrawn",
        "denied" => "Denied",
        "won" => "Won",
        "award" => "Decided by award",
        _ => "Unknown",
    }
}

/// `/grievances`: the cases one filed or is named on, and those one carries.
#[derive(Template)]
#[template(path = "grievances/list.html")]
pub struct ListPage {
    page: Page,
    mine: Vec<CaseLine>,
    carried: Vec<CaseLine>,
    is_steward: bool,
    is_chief: bool,
}

/// `GET /grievances`.
pub async fn list(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = current.user.id;
    let today = state.config.today();
    let (mine, carried) = db(&state, move |conn| {
        let mine_rows: Vec<GrievanceRow> = match member_id_of(conn, user_id)? {
            Some(member_id) => g::table
                .inner_join(grievants::table)
                .filter(grievants::member_id.eq(member_id))
                .order(g::id.desc())
                .select(GrievanceRow::as_select())
                .load(conn)?,
            None => Vec::new(),
        };
        let carried_rows: Vec<GrievanceRow> = g::table
            .filter(g::steward_id.eq(user_id))
            .order(g::id.desc())
            .select(GrievanceRow::as_select())
            .load(conn)?;
        Ok((
            lines_for(conn, mine_rows, today)?,
            lines_for(conn, carried_rows, today)?,
        ))
    })
    .await?;
    render(
        StatusCode::OK,
        &ListPage {
            page,
            mine,
            carried,
            is_steward: current.user.can(Role::Steward),
            is_chief: current.user.can(Role::ChiefSteward),
        },
    )
}

/// One timeline entry as shown.
#[derive(Debug, Clone)]
pub struct EventLine {
    pub on: String,
    pub label: String,
    pub step: String,
    pub detail: String,
    pub author: String,
    pub at: String,
}

/// One note as shown.
#[derive(Debug, Clone)]
pub struct NoteLine {
    pub shared: bool,
    pub body: String,
    pub author: String,
    pub at: String,
}

/// One attachment as listed.
#[derive(Debug, Clone)]
pub struct AttachmentLine {
    pub id: i64,
    pub file_name: String,
    pub size: String,
    pub uploaded_by: String,
    pub at: String,
}

/// Everything the case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub row: GrievanceRow,
    pub access: Access,
    pub unit: String,
    pub step: String,
    pub grievants: Vec<String>,
    pub articles: Vec<String>,
    pub steward: Option<String>,
    pub events: Vec<EventLine>,
    pub notes: Vec<NoteLine>,
    pub attachments: Vec<AttachmentLine>,
    pub stewards: Vec<(i64, String)>,
    pub due: String,
    pub urgency: &'static str,
    pub days_left: i64,
    pub back_pay: String,
    pub resolved: String,
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Reads what `user` may see of case `id` (a 404 otherwise).
pub fn load_view(
    conn: &mut DbConnection,
    user: &crate::users::User,
    id: i64,
    today: NaiveDate,
) -> Result<CaseView, AppError> {
    let (row, access) = access(conn, user, id)?;
    let procedure = store::procedure(conn, row.unit_id)?;
    let unit: String = units::table
        .find(row.unit_id)
        .select(units::name)
        .first(conn)?;
    let grievants: Vec<String> = grievants::table
        .inner_join(members::table)
        .filter(grievants::grievance_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::first_name,
            members::last_name,
            members::employee_number,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(first, last, number)| format!("{first} {last} ({number})"))
        .collect();
    let articles: Vec<String> = ga::table
        .filter(ga::grievance_id.eq(id))
        .select(ga::article)
        .load(conn)?;
    let steward: Option<String> = match row.steward_id {
        Some(s) => users::table
            .find(s)
            .select(users::display_name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let events = ge::table
        .filter(ge::grievance_id.eq(id))
        .order(ge::id.asc())
        .select((
            ge::occurred_on,
            ge::act,
            ge::step_position,
            ge::detail,
            ge::author_label,
            ge::at,
        ))
        .load::<(NaiveDate, String, i32, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(on, act, step, detail, author, at)| EventLine {
            on: long_date(on),
            label: Act::parse(&act).map_or(act.clone(), |a| a.label().to_owned()),
            step: procedure.step_name(step),
            detail,
            author,
            at: stamp(at),
        })
        .collect();
    let mut notes_query = gn::table.filter(gn::grievance_id.eq(id)).into_boxed();
    if !access.is_union_side() {
        notes_query = notes_query.filter(gn::shared.eq(true));
    }
    let notes = notes_query
        .order(gn::id.asc())
        .select((gn::shared, gn::body, gn::author_label, gn::created_at))
        .load::<(bool, String, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(shared, body, author, at)| NoteLine {
            shared,
            body,
            author,
            at: stamp(at),
        })
        .collect();
    let attachments = gatt::table
        .filter(gatt::grievance_id.eq(id))
        .order(gatt::id.asc())
        .select((
            gatt::id,
            gatt::file_name,
            gatt::size_bytes,
            gatt::uploaded_by_label,
            gatt::uploaded_at,
        ))
        .load::<(i64, String, i64, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(aid, file_name, size, by, at)| AttachmentLine {
            id: aid,
            file_name,
            size: human_size(size),
            uploaded_by: by,
            at: stamp(at),
        })
        .collect();
    let stewards = if access == Access::Chief {
        store::stewards(conn)?
    } else {
        Vec::new()
    };
    let (urgency, days_left) = if row.is_open() {
        urgency(row.due_on, today)
    } else {
        ("", 0)
    };
    Ok(CaseView {
        unit,
        step: procedure.step_name(row.step_position),
        grievants,
        articles,
        steward,
        events,
        notes,
        attachments,
        stewards,
        due: row.due_on.map(long_date).unwrap_or_default(),
        urgency,
        days_left,
        back_pay: row
            .back_pay_cents
            .map(|c| Cents(c).to_string())
            .unwrap_or_default(),
        resolved: row.resolved_on.map(long_date).unwrap_or_default(),
        access,
        row,
    })
}

/// "12.3 KB".
pub fn human_size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!(
            "{}.{} MB",
            bytes / (1024 * 1024),
            (bytes % (1024 * 1024)) * 10 / (1024 * 1024)
        )
    }
}

/// The case page, with the forms' typing and errors when one was refused.
#[derive(Template)]
#[template(path = "grievances/case.html")]
pub struct CasePage {
    page: Page,
    case: CaseView,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    acts: Vec<(&'static str, &'static str)>,
    max_attachment: String,
}

impl CasePage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    fn error_messages(&self) -> Vec<&str> {
        let mut messages: Vec<&str> = self.errors.values().map(String::as_str).collect();
        messages.sort_unstable();
        messages
    }

    fn assigned(&self, user_id: String) -> bool {
        self.case.row.steward_id.map(|s| s.to_string()) == Some(user_id)
    }
}

/// Renders the case page for `current`.
pub async fn case_page(
    page: Page,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    mut values: HashMap<String, String>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let user = current.user.clone();
    let today = state.config.today();
    values
        .entry("act_date".to_owned())
        .or_insert_with(|| today.to_string());
    let case = db(state, move |conn| load_view(conn, &user, id, today)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &CasePage {
            page,
            case,
            values,
            errors,
            acts: Act::RECORDABLE
                .iter()
                .map(|a| (a.as_str(), a.label()))
                .collect(),
            max_attachment: human_size(
                i64::try_from(state.config.max_attachment_bytes).unwrap_or(i64::MAX),
            ),
        },
    )
}

/// `GET /grievances/{id}`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    case_page(
        page,
        &current,
        &state,
        id.into_inner(),
        HashMap::new(),
        HashMap::new(),
    )
    .await
}

/// The case for a form post, checked for the union side.
async fn union_case(
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
) -> Result<(GrievanceRow, Access), AppError> {
    let user = current.user.clone();
    let (row, access) = db(state, move |conn| access(conn, &user, id)).await?;
    if !access.is_union_side() {
        return Err(AppError::Forbidden);
    }
    Ok((row, access))
}

fn done(state: &AppState, id: i64, message: &str) -> HttpResponse {
    redirect_with(
        &format!("/grievances/{id}"),
        FlashKind::Success,
        message,
        state.config.behind_https(),
    )
}

/// `POST /grievances/{id}/acts`.
pub async fn record_act(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    let values = form.into_inner();
    let get = |name: &str| values.get(name).map_or("", |v| v.trim());
    let today = state.config.today();
    let mut errors = HashMap::new();
    let act = Act::parse(get("act")).filter(|a| Act::RECORDABLE.contains(a));
    if act.is_none() {
        errors.insert("act".to_owned(), "Choose what happened.".to_owned());
    }
    let on = parse_past_date(get("act_date"), "date", today)
        .map_err(|m| errors.insert("act_date".to_owned(), m))
        .ok();
    let back_pay = match get("back_pay") {
        "" => None,
        raw => match Cents::parse(raw, false) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.insert("back_pay".to_owned(), format!("The back pay: {e}."));
                None
            }
        },
    };
    if act == Some(Act::Settled) && get("terms").is_empty() {
        errors.insert(
            "terms".to_owned(),
            "A settlement needs its terms.".to_owned(),
        );
    }
    if act.is_some_and(|a| a.closes_as().is_none())
        && (back_pay.is_some() || !get("terms").is_empty())
    {
        errors.insert(
            "terms".to_owned(),
            "Terms and back pay belong to an outcome (settled, won, denied, withdrawn, award)."
                .to_owned(),
        );
    }
    let (Some(act), Some(on), true) = (act, on, errors.is_empty()) else {
        return case_page(page, &current, &state, id, values, errors).await;
    };
    let outcome = Outcome {
        terms: get("terms").to_owned(),
        back_pay,
    };
    let detail = get("act_detail").to_owned();
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let config = state.config.clone();
    let result = db(&state, move |conn| {
        write_tx(conn, |conn| {
            // Re-read and lock inside the transaction so two stewards acting
            // at once cannot both apply an act to the same old state.
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::record_act(
                conn, &config, &row, act, on, &detail, &outcome, &actor, now, today,
            )?)
        })
    })
    .await?;
    match result {
        Ok(()) => {
            state.mail_waker.wake();
            Ok(done(&state, id, &format!("Recorded: {}.", act.label())))
        }
        Err(message) => {
            let field = if message.starts_with("The date") {
                "act_date"
            } else {
                "act"
            };
            let errors = HashMap::from([(field.to_owned(), message)]);
            case_page(page, &current, &state, id, values, errors).await
        }
    }
}

/// `POST /grievances/{id}/extensions`.
pub async fn extend(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    let values = form.into_inner();
    let get = |name: &str| values.get(name).map_or("", |v| v.trim());
    let today = state.config.today();
    let mut errors = HashMap::new();
    let new_due = match NaiveDate::parse_from_str(get("new_due"), "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.insert(
                "new_due".to_owned(),
                "Enter the new deadline as a date such as 2026-12-15.".to_owned(),
            );
            None
        }
    };
    let agreed_on = parse_past_date(get("agreed_on"), "date of the agreement", today)
        .map_err(|m| errors.insert("agreed_on".to_owned(), m))
        .ok();
    if get("agreed_with").is_empty() {
        errors.insert(
            "agreed_with".to_owned(),
            "Name who agreed for management.".to_owned(),
        );
    }
    if !row.is_open() {
        errors.insert(
            "new_due".to_owned(),
            "This grievance is closed; there is no deadline to extend.".to_owned(),
        );
    }
    let (Some(new_due), Some(agreed_on), true) = (new_due, agreed_on, errors.is_empty()) else {
        return case_page(page, &current, &state, id, values, errors).await;
    };
    let agreed_with = get("agreed_with").to_owned();
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let result = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::extend(
                conn,
                &row,
                new_due,
                &agreed_with,
                agreed_on,
                &actor,
                now,
            )?)
        })
    })
    .await?;
    match result {
        Ok(()) => Ok(done(
            &state,
            id,
            &format!("Deadline extended to {}.", long_date(new_due)),
        )),
        Err(message) => {
            let errors = HashMap::from([("new_due".to_owned(), message)]);
            case_page(page, &current, &state, id, values, errors).await
        }
    }
}

/// `POST /grievances/{id}/notes`: the union side chooses; a grievant's
/// notes are always shared.
pub async fn add_note(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = current.user.clone();
    let (_, access) = db(&state, move |conn| access(conn, &user, id)).await?;
    let values = form.into_inner();
    let body = values.get("note_body").map_or("", |v| v.trim()).to_owned();
    if body.is_empty() || body.chars().count() > 20_000 {
        let message = if body.is_empty() {
            "Write the note before saving it."
        } else {
            "Keep a note under 20,000 characters."
        };
        let errors = HashMap::from([("note_body".to_owned(), message.to_owned())]);
        return case_page(page, &current, &state, id, values, errors).await;
    }
    let shared =
        !access.is_union_side() || values.get("visibility").map(String::as_str) == Some("shared");
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, AppError>(store::add_note(conn, id, shared, &body, &actor, now)?)
        })
    })
    .await?;
    Ok(done(
        &state,
        id,
        if shared {
            "Note saved; the grievant can read it."
        } else {
            "Private note saved; only stewards and officers can read it."
        },
    ))
}

/// `POST /grievances/{id}/assign`: chief stewards and officers.
pub async fn assign(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, access) = union_case(&current, &state, id).await?;
    if access != Access::Chief {
        return Err(AppError::Forbidden);
    }
    let values = form.into_inner();
    let steward_id = values.get("steward").and_then(|v| v.parse::<i64>().ok());
    let stewards = db(&state, |conn| Ok(store::stewards(conn)?)).await?;
    let Some(steward_id) = steward_id.filter(|s| stewards.iter().any(|(id, _)| id == s)) else {
        let errors = HashMap::from([("steward".to_owned(), "Choose a steward.".to_owned())]);
        return case_page(page, &current, &state, id, values, errors).await;
    };
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let today = state.config.today();
    let config = state.config.clone();
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::assign(
                conn, &config, &row, steward_id, &actor, now, today,
            )?)
        })
    })
    .await?;
    state.mail_waker.wake();
    Ok(done(&state, id, "Steward assigned."))
}

/// `POST /grievances/{id}/continuing`.
pub async fn set_continuing(
    req: HttpRequest,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    if !row.is_open() {
        return Ok(redirect_with(
            &format!("/grievances/{id}"),
            FlashKind::Warning,
            "This grievance is closed; its record no longer changes.",
            state.config.behind_https(),
        ));
    }
    let continuing = form.get("continuing").map(String::as_str) == Some("yes");
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let today = state.config.today();
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::lock(conn, row.id)?;
            Ok::<_, AppError>(store::set_continuing(
                conn, &row, continuing, &actor, now, today,
            )?)
        })
    })
    .await?;
    Ok(done(
        &state,
        id,
        if continuing {
            "Marked as a continuing violation."
        } else {
            "No longer marked as a continuing violation."
        },
    ))
}
