//! Filing a grievance: a member for themself, a steward for one member, a
//! group, or a class. Every field is checked before anything is written;
//! the form comes back with what was typed and what to fix.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::member_id_of;
use super::store::{self, Filing};
use crate::auth::CurrentUser;
use crate::db::schema::{members, units};
use crate::db::write_tx;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::Role;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The fields of the form, by name.
const FIELDS: [&str; 10] = [
    "grievants",
    "kind",
    "class_description",
    "incident_date",
    "articles",
    "description",
    "remedy",
    "department",
    "supervisor",
    "continuing_violation",
];

const LONGEST_TEXT: usize = 20_000;

/// Reads an article list such as "12.3, Art. 7(b); Article 30" into
/// "Article 12.3", "Article 7(b)", "Article 30".
pub fn parse_articles(raw: &str) -> Result<Vec<String>, String> {
    let mut articles = Vec::new();
    for token in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let lower = token.to_lowercase();
        let bare = ["article", "art."]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))
            .unwrap_or(&lower)
            .trim();
        if !is_article_number(bare) {
            return Err(format!(
                "\"{token}\" is not an article number such as 12, 12.3 or Article 7(b)."
            ));
        }
        let article = format!("Article {bare}");
        if !articles.contains(&article) {
            articles.push(article);
        }
    }
    if articles.is_empty() {
        return Err("Name at least one contract article, such as 12.3.".into());
    }
    Ok(articles)
}

/// `12`, `12.3`, `12.3.1`, each optionally followed by one `(b)`.
fn is_article_number(raw: &str) -> bool {
    let (number, letter) = match raw.split_once('(') {
        Some((number, rest)) => match rest.strip_suffix(')') {
            Some(letter) => (number, Some(letter)),
            None => return false,
        },
        None => (raw, None),
    };
    let parts: Vec<&str> = number.split('.').collect();
    let numeric = parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()));
    let letter_ok = letter.is_none_or(|l| {
        !l.is_empty() && l.len() <= 4 && l.chars().all(|c| c.is_ascii_alphanumeric())
    });
    numeric && letter_ok
}

/// The filing form.
#[derive(Template)]
#[template(path = "grievances/new.html")]
pub struct NewPage {
    page: Page,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// Stewards name the grievants; members file for themselves.
    on_behalf: bool,
    /// Set when a member's account is not linked to the roster.
    unlinked: bool,
}

impl NewPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

/// `GET /grievances/new`.
pub async fn new_form(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let on_behalf = current.user.can(Role::Steward);
    let user_id = current.user.id;
    let own = db(&state, move |conn| {
        let Some(member_id) = member_id_of(conn, user_id)? else {
            return Ok(None);
        };
        Ok(members::table
            .find(member_id)
            .select(members::department)
            .first::<String>(conn)
            .optional()?)
    })
    .await?;
    let mut values = HashMap::from([("kind".to_owned(), "individual".to_owned())]);
    if let Some(department) = &own {
        values.insert("department".into(), department.clone());
    }
    render(
        StatusCode::OK,
        &NewPage {
            page,
            values,
            errors: HashMap::new(),
            on_behalf,
            unlinked: !on_behalf && own.is_none(),
        },
    )
}

/// A grievant's roster id, unit id and unit name.
type Grievant = (i64, i64, String);

/// The grievants a form names, each with their unit, or what is wrong.
fn find_grievants(
    conn: &mut crate::db::DbConnection,
    numbers: &[String],
) -> Result<Result<Vec<Grievant>, String>, AppError> {
    let mut found = Vec::new();
    for number in numbers {
        let row: Option<(i64, i64, String)> = members::table
            .inner_join(units::table)
            .filter(members::employee_number.eq(number))
            .select((members::id, members::unit_id, units::name))
            .first(conn)
            .optional()?;
        match row {
            Some(row) => found.push(row),
            None => {
                return Ok(Err(format!(
                    "No one on the roster has employee number {number}."
                )));
            }
        }
    }
    if let Some((_, first_unit, first_name)) = found.first().cloned()
        && let Some((_, _, other)) = found.iter().find(|(_, unit, _)| *unit != first_unit)
    {
        return Ok(Err(format!(
            "All grievants must be in one unit: the list mixes {first_name} and {other}."
        )));
    }
    Ok(Ok(found))
}

/// `POST /grievances/new`.
pub async fn file(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let values: HashMap<String, String> = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| FIELDS.contains(&k.as_str()))
        .collect();
    let get = |name: &str| values.get(name).map_or("", |v| v.trim());
    let on_behalf = current.user.can(Role::Steward);
    let today = state.config.today();
    let mut errors: HashMap<String, String> = HashMap::new();
    let mut fail = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_insert(message);
    };

    let incident_date =
        crate::forms::parse::past_date(get("incident_date"), "incident date", today)
            .map_err(|m| fail("incident_date", m))
            .ok();
    let articles = parse_articles(get("articles"))
        .map_err(|m| fail("articles", m))
        .ok();
    for (field, message) in [
        ("description", "Describe what happened."),
        ("remedy", "Say what remedy is sought."),
        ("department", "Enter the department."),
    ] {
        if get(field).is_empty() {
            fail(field, message.into());
        } else if get(field).chars().count() > LONGEST_TEXT {
            fail(field, format!("Keep this under {LONGEST_TEXT} characters."));
        }
    }
    if get("supervisor").len() > 200 {
        fail(
            "supervisor",
            "Keep the supervisor's name under 200 characters.".into(),
        );
    }
    let kind = if on_behalf { get("kind") } else { "individual" };
    if !matches!(kind, "individual" | "group" | "class") {
        fail("kind", "Choose individual, group or class.".into());
    }
    if kind == "class" && get("class_description").is_empty() {
        fail(
            "class_description",
            "Describe the class of members this grievance is for.".into(),
        );
    }
    let numbers: Vec<String> = if on_behalf {
        let mut numbers: Vec<String> = get("grievants")
            .split([',', ';', ' ', '\n', '\r', '\t'])
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        let mut seen = std::collections::HashSet::new();
        numbers.retain(|n| seen.insert(n.clone()));
        match (kind, numbers.len()) {
            (_, 0) => fail(
                "grievants",
                "Enter the employee number of at least one grievant.".into(),
            ),
            ("individual", n) if n > 1 => fail(
                "grievants",
                "An individual grievance names one member; choose a group grievance for several."
                    .into(),
            ),
            ("group", 1) => fail(
                "grievants",
                "A group grievance names at least two members.".into(),
            ),
            _ => {}
        }
        numbers
    } else {
        Vec::new()
    };

    let user_id = current.user.id;
    let numbers_for_lookup = numbers.clone();
    let grievants = db(&state, move |conn| {
        if on_behalf {
            return find_grievants(conn, &numbers_for_lookup);
        }
        let Some(member_id) = member_id_of(conn, user_id)? else {
            return Ok(Err(
                "Your account is not linked to a roster entry, so a steward must file for you."
                    .to_owned(),
            ));
        };
        let unit: (i64, String) = members::table
            .inner_join(units::table)
            .filter(members::id.eq(member_id))
            .select((members::unit_id, units::name))
            .first(conn)?;
        Ok(Ok(vec![(member_id, unit.0, unit.1)]))
    })
    .await?;
    let grievants = grievants.map_err(|m| fail("grievants", m)).ok();

    let (Some(incident_date), Some(articles), Some(grievants), true) =
        (incident_date, articles, grievants, errors.is_empty())
    else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                page,
                values,
                errors,
                on_behalf,
                unlinked: false,
            },
        );
    };
    let filing = Filing {
        unit_id: grievants.first().map_or(0, |g| g.1),
        kind: kind.to_owned(),
        class_description: get("class_description").to_owned(),
        incident_date,
        articles,
        description: get("description").to_owned(),
        remedy: get("remedy").to_owned(),
        department: get("department").to_owned(),
        supervisor: get("supervisor").to_owned(),
        continuing_violation: !get("continuing_violation").is_empty(),
        member_ids: grievants.iter().map(|g| g.0).collect(),
        steward_id: on_behalf.then_some(user_id),
    };
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let config = state.config.clone();
    let (id, late_days) = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let id = store::file(conn, &config, &filing, &actor, now, today)?;
            let late: i32 = crate::db::schema::grievances::table
                .find(id)
                .select(crate::db::schema::grievances::late_days)
                .first(conn)?;
            Ok::<_, AppError>((id, late))
        })
    })
    .await?;
    state.mail_waker.wake();
    let message = if late_days > 0 {
        format!(
            "Grievance {} filed. It is {late_days} days past the contractual limit, so it is flagged as late.",
            store::number(id)
        )
    } else {
        format!("Grievance {} filed.", store::number(id))
    };
    Ok(redirect_with(
        &format!("/grievances/{id}"),
        if late_days > 0 {
            FlashKind::Warning
        } else {
            FlashKind::Success
        },
        &message,
        state.config.behind_https(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_read_in_the_usual_ways() {
        assert_eq!(
            parse_articles("12.3, Art. 7(b); article 30, 12.3").unwrap(),
            vec!["Article 12.3", "Article 7(b)", "Article 30"]
        );
    }

    #[test]
    fn an_unknown_article_format_is_named() {
        assert_eq!(
            parse_articles("12, seniority").unwrap_err(),
            "\"seniority\" is not an article number such as 12, 12.3 or Article 7(b)."
        );
        assert!(parse_articles("12.").is_err());
        assert!(parse_articles("7(b").is_err());
        assert!(parse_articles(" , ").is_err());
    }
}
