//! The PNG chart (target/bench/overhead.png): grouped bars of the three ratios per workload, on
//! a log scale, one panel for time and one for peak RSS.
//!
//! Text is rendered by plotters' ab_glyph backend, which needs a TrueType font registered at run
//! time; we take the system's sans-serif font (DejaVu Sans on Debian).

use std::path::{Path, PathBuf};
use std::process::Command;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::results::{Metric, Row};
use crate::table::RATIOS;

const FONT: &str = "sans-serif";
const COLORS: [RGBColor; 3] = [
    RGBColor(230, 135, 40), // libtsan / native
    RGBColor(50, 105, 200), // hbsan / native
    RGBColor(50, 160, 85),  // hbsan / libtsan
];

pub fn draw(path: &Path, rows: &[Row], subtitle: &str) -> Result<(), String> {
    load_font()?;
    let rows: Vec<&Row> = rows
        .iter()
        .filter(|r| r.build_error.is_none())
        .filter(|r| {
            RATIOS
                .iter()
                .any(|&(a, b, _)| r.ratio(a, b, Metric::Wall).is_some())
        })
        .collect();
    if rows.is_empty() {
        return Err("no workload has a ratio to draw".into());
    }
    let width = 260 + 150 * rows.len() as u32;
    let root = BitMapBackend::new(path, (width.max(1000), 1000)).into_drawing_area();
    root.fill(&WHITE).map_err(fail)?;
    let (head, body) = root.split_vertically(70);
    head.draw_text(
        "hbsan overhead: ratios of median wall time and peak RSS",
        &(FONT, 28).into_font().color(&BLACK),
        (20, 8),
    )
    .map_err(fail)?;
    head.draw_text(
        subtitle,
        &(FONT, 17).into_font().color(&RGBColor(80, 80, 80)),
        (20, 42),
    )
    .map_err(fail)?;
    legend(&head)?;
    let panels = body.split_evenly((2, 1));
    panel(
        &panels[0],
        &rows,
        Metric::Wall,
        "wall time ratio (log scale)",
    )?;
    panel(&panels[1], &rows, Metric::Rss, "peak RSS ratio (log scale)")?;
    root.present().map_err(fail)
}

fn panel(
    area: &DrawingArea<BitMapBackend, Shift>,
    rows: &[&Row],
    metric: Metric,
    title: &str,
) -> Result<(), String> {
    let values: Vec<[Option<f64>; 3]> = rows
        .iter()
        .map(|r| RATIOS.map(|(a, b, _)| r.ratio(a, b, metric)))
        .collect();
    let all: Vec<f64> = values.iter().flatten().flatten().copied().collect();
    let lo = all.iter().copied().fold(0.5f64, f64::min) / 1.3;
    let hi = all.iter().copied().fold(2.0f64, f64::max) * 1.6;
    let n = rows.len();
    let names: Vec<String> = rows.iter().map(|r| r.name.to_string()).collect();
    let x_label = move |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 0.01 && i >= 0.0 && (i as usize) < names.len() {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 22))
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo..hi).log_scale())
        .map_err(fail)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&x_label)
        .y_labels(12)
        .y_label_formatter(&y_label)
        .label_style((FONT, 16))
        .y_desc("ratio")
        .draw()
        .map_err(fail)?;
    // The 1x line: no overhead.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 1.0), (n as f64 - 0.5, 1.0)],
            BLACK.stroke_width(2),
        )))
        .map_err(fail)?;
    let bar = 0.8 / RATIOS.len() as f64;
    for k in 0..RATIOS.len() {
        let color = COLORS[k];
        let left = |i: usize| i as f64 - 0.4 + k as f64 * bar;
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                v[k].map(|r| {
                    Rectangle::new(
                        [(left(i) + 0.01, lo), (left(i) + bar - 0.01, r)],
                        color.filled(),
                    )
                })
            }))
            .map_err(fail)?;
        let style =
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                v[k].map(|r| Text::new(short(r), (left(i) + bar / 2.0, r * 1.03), style.clone()))
            }))
            .map_err(fail)?;
    }
    Ok(())
}

/// The colour key, drawn once in the header (right-aligned) so it never covers a bar.
fn legend(head: &DrawingArea<BitMapBackend, Shift>) -> Result<(), String> {
    let (w, _) = head.dim_in_pixel();
    let mut x = w as i32 - 3 * 190 - 10;
    for (k, &(_, _, name)) in RATIOS.iter().enumerate() {
        head.draw(&Rectangle::new([(x, 28), (x + 22, 46)], COLORS[k].filled()))
            .map_err(fail)?;
        head.draw_text(name, &(FONT, 18).into_font().color(&BLACK), (x + 30, 27))
            .map_err(fail)?;
        x += 190;
    }
    Ok(())
}

/// Label only the 1-2-5 steps of the log axis; the other grid lines stay unlabelled.
fn y_label(y: &f64) -> String {
    let mantissa = y / 10f64.powf(y.log10().floor());
    if ![1.0, 2.0, 5.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 0.01 * m)
    {
        return String::new();
    }
    if *y >= 1.0 {
        format!("{y:.0}x")
    } else {
        format!("{y:.1}x")
    }
}

fn short(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("plotters: {e:?}")
}

/// Register a system TrueType font as "sans-serif" for plotters.
fn load_font() -> Result<(), String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(out) = Command::new("fc-match")
        .args(["-f", "%{file}", "sans-serif:style=Book"])
        .output()
    {
        let file = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !file.is_empty() {
            candidates.push(file.into());
        }
    }
    for p in [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ] {
        candidates.push(p.into());
    }
    for path in candidates {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        // plotters keeps the font for the life of the process.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        if register_font(FONT, FontStyle::Normal, bytes).is_ok() {
            return Ok(());
        }
    }
    Err("no usable TrueType font found (tried fc-match and DejaVu/Liberation paths)".into())
}
