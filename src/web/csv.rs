//! CSV downloads: every exported cell passes the formula guard, and every
//! export is answered the same way.

use actix_web::HttpResponse;

use crate::error::AppError;

/// Makes a cell safe to open in a spreadsheet: one that starts like a
/// formula (`= + - @`, or a tab or carriage return) is prefixed with `'`.
pub fn neutralise(cell: &str) -> String {
    // A plain negative amount ("-1252.50") is a number to a spreadsheet,
    // not a formula; anything else starting so is quoted.
    let plain_negative = cell.strip_prefix('-').is_some_and(|rest| {
        !rest.is_empty()
            && rest.split_once('.').map_or(
                rest.chars().all(|c| c.is_ascii_digit()),
                |(whole, cents)| {
                    !whole.is_empty()
                        && whole.chars().all(|c| c.is_ascii_digit())
                        && cents.chars().all(|c| c.is_ascii_digit())
                },
            )
    });
    if !plain_negative && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A CSV attachment named `file_name`, every cell neutralised.
pub fn download<R, C>(file_name: &str, records: R) -> Result<HttpResponse, AppError>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let failed = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer
            .write_record(record.into_iter().map(|c| neutralise(c.as_ref())))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(
            neutralise("-2+3+cmd|' /C calc'!A0"),
            "'-2+3+cmd|' /C calc'!A0"
        );
        assert_eq!(
            neutralise("-1252.50"),
            "-1252.50",
            "a plain negative amount"
        );
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("-1.2.3"), "'-1.2.3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Okafor"), "Okafor");
    }
}
