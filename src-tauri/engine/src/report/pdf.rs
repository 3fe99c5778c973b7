//! The evidence report as a PDF to hand to a provider, an insurer or a lawyer: A4, the
//! shipped DejaVu Sans Condensed embedded (subset) so text is selectable and umlauts are
//! right on any machine, nothing loaded at run time. A small flowing layout: paragraphs,
//! tables with wrapped cells, a bar per day; pages break where the content needs it.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use outage_core::report::words::{self, Phrase};
use outage_core::report::{Day, EventKind, ProviderEvidence, Report, Window};
use outage_core::text::Language;
use skrifa::MetadataProvider as _;

use super::ReportError;

const REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSansCondensed.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSansCondensed-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const BOTTOM: f32 = PAGE_H - MARGIN - 18.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;

const BLACK: (u8, u8, u8) = (0, 0, 0);
const GREY: (u8, u8, u8) = (96, 96, 96);
const GOOD: (u8, u8, u8) = (46, 139, 87);
const FAIR: (u8, u8, u8) = (230, 160, 30);
const BAD: (u8, u8, u8) = (200, 40, 40);
const NONE: (u8, u8, u8) = (205, 205, 205);

#[derive(Debug, Clone)]
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, color: (u8, u8, u8), text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8) },
}

/// Glyph advances of one font, for breaking lines where they will really end.
struct Metrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8]) -> Option<(Metrics<'a>, f32)> {
        let font = skrifa::FontRef::new(data).ok()?;
        let (size, location) = (skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
        let units = f32::from(font.metrics(size, location).units_per_em);
        Some((Metrics { charmap: font.charmap(), glyphs: font.glyph_metrics(size, location) }, units))
    }

    /// Width of `text` in font units.
    fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.charmap.map(c).and_then(|g| self.glyphs.advance_width(g)).unwrap_or(1000.0)).sum()
    }
}

/// Lays out the document as pages of drawing operations.
struct Layout<'a> {
    pages: Vec<Vec<Op>>,
    y: f32,
    regular: Metrics<'a>,
    bold: Metrics<'a>,
    units: f32,
}

impl Layout<'_> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let m = if bold { &self.bold } else { &self.regular };
        m.width(text) * size / self.units
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes room for `h` points, breaking the page when it would not fit.
    fn room(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > MARGIN + 1.0 {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Breaks `text` into lines no wider than `width`. Each word is measured once.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let space = self.width(" ", size, bold);
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut used = 0.0;
            for word in paragraph.split_whitespace() {
                let w = self.width(word, size, bold);
                let needed = if line.is_empty() { w } else { used + space + w };
                if needed <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    used = needed;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if w <= width {
                    line.push_str(word);
                    used = w;
                    continue;
                }
                // A word wider than the line (a long URL) is broken where it must be.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size, bold) > width {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                used = self.width(&piece, size, bold);
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, color: (u8, u8, u8), text: &str) {
        let y = self.y + size;
        self.push(Op::Text { x, y, size, bold, color, text: text.to_owned() });
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, color: (u8, u8, u8)) {
        let lead = size * 1.35;
        for line in self.wrap(text, size, bold, WIDTH) {
            self.room(lead);
            self.text(MARGIN, size, bold, color, &line);
            self.y += lead;
        }
        self.y += size * 0.5;
    }

    fn heading(&mut self, text: &str, size: f32) {
        self.room(size * 3.0);
        self.y += size * 0.6;
        self.paragraph(text, size, true, BLACK);
    }

    /// A table: a bold header row, then rows; cells wrap within their column.
    fn table(&mut self, widths: &[f32], header: &[&str], rows: &[Vec<String>], size: f32) {
        let total: f32 = widths.iter().sum();
        let widths: Vec<f32> = widths.iter().map(|w| w / total * WIDTH).collect();
        let lead = size * 1.3;
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        self.row(&widths, &header, size, lead, true);
        for row in rows {
            self.row(&widths, row, size, lead, false);
        }
        self.y += size;
    }

    fn row(&mut self, widths: &[f32], cells: &[String], size: f32, lead: f32, bold: bool) {
        let wrapped: Vec<Vec<String>> =
            cells.iter().zip(widths).map(|(c, w)| self.wrap(c, size, bold, w - 4.0)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        #[allow(clippy::cast_precision_loss)] // a handful of lines
        let h = lines as f32 * lead + 3.0;
        self.room(h);
        let top = self.y;
        let mut x = MARGIN;
        for (cell, w) in wrapped.iter().zip(widths) {
            for (i, line) in cell.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let y = top + i as f32 * lead + size;
                self.push(Op::Text { x, y, size, bold, color: BLACK, text: line.clone() });
            }
            x += w;
        }
        self.y = top + h;
        self.push(Op::Rect { x: MARGIN, y: self.y - 1.5, w: WIDTH, h: 0.4, color: NONE });
    }

    /// One bar per day, in rows of up to 62 days, coloured by availability; grey where
    /// nothing was measured, so a gap never looks like downtime.
    fn bars(&mut self, days: &[Day], lang: Language) {
        const PER_ROW: usize = 62;
        const H: f32 = 22.0;
        for chunk in days.chunks(PER_ROW) {
            self.room(H + 16.0);
            // A week's bars are broad, two months' narrow; never narrower than 62 a row.
            #[allow(clippy::cast_precision_loss)]
            let step = WIDTH / days.len().clamp(14, PER_ROW) as f32;
            for (i, d) in chunk.iter().enumerate() {
                let color = match d.ratio() {
                    None => NONE,
                    Some(r) if r >= 0.999 => GOOD,
                    Some(r) if r >= 0.95 => FAIR,
                    Some(_) => BAD,
                };
                #[allow(clippy::cast_precision_loss)]
                let x = MARGIN + i as f32 * step;
                self.push(Op::Rect { x, y: self.y, w: (step - 1.0).max(0.5), h: H, color });
            }
            self.y += H + 2.0;
            if let (Some(first), Some(last)) = (chunk.first(), chunk.last()) {
                let size = 7.0;
                self.text(MARGIN, size, false, GREY, &words::date(first.date, lang));
                let end = words::date(last.date, lang);
                let w = self.width(&end, size, false);
                #[allow(clippy::cast_precision_loss)]
                let x = MARGIN + chunk.len() as f32 * step - w;
                self.text(x.max(MARGIN + 60.0), size, false, GREY, &end);
            }
            self.y += 12.0;
        }
    }
}

/// Renders the report as a PDF document.
pub fn render(report: &Report) -> Result<Vec<u8>, ReportError> {
    let broken = || ReportError::Render("the shipped font cannot be read".into());
    let ((regular, units), (bold, _)) =
        (Metrics::new(REGULAR).ok_or_else(broken)?, Metrics::new(BOLD).ok_or_else(broken)?);
    let mut l = Layout { pages: Vec::new(), y: MARGIN, regular, bold, units };
    l.new_page();
    let lang = report.language;
    let w = |p| words::phrase(p, lang);

    l.paragraph(w(Phrase::Title), 20.0, true, BLACK);
    l.paragraph(&words::period(report.from, report.to, lang), 11.0, false, BLACK);
    l.paragraph(&words::generated(report.generated_at, &report.computer, lang), 11.0, false, BLACK);
    l.heading(w(Phrase::HowTitle), 13.0);
    for paragraph in words::method(&report.method, lang) {
        l.paragraph(&paragraph, 10.0, false, BLACK);
    }
    l.heading(w(Phrase::Availability), 13.0);
    let summary: Vec<Vec<String>> = report
        .providers
        .iter()
        .map(|p| {
            let period = p.availability.iter().find(|a| a.window == Window::Period);
            vec![
                p.name.clone(),
                period.map(|a| words::base(a.since, a.measured_ms, lang)).unwrap_or_default(),
                period
                    .and_then(outage_core::report::Availability::ratio)
                    .map_or_else(|| w(Phrase::NothingMeasured).to_owned(), |r| words::percent(r, lang)),
                p.outages.len().to_string(),
            ]
        })
        .collect();
    let outages_label = if lang == Language::De { "Ausfälle" } else { "Outages" };
    l.table(
        &[3.0, 4.0, 1.6, 1.2],
        &[w(Phrase::Provider), w(Phrase::MeasuredSince), w(Phrase::Value), outages_label],
        &summary,
        9.0,
    );

    for p in &report.providers {
        l.new_page();
        provider(&mut l, report, p);
    }

    l.heading(w(Phrase::Gaps), 13.0);
    if report.gaps.is_empty() {
        l.paragraph(w(Phrase::NoGaps), 10.0, false, BLACK);
    } else {
        let rows: Vec<Vec<String>> = report
            .gaps
            .iter()
            .map(|g| {
                vec![
                    words::moment(g.from, lang),
                    g.to.map_or_else(|| "…".to_owned(), |t| words::moment(t, lang)),
                    g.to.map(|t| words::duration_ms((t - g.from).num_milliseconds(), lang)).unwrap_or_default(),
                    words::gap(g.kind, lang).to_owned(),
                ]
            })
            .collect();
        let (from, to) = if lang == Language::De { ("Von", "Bis") } else { ("From", "To") };
        l.table(&[2.2, 2.2, 1.6, 4.0], &[from, to, w(Phrase::Duration), w(Phrase::Cause)], &rows, 9.0);
    }
    draw(report, &l)
}

fn provider(l: &mut Layout<'_>, report: &Report, p: &ProviderEvidence) {
    let lang = report.language;
    let w = |p| words::phrase(p, lang);
    l.paragraph(&p.name, 17.0, true, BLACK);
    if !p.probed.is_empty() {
        let probed: Vec<String> = p.probed.iter().map(|c| words::probed(c, lang)).collect();
        l.paragraph(&format!("{}: {}", w(Phrase::Probed), probed.join(", ")), 9.5, false, GREY);
    }
    l.heading(w(Phrase::Availability), 12.0);
    let rows: Vec<Vec<String>> = p
        .availability
        .iter()
        .map(|a| {
            let label = if a.window == Window::Period { w(Phrase::Period) } else { words::window(a.window, lang) };
            vec![
                label.to_owned(),
                words::base(a.since, a.measured_ms, lang),
                words::duration_ms(a.down_ms, lang),
                a.ratio().map_or_else(|| w(Phrase::NothingMeasured).to_owned(), |r| words::percent(r, lang)),
            ]
        })
        .collect();
    l.table(
        &[2.2, 4.2, 1.8, 1.5],
        &[w(Phrase::Period), w(Phrase::MeasuredSince), w(Phrase::Down), w(Phrase::Value)],
        &rows,
        9.0,
    );
    if let Some(sla) = &p.sla {
        let measured = p
            .availability
            .iter()
            .find(|a| a.window == Window::Period)
            .and_then(outage_core::report::Availability::ratio);
        l.paragraph(&format!("{}: {}", w(Phrase::Sla), words::sla(sla, measured, lang)), 10.0, true, BLACK);
    }
    if !p.days.is_empty() {
        l.heading(w(Phrase::Days), 12.0);
        l.bars(&p.days, lang);
        l.paragraph(w(Phrase::BarsLegend), 8.0, false, GREY);
    }
    l.heading(w(Phrase::Outages), 12.0);
    if p.outages.is_empty() {
        l.paragraph(w(Phrase::NoOutages), 10.0, false, BLACK);
    } else {
        // One block per outage: what failed and why, its times in a row wide enough for
        // a date and time per cell, and the provider's first word.
        for o in &p.outages {
            l.room(70.0);
            l.paragraph(
                &format!("{} — {}", words::probed(&o.probed, lang), words::cause(o.reason, lang)),
                9.5,
                true,
                BLACK,
            );
            let mut duration = words::duration_ms(o.duration(report.to).num_milliseconds(), lang);
            if o.unmeasured_ms > 0 {
                duration = format!(
                    "{duration} ({}: {})",
                    w(Phrase::UnmeasuredWithin),
                    words::duration_ms(o.unmeasured_ms, lang)
                );
            }
            let row = vec![
                words::moment_short(o.started, lang),
                words::moment_short(o.confirmed, lang),
                o.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment_short(t, lang)),
                duration,
            ];
            l.table(
                &[1.0, 1.0, 1.0, 1.6],
                &[w(Phrase::Start), w(Phrase::Confirmed), w(Phrase::End), w(Phrase::Duration)],
                &[row],
                8.5,
            );
            let ack = o.acknowledged.as_ref().map_or_else(
                || w(Phrase::NotAcknowledged).to_owned(),
                |a| format!("{} — {}", words::acknowledged(a.said, a.delay_ms, lang), a.title),
            );
            l.paragraph(&format!("{}: {ack}", w(Phrase::ProviderSaid)), 9.0, false, BLACK);
        }
    }
    if !p.refused_logins.is_empty() {
        l.heading(w(Phrase::RefusedLogins), 12.0);
        l.paragraph(w(Phrase::RefusedLoginsNote), 9.5, false, GREY);
        let rows: Vec<Vec<String>> = p
            .refused_logins
            .iter()
            .map(|o| {
                vec![
                    words::probed(&o.probed, lang),
                    words::moment_short(o.started, lang),
                    o.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment_short(t, lang)),
                ]
            })
            .collect();
        l.table(&[3.0, 2.0, 2.0], &[w(Phrase::Affected), w(Phrase::Start), w(Phrase::End)], &rows, 8.5);
    }
    if !p.degraded.is_empty() {
        l.heading(w(Phrase::Degraded), 12.0);
        l.paragraph(w(Phrase::DegradedNote), 9.5, false, GREY);
        let rows: Vec<Vec<String>> = p
            .degraded
            .iter()
            .map(|d| {
                vec![
                    words::probed(&d.probed, lang),
                    words::pattern(d.kind, lang).to_owned(),
                    words::moment_short(d.started, lang),
                    d.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment_short(t, lang)),
                    words::duration_ms(d.duration(report.to).num_milliseconds(), lang),
                ]
            })
            .collect();
        let header = [w(Phrase::Affected), w(Phrase::Cause), w(Phrase::Start), w(Phrase::End), w(Phrase::Duration)];
        l.table(&[2.6, 2.2, 1.6, 1.6, 1.2], &header, &rows, 8.5);
    }
    if !p.late_mails.is_empty() || p.probed.iter().any(|c| c.kind == outage_core::model::CheckKind::Roundtrip) {
        l.heading(w(Phrase::LateMails), 12.0);
        l.paragraph(w(Phrase::LateMailsNote), 9.5, false, GREY);
        if p.late_mails.is_empty() {
            l.paragraph(w(Phrase::NoLateMails), 10.0, false, BLACK);
        } else {
            let rows: Vec<Vec<String>> = p
                .late_mails
                .iter()
                .map(|m| {
                    vec![
                        words::moment_short(m.sent, lang),
                        words::route(m, lang),
                        m.to.clone(),
                        words::fate(m.fate, lang).to_owned(),
                        words::arrived(m.seen, lang, words::moment_short),
                        words::delivery_time(m.delay_ms),
                    ]
                })
                .collect();
            l.table(
                &[1.5, 2.4, 1.8, 1.3, 1.5, 1.0],
                &[
                    w(Phrase::Sent),
                    w(Phrase::Route),
                    w(Phrase::Mailbox),
                    w(Phrase::MailOutcome),
                    w(Phrase::Arrived),
                    w(Phrase::Delay),
                ],
                &rows,
                8.5,
            );
        }
    }
    l.heading(w(Phrase::Timeline), 12.0);
    if p.timeline.is_empty() {
        l.paragraph(w(Phrase::NoAnnouncements), 10.0, false, BLACK);
    } else {
        let rows: Vec<Vec<String>> = p
            .timeline
            .iter()
            .map(|e| {
                let who =
                    if matches!(e.what, EventKind::ProviderSaid { .. }) { w(Phrase::Provider) } else { w(Phrase::Us) };
                vec![words::moment_short(e.at, lang), who.to_owned(), words::event(&e.what, lang)]
            })
            .collect();
        l.table(&[1.6, 0.9, 6.5], &[w(Phrase::Start), "", ""], &rows, 8.5);
    }
}

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        opacity: NormalizedF32::ONE,
        rule: krilla::paint::FillRule::default(),
    }
}

fn draw(report: &Report, layout: &Layout<'_>) -> Result<Vec<u8>, ReportError> {
    let lang = report.language;
    let broken = || ReportError::Render("the shipped font cannot be read".into());
    let regular = Font::new(REGULAR.into(), 0).ok_or_else(broken)?;
    let bold = Font::new(BOLD.into(), 0).ok_or_else(broken)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(words::phrase(Phrase::Title, lang).to_owned())
            .language(lang.as_str().to_owned())
            .creator(outage_core::text::APP_NAME.to_owned()),
    );
    let count = layout.pages.len();
    for (n, ops) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| ReportError::Render("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold: b, color, text } => {
                    surface.set_fill(Some(fill(*color)));
                    let font = if *b { bold.clone() } else { regular.clone() };
                    surface.draw_text(Point::from_xy(*x, *y), font, *size, text, false, TextDirection::Auto);
                }
                Op::Rect { x, y, w, h, color } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(fill(*color)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        let footer = format!(
            "{} · {} {} / {count}",
            words::period(report.from, report.to, lang),
            words::phrase(Phrase::Page, lang),
            n + 1
        );
        surface.set_fill(Some(fill(GREY)));
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN + 6.0),
            regular.clone(),
            7.5,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| ReportError::Render(format!("{e:?}")))
}
