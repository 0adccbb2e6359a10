//! Pages of a long list: which rows a page shows, "Showing 51–100 of
//! 2,000", and links to the first, previous, next and last pages that keep
//! the list's filters. Pages are numbered from 1 in the address (`page=2`);
//! a page past the end says so in words and links back to the last one.

/// How many rows a list page shows unless it says otherwise.
pub const PER_PAGE: i64 = 50;

/// One page of a list of `total` rows.
#[derive(Debug, Clone)]
pub struct Pager {
    /// The page shown, from 1.
    pub page: i64,
    /// Rows a page.
    pub per_page: i64,
    /// Rows in the whole list (with its filters).
    pub total: i64,
    /// The page asked for was past the last one (nothing is shown).
    pub past_end: bool,
    /// The list's address with its filters, without `page`.
    base: String,
    /// The name of the page parameter.
    param: &'static str,
    /// The fragment the links go to ("" for none).
    fragment: String,
}

/// The page number typed in an address: a number from 1, anything else 1.
pub fn page_number(typed: &str) -> i64 {
    typed
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// "20,000".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl Pager {
    /// Page `page` (from 1) of `total` rows at `path`, keeping `filters`
    /// (pairs left out when their value is empty) in every link.
    pub fn new(path: &str, filters: &[(&str, &str)], page: i64, per_page: i64, total: i64) -> Self {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in filters.iter().filter(|(_, v)| !v.is_empty()) {
            serializer.append_pair(k, v);
        }
        let query = serializer.finish();
        let base = if query.is_empty() {
            format!("{path}?")
        } else {
            format!("{path}?{query}&")
        };
        let per_page = per_page.max(1);
        let page = page.max(1);
        let last = Self::last_of(total, per_page);
        Self {
            page,
            per_page,
            total: total.max(0),
            past_end: page > last,
            base,
            param: "page",
            fragment: String::new(),
        }
    }

    /// The same pager under another parameter name, for a second list on
    /// one page.
    pub fn named(mut self, param: &'static str) -> Self {
        self.param = param;
        self
    }

    /// Links that go to `#fragment` on the page.
    pub fn at(mut self, fragment: &str) -> Self {
        self.fragment = format!("#{fragment}");
        self
    }

    fn last_of(total: i64, per_page: i64) -> i64 {
        ((total.max(0) + per_page - 1) / per_page).max(1)
    }

    /// The whole list's count, "2,000".
    pub fn total_text(&self) -> String {
        thousands(self.total)
    }

    /// The last page (1 when the list is empty).
    pub fn last(&self) -> i64 {
        Self::last_of(self.total, self.per_page)
    }

    /// The rows to skip for this page (SQL `OFFSET`).
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Rows a page (SQL `LIMIT`).
    pub fn limit(&self) -> i64 {
        self.per_page
    }

    /// The address of page `n`.
    pub fn link(&self, n: i64) -> String {
        format!("{}{}={n}{}", self.base, self.param, self.fragment)
    }

    /// More than one page, so the links are worth showing.
    pub fn has_pages(&self) -> bool {
        self.total > self.per_page || self.page > 1
    }

    /// The previous page's address, "" on the first.
    pub fn prev_link(&self) -> String {
        if self.page > 1 && !self.past_end {
            self.link(self.page - 1)
        } else {
            String::new()
        }
    }

    /// The next page's address, "" on the last.
    pub fn next_link(&self) -> String {
        if self.page < self.last() {
            self.link(self.page + 1)
        } else {
            String::new()
        }
    }

    /// The first page's address, "" when this is it.
    pub fn first_link(&self) -> String {
        if self.page > 2 || (self.past_end && self.page > 1) {
            self.link(1)
        } else {
            String::new()
        }
    }

    /// The last page's address, "" when this is it or the next one is.
    pub fn last_link(&self) -> String {
        if self.page + 1 < self.last() || self.past_end {
            self.link(self.last())
        } else {
            String::new()
        }
    }

    /// "Showing 51–100 of 2,000", "Showing all 12", or, past the end,
    /// what there is instead.
    pub fn showing(&self) -> String {
        if self.total == 0 {
            return "Nothing to show.".into();
        }
        if self.past_end {
            return format!(
                "There is no page {}: the list has {} on {} {}.",
                thousands(self.page),
                thousands(self.total),
                thousands(self.last()),
                if self.last() == 1 { "page" } else { "pages" }
            );
        }
        if self.total <= self.per_page {
            return if self.total == 1 {
                "Showing the only one.".into()
            } else {
                format!("Showing all {}.", thousands(self.total))
            };
        }
        let first = self.offset() + 1;
        let last = (self.offset() + self.per_page).min(self.total);
        format!(
            "Showing {}\u{2013}{} of {} (page {} of {}).",
            thousands(first),
            thousands(last),
            thousands(self.total),
            thousands(self.page),
            thousands(self.last())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_and_links_of_a_middle_page() {
        let p = Pager::new("/list", &[("unit", "3"), ("q", "")], 2, 50, 2000);
        assert_eq!(p.offset(), 50);
        assert_eq!(
            p.showing(),
            "Showing 51\u{2013}100 of 2,000 (page 2 of 40)."
        );
        assert_eq!(p.prev_link(), "/list?unit=3&page=1");
        assert_eq!(p.next_link(), "/list?unit=3&page=3");
        assert_eq!(p.first_link(), "");
        assert_eq!(p.last_link(), "/list?unit=3&page=40");
    }

    #[test]
    fn a_page_past_the_end_says_so_and_leads_back() {
        let p = Pager::new("/list", &[], 9, 50, 120);
        assert!(p.past_end);
        assert_eq!(
            p.showing(),
            "There is no page 9: the list has 120 on 3 pages."
        );
        assert_eq!(p.last_link(), "/list?page=3");
        assert_eq!(p.next_link(), "");
        assert_eq!(p.prev_link(), "");
    }

    #[test]
    fn a_short_list_is_one_page() {
        let p = Pager::new("/list", &[], 1, 50, 12);
        assert!(!p.has_pages());
        assert_eq!(p.showing(), "Showing all 12.");
        assert_eq!(page_number("x"), 1);
        assert_eq!(page_number("0"), 1);
        assert_eq!(page_number(" 3 "), 3);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
