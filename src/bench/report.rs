//! The figures a benchmark measured, each beside the baseline measured in the same run, and
//! the one table `switchboard bench` prints (Markdown, so it pastes into notes as it is).

use std::time::Duration;

/// One measured figure.
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// What the figure is compared with, measured in the same run.
    pub baseline: Option<Baseline>,
    /// The aim, as text.
    pub aim: String,
    /// How the figure was taken (load, sizes), after the table.
    pub note: Option<String>,
}

pub struct Baseline {
    pub value: f64,
    pub label: String,
}

impl Figure {
    pub fn new(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            baseline: None,
            aim: String::new(),
            note: None,
        }
    }

    pub fn baseline(mut self, value: f64, label: impl Into<String>) -> Self {
        self.baseline = Some(Baseline {
            value,
            label: label.into(),
        });
        self
    }

    pub fn aim(mut self, aim: impl Into<String>) -> Self {
        self.aim = aim.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn ratio(&self) -> Option<f64> {
        self.baseline
            .as_ref()
            .filter(|b| b.value != 0.0)
            .map(|b| self.value / b.value)
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A number with as many decimals as its size calls for.
fn number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 0.1 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// The table for one database: a heading line, the Markdown table, then the notes.
pub fn table(title: &str, figures: &[Figure]) -> String {
    let mut out = format!("\n### {title}\n\n");
    out.push_str("| figure | value | baseline (same run) | ratio | aim |\n");
    out.push_str("|---|---|---|---|---|\n");
    for f in figures {
        let baseline = match &f.baseline {
            Some(b) => format!("{} {} {}", number(b.value), f.unit, b.label),
            None => "—".to_owned(),
        };
        let ratio = f.ratio().map_or("—".to_owned(), number);
        out.push_str(&format!(
            "| {} | {} {} | {} | {} | {} |\n",
            f.name,
            number(f.value),
            f.unit,
            baseline,
            ratio,
            if f.aim.is_empty() { "—" } else { &f.aim }
        ));
    }
    let notes: Vec<String> = figures
        .iter()
        .filter_map(|f| f.note.as_ref().map(|n| format!("- {}: {n}", f.name)))
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_value_baseline_and_ratio() {
        let figures = [
            Figure::new("webhooks stored", 900.0, "/s")
                .baseline(36000.0, "bare axum")
                .aim("≥ 10,000 /s"),
            Figure::new("memory per subscription", 12.5, "KiB"),
        ];
        let text = table("SQLite", &figures);
        assert!(text
            .contains("| webhooks stored | 900 /s | 36000 /s bare axum | 0.025 | ≥ 10,000 /s |"));
        assert!(text.contains("| memory per subscription | 12.5 KiB | — | — | — |"));
    }
}
