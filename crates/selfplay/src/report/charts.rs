//! The report's SVG charts: the held-out line chart and the solve-rate bar chart.

use super::summary::BUCKETS;
use crate::store::HeldoutRow;
use std::fmt::Write as _;

/// An SVG line chart of pass@1 and pass@k against the evaluation points.
pub(super) fn line_chart(rows: &[HeldoutRow]) -> String {
    let (left, top, width, height) = (50.0, 30.0, 340.0, 150.0);
    let step = width / (rows.len().max(2) - 1) as f64;
    let point = |i: usize, v: f64| {
        (
            left + step * i as f64,
            top + height * (1.0 - v.clamp(0.0, 1.0)),
        )
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"230\" font-family=\"sans-serif\" font-size=\"11\">\
         <text x=\"10\" y=\"16\" font-size=\"13\">Held-out pass@1 (blue) and pass@k (orange)</text>\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\
         <text x=\"10\" y=\"{}\">1.0</text><text x=\"10\" y=\"{}\">0.0</text>",
        top + height,
        left + width,
        top + height,
        top + 4.0,
        top + height
    );
    for (values, colour) in [
        (rows.iter().map(|r| r.pass1).collect::<Vec<_>>(), "#4a7bd0"),
        (rows.iter().map(|r| r.passk).collect::<Vec<_>>(), "#d08a4a"),
    ] {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (x, y) = point(i, v);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for (i, &v) in values.iter().enumerate() {
            let (x, y) = point(i, v);
            let _ = write!(
                svg,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.2}</text>",
                y - 6.0
            );
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let (x, _) = point(i, 0.0);
        let label = if r.round == 0 {
            "base".to_string()
        } else {
            format!("r{}", r.round)
        };
        let _ = write!(
            svg,
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            top + height + 16.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A small SVG bar chart of the histogram.
pub(super) fn bar_chart(title: &str, counts: &[u64; 6]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"220\" font-family=\"sans-serif\" font-size=\"11\">\
         <text x=\"10\" y=\"16\" font-size=\"13\">{title}</text>"
    );
    for (i, (label, &n)) in BUCKETS.iter().zip(counts).enumerate() {
        let h = 140.0 * n as f64 / max;
        let x = 20 + i * 65;
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"50\" height=\"{h:.1}\" fill=\"#4a7bd0\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{}\" y=\"205\" text-anchor=\"middle\">{label}</text>",
            185.0 - h,
            x + 25,
            180.0 - h,
            x + 25
        );
    }
    svg.push_str("</svg>\n");
    svg
}
