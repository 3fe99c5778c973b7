//! The evidence report as Markdown (the CLI's default), every word from [`super::words`].

use std::fmt::Write as _;

use super::words::{self, Phrase};
use super::{Report, Window};

/// Provider text is quoted as it was published; only line breaks become Markdown breaks, and
/// characters Markdown would interpret are escaped, so nothing the provider wrote can change
/// the document's structure.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("\r\n", "\n").replace('\n', "  \n> ")
}

/// Renders the report as Markdown in its language.
pub fn markdown(report: &Report) -> String {
    let lang = report.language;
    let w = |p| words::phrase(p, lang);
    let mut s = String::new();
    let _ = write!(s, "# {}\n\n", w(Phrase::Title));
    let _ = write!(
        s,
        "{}  \n{}\n\n",
        words::period(report.from, report.to, lang),
        quote(&words::generated(report.generated_at, &report.computer, lang))
    );
    let _ = write!(s, "## {}\n\n", w(Phrase::HowTitle));
    for paragraph in words::method(&report.method, lang) {
        let _ = write!(s, "{paragraph}\n\n");
    }
    for p in &report.providers {
        let _ = write!(s, "## {}\n\n", quote(&p.name));
        if !p.probed.is_empty() {
            let probed: Vec<String> = p.probed.iter().map(|c| words::probed(c, lang)).collect();
            let _ = write!(s, "{}: {}\n\n", w(Phrase::Probed), quote(&probed.join(", ")));
        }
        let _ = write!(
            s,
            "| {} | {} | {} | {} |\n|---|---|---|---|\n",
            w(Phrase::Period),
            w(Phrase::MeasuredSince),
            w(Phrase::Down),
            w(Phrase::Value)
        );
        for a in &p.availability {
            let value = a.ratio().map_or_else(|| w(Phrase::NothingMeasured).to_owned(), |r| words::percent(r, lang));
            let label = if a.window == Window::Period { w(Phrase::Period) } else { words::window(a.window, lang) };
            let _ = writeln!(
                s,
                "| {label} | {} | {} | {value} |",
                words::base(a.since, a.measured_ms, lang),
                words::duration_ms(a.down_ms, lang)
            );
        }
        s.push('\n');
        if let Some(sla) = &p.sla {
            let measured =
                p.availability.iter().find(|a| a.window == Window::Period).and_then(super::Availability::ratio);
            let _ = write!(s, "{}: {}\n\n", w(Phrase::Sla), words::sla(sla, measured, lang));
        }
        if p.outages.is_empty() {
            let _ = write!(s, "{}\n\n", w(Phrase::NoOutages));
        } else {
            let _ = write!(s, "### {}\n\n", w(Phrase::Outages));
            for o in &p.outages {
                let end = o.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment(t, lang));
                let ack = o.acknowledged.as_ref().map_or_else(
                    || w(Phrase::NotAcknowledged).to_owned(),
                    |a| format!("{} („{}“)", words::acknowledged(a.said, a.delay_ms, lang), quote(&a.title)),
                );
                let _ = writeln!(
                    s,
                    "- **{}** — {} · {}: {} · {}: {} · {}: {end} · {}: {}",
                    quote(&words::probed(&o.probed, lang)),
                    words::cause(o.reason, lang),
                    w(Phrase::Start),
                    words::moment(o.started, lang),
                    w(Phrase::Confirmed),
                    words::moment(o.confirmed, lang),
                    w(Phrase::End),
                    w(Phrase::Duration),
                    words::duration_ms(o.duration(report.to).num_milliseconds(), lang),
                );
                if o.unmeasured_ms > 0 {
                    let _ = writeln!(
                        s,
                        "  ({}: {})",
                        w(Phrase::UnmeasuredWithin),
                        words::duration_ms(o.unmeasured_ms, lang)
                    );
                }
                let _ = writeln!(s, "  {}: {ack}", w(Phrase::ProviderSaid));
            }
            s.push('\n');
        }
        if !p.refused_logins.is_empty() {
            let _ = write!(s, "### {}\n\n{}\n\n", w(Phrase::RefusedLogins), w(Phrase::RefusedLoginsNote));
            for o in &p.refused_logins {
                let end = o.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment(t, lang));
                let _ = writeln!(
                    s,
                    "- {} — {}: {} – {end}",
                    quote(&words::probed(&o.probed, lang)),
                    words::cause(o.reason, lang),
                    words::moment(o.started, lang)
                );
            }
            s.push('\n');
        }
        if !p.degraded.is_empty() {
            let _ = write!(s, "### {}\n\n{}\n\n", w(Phrase::Degraded), w(Phrase::DegradedNote));
            for d in &p.degraded {
                let end = d.ended.map_or_else(|| w(Phrase::Ongoing).to_owned(), |t| words::moment(t, lang));
                let _ = writeln!(
                    s,
                    "- {} — {}: {} – {end} ({})",
                    quote(&words::probed(&d.probed, lang)),
                    words::pattern(d.kind, lang),
                    words::moment(d.started, lang),
                    words::duration_ms(d.duration(report.to).num_milliseconds(), lang),
                );
            }
            s.push('\n');
        }
        if !p.late_mails.is_empty() || p.probed.iter().any(|c| c.kind == crate::model::CheckKind::Roundtrip) {
            let _ = write!(s, "### {}\n\n{}\n\n", w(Phrase::LateMails), w(Phrase::LateMailsNote));
            if p.late_mails.is_empty() {
                let _ = write!(s, "{}\n\n", w(Phrase::NoLateMails));
            } else {
                let _ = write!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
                    w(Phrase::Sent),
                    w(Phrase::Route),
                    w(Phrase::Mailbox),
                    w(Phrase::MailOutcome),
                    w(Phrase::Arrived),
                    w(Phrase::Delay)
                );
                for m in &p.late_mails {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | {} |",
                        words::moment(m.sent, lang),
                        quote(&words::route(m, lang)),
                        quote(&m.to),
                        words::fate(m.fate, lang),
                        words::arrived(m.seen, lang, words::moment),
                        words::delivery_time(m.delay_ms)
                    );
                }
                s.push('\n');
            }
        }
        let _ = write!(s, "### {}\n\n", w(Phrase::Timeline));
        if p.timeline.is_empty() {
            let _ = write!(s, "{}\n\n", w(Phrase::NoAnnouncements));
        }
        for e in &p.timeline {
            let who = if matches!(e.what, super::EventKind::ProviderSaid { .. }) {
                w(Phrase::Provider)
            } else {
                w(Phrase::Us)
            };
            let _ = writeln!(s, "- {} — {who}: {}", words::moment(e.at, lang), quote(&words::event(&e.what, lang)));
        }
        s.push('\n');
    }
    let _ = write!(s, "## {}\n\n", w(Phrase::Gaps));
    if report.gaps.is_empty() {
        let _ = writeln!(s, "{}", w(Phrase::NoGaps));
    }
    for g in &report.gaps {
        let end = g.to.map_or_else(|| "…".to_owned(), |t| words::moment(t, lang));
        let span = g.to.map(|t| words::duration_ms((t - g.from).num_milliseconds(), lang)).unwrap_or_default();
        let _ = writeln!(s, "- {} – {end} ({span}): {}", words::moment(g.from, lang), words::gap(g.kind, lang));
    }
    s
}
