//! The recovery simulation for people: goodput and queue depth over time, one line per run, on
//! one SVG (docs/recovery.svg).

use std::fmt::Write as _;

use crate::recovery::fleet::RecoveryReport;
use crate::render::svg::escape;

const WIDTH: f64 = 960.0;
const PANEL_HEIGHT: f64 = 230.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 50.0;
const GAP: f64 = 60.0;
const COLORS: [&str; 9] = [
    "#c62828", "#6a1b9a", "#ef6c00", "#2e7d32", "#00838f", "#1565c0", "#4e342e", "#9e9d24",
    "#000000",
];

/// One plotted series of a run.
type Series = fn(&RecoveryReport) -> Vec<f64>;

/// Plots each report's goodput (leases per second) and longest queue per bucket against time,
/// with the trigger shaded and each run labelled by `labels[i]`.
pub(crate) fn render_recovery_svg(
    title: &str,
    reports: &[RecoveryReport],
    labels: &[String],
) -> String {
    let height = TOP + 2.0 * PANEL_HEIGHT + GAP + 50.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="12">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="10" y="22" font-size="15" font-weight="bold">{}</text>"#,
        escape(title)
    );
    if !reports.is_empty() {
        let panels: [(&str, Series); 2] = [
            ("leases established per second", |r| r.goodput.clone()),
            ("longest queue per minute", |r| {
                r.queue.iter().map(|q| *q as f64).collect()
            }),
        ];
        for (index, (name, series)) in panels.iter().enumerate() {
            let top = TOP + index as f64 * (PANEL_HEIGHT + GAP);
            panel(&mut out, reports, top, name, *series);
        }
        legend(&mut out, labels);
    }
    out.push_str("</svg>\n");
    out
}

/// The time axis: `t` seconds as an x coordinate, for runs of `horizon` seconds.
fn time_x(t: f64, horizon: f64) -> f64 {
    LEFT + (WIDTH - LEFT - RIGHT) * t / horizon
}

/// One panel whose top edge is at `top`: `series` of every report against time, with the
/// trigger shaded, the value and hour ticks, and the panel's `name`.
fn panel(out: &mut String, reports: &[RecoveryReport], top: f64, name: &str, series: Series) {
    let Some(first) = reports.first() else {
        return;
    };
    let plot_width = WIDTH - LEFT - RIGHT;
    let horizon = first.config.horizon;
    let x = |t: f64| time_x(t, horizon);
    let bottom = top + PANEL_HEIGHT;
    let peak = reports.iter().flat_map(series).fold(1.0f64, f64::max) * 1.05;
    let y = |v: f64| bottom - PANEL_HEIGHT * v / peak;
    let (start, end) = (first.config.outage_start, first.config.trigger_end());
    let _ = writeln!(
        out,
        r##"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{PANEL_HEIGHT}" fill="#eeeeee"/>"##,
        x(start),
        x(end) - x(start)
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" fill="#666">store unreachable</text>"##,
        x(start) + 4.0,
        top + 14.0
    );
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{top:.1}" width="{plot_width}" height="{PANEL_HEIGHT}" fill="none" stroke="#888"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" font-weight="bold">{name}</text>"#,
        top - 8.0
    );
    for tick in 0..=4 {
        let value = peak * f64::from(tick) / 4.0;
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{value:.0}</text><line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#f0f0f0"/>"##,
            LEFT - 6.0,
            y(value) + 4.0,
            y(value),
            LEFT + plot_width,
            y(value)
        );
    }
    let hours = (horizon / 3_600.0).floor() as u32;
    for hour in 0..=hours {
        let at = x(f64::from(hour) * 3_600.0);
        let _ = writeln!(
            out,
            r#"<text x="{at:.1}" y="{:.1}" text-anchor="middle">{hour} h</text>"#,
            bottom + 16.0
        );
    }
    for (run, report) in reports.iter().enumerate() {
        let color = COLORS[run % COLORS.len()];
        let points: Vec<String> = series(report)
            .iter()
            .enumerate()
            .map(|(bucket, value)| {
                let t = (bucket as f64 + 0.5) * report.config.bucket;
                format!("{:.1},{:.1}", x(t), y(*value))
            })
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="1.5"/>"#,
            points.join(" ")
        );
    }
}

/// Each run's colour and label, right of the panels.
fn legend(out: &mut String, labels: &[String]) {
    let plot_width = WIDTH - LEFT - RIGHT;
    for (run, label) in labels.iter().enumerate() {
        let color = COLORS[run % COLORS.len()];
        let legend_y = TOP + 10.0 + run as f64 * 20.0;
        let legend_x = LEFT + plot_width + 15.0;
        let _ = writeln!(
            out,
            r#"<line x1="{legend_x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{legend_y:.1}">{}</text>"#,
            legend_y - 4.0,
            legend_x + 20.0,
            legend_y - 4.0,
            legend_x + 26.0,
            escape(label)
        );
    }
}
