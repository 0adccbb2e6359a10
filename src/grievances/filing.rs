//! Filing a grievance: a member for themself, a steward for one member, a
//! group, or a class. Every field is checked before anything is written;
//! the form comes back with what was typed and what to fix.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::states::Kind;
use super::store::filing::{self as filing_store, Grievant};
use super::store::{self, Filing};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::limits::{FormLimit, body_bytes};
use crate::forms::parse::past_date;
use crate::forms::text::Limit;
use crate::state::AppState;
use crate::users::Role;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The longest account of what happened, and of the remedy sought.
const LONGEST_TEXT: usize = 20_000;

/// Each text of the form with its limit, in the order of the page.
const TEXT_LIMITS: [(&str, Limit); 7] = [
    ("grievants", Limit::line(2_000)),
    ("class_description", Limit::line(1_000)),
    ("articles", Limit::line(500)),
    ("description", Limit::lines(LONGEST_TEXT)),
    ("remedy", Limit::lines(LONGEST_TEXT)),
    ("department", Limit::line(200)),
    ("supervisor", Limit::line(200)),
];

/// What the filing form may send: its texts, each at its limit.
pub const FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(2_000 + 1_000 + 500 + 2 * LONGEST_TEXT + 200 + 200),
    takes: "an account of what happened and a remedy of up to 20,000 characters each",
    checks_own_text: true,
};

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

/// The filing form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FilingForm {
    /// Employee numbers, separated by commas or spaces (stewards only).
    pub grievants: String,
    pub kind: String,
    pub class_description: String,
    pub incident_date: String,
    pub articles: String,
    pub description: String,
    pub remedy: String,
    pub department: String,
    pub supervisor: String,
    /// Any value marks it.
    pub continuing_violation: String,
}

/// The parts of a filing that need no database, checked.
struct Checked {
    kind: Kind,
    incident_date: chrono::NaiveDate,
    articles: Vec<String>,
    /// The employee numbers named, without repeats.
    numbers: Vec<String>,
}

impl FilingForm {
    /// Checks every field; `on_behalf` for a steward filing for others.
    fn check(
        &self,
        on_behalf: bool,
        today: chrono::NaiveDate,
        errors: &mut FieldErrors,
    ) -> Option<Checked> {
        let incident_date = errors.take(
            "incident_date",
            past_date(&self.incident_date, "incident date", today),
        );
        for (field, value, limit) in self.texts() {
            errors.check_text(field, value.trim(), limit);
        }
        let articles = errors.take("articles", parse_articles(self.articles.trim()));
        for (field, value, message) in [
            ("description", &self.description, "Describe what happened."),
            ("remedy", &self.remedy, "Say what remedy is sought."),
            ("department", &self.department, "Enter the department."),
        ] {
            if value.trim().is_empty() {
                errors.add(field, message);
            }
        }
        let kind = if on_behalf {
            errors.take(
                "kind",
                self.kind
                    .trim()
                    .parse::<Kind>()
                    .map_err(|_| "Choose individual, group or class.".to_owned()),
            )
        } else {
            Some(Kind::Individual)
        };
        if kind == Some(Kind::Class) && self.class_description.trim().is_empty() {
            errors.add(
                "class_description",
                "Describe the class of members this grievance is for.",
            );
        }
        let numbers = if on_behalf {
            let numbers = self.numbers();
            match (kind, numbers.len()) {
                (_, 0) => errors.add(
                    "grievants",
                    "Enter the employee number of at least one grievant.",
                ),
                (Some(Kind::Individual), n) if n > 1 => errors.add(
                    "grievants",
                    "An individual grievance names one member; choose a group grievance for several.",
                ),
                (Some(Kind::Group), 1) => errors.add(
                    "grievants",
                    "A group grievance names at least two members.",
                ),
                _ => {}
            }
            numbers
        } else {
            Vec::new()
        };
        Some(Checked {
            kind: kind?,
            incident_date: incident_date?,
            articles: articles?,
            numbers,
        })
    }

    /// Each text as typed, with its limit.
    fn texts(&self) -> impl Iterator<Item = (&'static str, &str, Limit)> {
        let typed = [
            &self.grievants,
            &self.class_description,
            &self.articles,
            &self.description,
            &self.remedy,
            &self.department,
            &self.supervisor,
        ];
        TEXT_LIMITS
            .into_iter()
            .zip(typed)
            .map(|((field, limit), value)| (field, value.as_str(), limit))
    }

    /// The employee numbers named, in order, each once.
    fn numbers(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.grievants
            .split([',', ';', ' ', '\n', '\r', '\t'])
            .filter(|n| !n.is_empty() && seen.insert(*n))
            .map(str::to_owned)
            .collect()
    }
}

/// The filing form page.
#[derive(Template)]
#[template(path = "grievances/new.html")]
pub struct NewPage {
    page: Page,
    form: FilingForm,
    errors: FieldErrors,
    kinds: [(&'static str, &'static str); 3],
    /// Stewards name the grievants; members file for themselves.
    on_behalf: bool,
    /// Set when a member's account is not linked to the roster.
    unlinked: bool,
    /// A steward's search of the roster by name, as typed.
    who: String,
    /// What it found; `None` before a search.
    found: Option<Vec<filing_store::FoundMember>>,
}

impl NewPage {
    fn new(
        page: Page,
        form: FilingForm,
        errors: FieldErrors,
        on_behalf: bool,
        unlinked: bool,
    ) -> Self {
        Self {
            page,
            form,
            errors,
            kinds: [
                ("individual", "Individual: one member"),
                ("group", "Group: several named members"),
                ("class", "Class: everyone in a described class"),
            ],
            on_behalf,
            unlinked,
            who: String::new(),
            found: None,
        }
    }

    /// Where a found member's link goes: the form with them added to the
    /// grievants already named.
    fn with_grievant(&self, number: &str) -> String {
        let named = self.form.grievants.trim().trim_end_matches(',');
        let grievants = if named.is_empty() {
            number.to_owned()
        } else if named.split(',').any(|n| n.trim() == number) {
            named.to_owned()
        } else {
            format!("{named}, {number}")
        };
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("grievants", &grievants);
        format!("/grievances/new?{}", query.finish())
    }

    fn too_many(&self) -> bool {
        self.found
            .as_ref()
            .is_some_and(|f| f.len() as i64 > filing_store::FOUND_AT_MOST)
    }
}

/// What the filing form's address may carry: a steward's name search, and
/// the grievants picked from it.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    who: String,
    #[serde(default)]
    grievants: String,
}

/// `GET /grievances/new`: a steward may search the roster by name (`who`)
/// and pick grievants from what it finds.
pub async fn new_form(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let NewQuery { who, grievants } = query.into_inner();
    let on_behalf = current.user.can(Role::Steward);
    let user_id = current.user.id;
    let typed = who.chars().take(200).collect::<String>();
    let search = typed.clone();
    let first = grievants.split(',').next().unwrap_or("").trim().to_owned();
    let (own, found, picked) = db(&state, move |conn| {
        let found = if on_behalf && !search.trim().is_empty() {
            Some(filing_store::members_named(conn, &search)?)
        } else {
            None
        };
        let picked = if on_behalf && !first.is_empty() {
            filing_store::department_of_number(conn, &first)?
        } else {
            None
        };
        Ok((filing_store::own_department(conn, user_id)?, found, picked))
    })
    .await?;
    let unlinked = !on_behalf && own.is_none();
    let form = FilingForm {
        kind: Kind::Individual.to_string(),
        department: if on_behalf { picked } else { own }.unwrap_or_default(),
        grievants: if on_behalf { grievants } else { String::new() },
        ..FilingForm::default()
    };
    let mut new = NewPage::new(page, form, FieldErrors::new(), on_behalf, unlinked);
    new.who = typed;
    new.found = found;
    render(StatusCode::OK, &new)
}

/// `POST /grievances/new`.
pub async fn file(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<FilingForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let on_behalf = current.user.can(Role::Steward);
    let ctx = Context::new(&state.config, current.actor(&req));
    let mut errors = FieldErrors::new();
    let checked = form.check(on_behalf, ctx.today, &mut errors);

    let user_id = current.user.id;
    let numbers = checked
        .as_ref()
        .map(|c| c.numbers.clone())
        .unwrap_or_else(|| form.numbers());
    // Numbers that cannot be stored are not looked up either.
    let unreadable = errors.has("grievants");
    let grievants = db(&state, move |conn| {
        if on_behalf && unreadable {
            return Ok(Ok(Vec::new()));
        }
        if on_behalf {
            return Ok(filing_store::grievants_by_number(conn, &numbers)?);
        }
        Ok(filing_store::own_grievant(conn, user_id)?.map(|g| vec![g]))
    })
    .await?;
    let grievants: Option<Vec<Grievant>> = match grievants {
        Ok(found) => Some(found),
        Err(problem) => {
            errors.add_problem(&problem);
            None
        }
    };

    let (Some(checked), Some(grievants), true) = (checked, grievants, errors.is_empty()) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage::new(page, form, errors, on_behalf, false),
        );
    };
    let filing = Filing {
        unit_id: grievants.first().map_or(0, |g| g.unit_id),
        kind: checked.kind,
        class_description: form.class_description.trim().to_owned(),
        incident_date: checked.incident_date,
        articles: checked.articles,
        description: form.description.trim().to_owned(),
        remedy: form.remedy.trim().to_owned(),
        department: form.department.trim().to_owned(),
        supervisor: form.supervisor.trim().to_owned(),
        continuing_violation: !form.continuing_violation.trim().is_empty(),
        member_ids: grievants.iter().map(|g| g.member_id).collect(),
        steward_id: on_behalf.then_some(user_id),
    };
    let filed = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok::<_, AppError>(store::file(conn, &ctx, &filing)?)
        })
    })
    .await?;
    state.mail_waker.wake();
    let (id, late_days) = (filed.id, filed.late_days);
    let message = if late_days > 0 {
        format!(
            "Grievance {} filed. It is {} past the contractual limit, so it is flagged as late.",
            store::number(id),
            super::case::days_text(i64::from(late_days))
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
