//! Charts drawn on the server as SVG: readable without JavaScript, each
//! with a title, a description, and the table of its numbers beside it.
//! Colours are presentation attributes, not styles, so the page's content
//! security policy leaves them alone.

use std::fmt::Write;

use super::calc::{BURDEN_BP, Outcome, SEVERE_BP};
use crate::money::Cents;

/// Scenario colours, dark enough for text contrast on white.
pub const PALETTE: [&str; 6] = [
    "#8a1c1c", "#1f5fa8", "#2e7d32", "#6a1b9a", "#b45309", "#00695c",
];

/// One chart with the table behind it.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub svg: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dollars_k(cents: i64) -> String {
    format!("${}k", cents / 100_000)
}

const WIDTH: i64 = 720;
const LEFT: i64 = 200;
const RIGHT: i64 = 24;

fn x_of(value: i64, max: i64) -> i64 {
    LEFT + value.max(0) * (WIDTH - LEFT - RIGHT) / max.max(1)
}

fn open_svg(out: &mut String, id: &str, title: &str, description: &str, height: i64) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        esc(title),
        esc(description)
    );
}

fn legend(out: &mut String, names: &[String], y: i64) {
    let mut x = LEFT;
    for (i, name) in names.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{}" width="12" height="12" fill="{colour}"/><text x="{}" y="{y}" font-size="13" fill="#1b1b1b">{}</text>"##,
            y - 10,
            x + 16,
            esc(name)
        );
        x += 24 + 8 * i64::try_from(name.chars().count()).unwrap_or(10);
    }
}

/// Salaries against each scenario's floor, one row per group: `groups` are
/// each group's label and centre (the median for officers, the average a
/// member may see for members). `dots` are each person's salary by group
/// label, for officers only.
pub fn floors(
    id: &str,
    names: &[String],
    groups: &[(String, Cents)],
    floors: &[Vec<Option<Cents>>],
    dots: Option<&[(String, Vec<Cents>)]>,
) -> Chart {
    let row_height = 44;
    let top = 40;
    let height = top + row_height * i64::try_from(groups.len()).unwrap_or(0) + 40;
    let mut max = 1;
    for (_, centre) in groups {
        max = max.max(centre.0);
    }
    for f in floors.iter().flatten().flatten() {
        max = max.max(f.0);
    }
    if let Some(dots) = dots {
        for (_, salaries) in dots {
            for s in salaries {
                max = max.max(s.0);
            }
        }
    }
    let max = (max / 1_000_000 + 1) * 1_000_000;
    let title = "Salaries against each scenario's floor";
    let description = if dots.is_some() {
        "For each classification, a grey dot per person at their salary now, a black bar at the median, and a coloured mark at each scenario's floor."
    } else {
        "For each group of at least three people, a black bar at the average salary now (worked from pay in $1,000 bands) and a coloured mark at each scenario's floor."
    };
    let mut svg = String::new();
    open_svg(&mut svg, id, title, description, height);
    legend(&mut svg, names, 20);
    for (i, (label, centre)) in groups.iter().enumerate() {
        let y = top + row_height * i64::try_from(i).unwrap_or(0) + 20;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="13" text-anchor="end" fill="#1b1b1b">{}</text><line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#c9c9c9"/>"##,
            LEFT - 8,
            y + 4,
            esc(label),
            WIDTH - RIGHT
        );
        if let Some(dots) = dots
            && let Some((_, salaries)) = dots.iter().find(|(l, _)| l == label)
        {
            for s in salaries {
                let _ = write!(
                    svg,
                    r##"<circle cx="{}" cy="{y}" r="4" fill="#8c8c8c"/>"##,
                    x_of(s.0, max)
                );
            }
        }
        let cx = x_of(centre.0, max);
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="4" height="20" fill="#1b1b1b"/>"##,
            cx - 2,
            y - 10
        );
        for (s, per_group) in floors.iter().enumerate() {
            if let Some(Some(floor)) = per_group.get(i) {
                let fx = x_of(floor.0, max);
                let colour = PALETTE[s % PALETTE.len()];
                let _ = write!(
                    svg,
                    r##"<path d="M{fx} {} l-6 -9 h12 z" fill="{colour}"/>"##,
                    y - 4
                );
            }
        }
    }
    let axis_y = height - 24;
    for step in 0..=4 {
        let value = max * step / 4;
        let x = x_of(value, max);
        let _ = write!(
            svg,
            r##"<text x="{x}" y="{axis_y}" font-size="12" text-anchor="middle" fill="#565656">{}</text>"##,
            dollars_k(value)
        );
    }
    svg.push_str("</svg>");
    let mut head = vec![
        "Group".to_owned(),
        if dots.is_some() {
            "Median now".into()
        } else {
            "Average now".into()
        },
    ];
    head.extend(names.iter().map(|n| format!("Floor: {n}")));
    let rows = groups
        .iter()
        .enumerate()
        .map(|(i, (label, centre))| {
            let mut row = vec![label.clone(), centre.to_string()];
            row.extend(floors.iter().map(|f| {
                f.get(i)
                    .copied()
                    .flatten()
                    .map_or("none".to_owned(), |c| c.to_string())
            }));
            row
        })
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        svg,
        head,
        rows,
    }
}

/// The bands of net change after premiums.
pub const NET_BANDS: [&str; 5] = [
    "Goes backward",
    "$0 to $999",
    "$1,000 to $2,499",
    "$2,500 to $4,999",
    "$5,000 or more",
];
const NET_COLOURS: [&str; 5] = ["#b00020", "#e0a800", "#9ccc65", "#43a047", "#1b5e20"];

/// How many people fall in each band of net change, per scenario.
pub fn net_counts(outcome: &Outcome) -> [usize; 5] {
    let mut counts = [0; 5];
    for row in &outcome.rows {
        let band = match row.net.0 {
            n if n < 0 => 0,
            n if n < 100_000 => 1,
            n if n < 250_000 => 2,
            n if n < 500_000 => 3,
            _ => 4,
        };
        counts[band] += 1;
    }
    counts
}

fn stacked(
    id: &str,
    title: &str,
    description: &str,
    labels: &[String],
    counts: &[Vec<usize>],
    bands: &[&str],
    colours: &[&str],
) -> String {
    let row_height = 40;
    let top = 44;
    let height = top + row_height * i64::try_from(labels.len()).unwrap_or(0) + 16;
    let mut svg = String::new();
    open_svg(&mut svg, id, title, description, height);
    let mut x = 16;
    for (band, colour) in bands.iter().zip(colours) {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/><text x="{}" y="18" font-size="12" fill="#1b1b1b">{}</text>"##,
            x + 16,
            esc(band)
        );
        x += 28 + 7 * i64::try_from(band.chars().count()).unwrap_or(10);
    }
    for (i, (label, row)) in labels.iter().zip(counts).enumerate() {
        let y = top + row_height * i64::try_from(i).unwrap_or(0);
        let total: usize = row.iter().sum();
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="13" text-anchor="end" fill="#1b1b1b">{}</text>"##,
            LEFT - 8,
            y + 17,
            esc(label)
        );
        let mut x = LEFT;
        let span = WIDTH - LEFT - RIGHT;
        for (count, colour) in row.iter().zip(colours) {
            if *count == 0 || total == 0 {
                continue;
            }
            let w = span * i64::try_from(*count).unwrap_or(0) / i64::try_from(total).unwrap_or(1);
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{w}" height="24" fill="{colour}"/>"##
            );
            if w >= 22 {
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#ffffff">{count}</text>"##,
                    x + w / 2,
                    y + 16
                );
            }
            x += w;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Net change per person after premiums, in bands, one bar per scenario:
/// `counts` are `net_counts` of each.
pub fn net(id: &str, names: &[String], counts: &[[usize; 5]]) -> Chart {
    let counts: Vec<Vec<usize>> = counts.iter().map(|c| c.to_vec()).collect();
    let title = "Net change a year after premiums";
    let description = "For each scenario, how many people's raise, less the rise in their health premium, falls in each band; red goes backward.";
    let svg = stacked(
        id,
        title,
        description,
        names,
        &counts,
        &NET_BANDS,
        &NET_COLOURS,
    );
    let mut head = vec!["Scenario".to_owned()];
    head.extend(NET_BANDS.iter().map(|b| (*b).to_owned()));
    let rows = names
        .iter()
        .zip(&counts)
        .map(|(n, c)| {
            let mut row = vec![n.clone()];
            row.extend(c.iter().map(ToString::to_string));
            row
        })
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        svg,
        head,
        rows,
    }
}

/// How many of a unit's people are rent-burdened at one time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burden {
    pub headcount: usize,
    /// Over 30% of pay (the severe ones included).
    pub burdened: usize,
    /// Over 50%.
    pub severe: usize,
}

/// Rent burden `now` and `after` each scenario.
pub fn burden(id: &str, names: &[String], now: Burden, after: &[Burden]) -> Chart {
    let bands = ["Over 50% of pay", "30% to 50%", "Under 30%"];
    let colours = ["#b00020", "#e0a800", "#43a047"];
    let split =
        |severe: usize, burdened: usize, n: usize| vec![severe, burdened - severe, n - burdened];
    let mut labels = vec!["Now".to_owned()];
    let mut counts = vec![split(now.severe, now.burdened, now.headcount)];
    for (name, b) in names.iter().zip(after) {
        labels.push(name.clone());
        counts.push(split(b.severe, b.burdened, b.headcount));
    }
    let title = "Rent burden now and after";
    let description = format!(
        "How many people the median one-bedroom rent would take over {}% and over {}% of gross pay, now and under each scenario.",
        BURDEN_BP / 100,
        SEVERE_BP / 100
    );
    let svg = stacked(id, title, &description, &labels, &counts, &bands, &colours);
    let mut head = vec!["".to_owned()];
    head.extend(bands.iter().map(|b| (*b).to_owned()));
    let rows = labels
        .iter()
        .zip(&counts)
        .map(|(l, c)| {
            let mut row = vec![l.clone()];
            row.extend(c.iter().map(ToString::to_string));
            row
        })
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        description,
        svg,
        head,
        rows,
    }
}
