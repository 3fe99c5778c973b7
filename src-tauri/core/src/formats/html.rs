//! Untrusted HTML from status pages turned into plain text, plus the little structure feed
//! timelines need (dated, labelled update blocks) and `<link>` discovery in page HTML.
//!
//! Everything goes through html5ever's HTML5 tokenizer and only character tokens come out, so
//! markup, scripts and entities can never leak into an update body. No tree is built: the
//! tokenizer is linear in the input, where tree building is quadratic in nesting depth, and a
//! hostile body of a million nested tags must cost milliseconds, not minutes.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, CharacterTokens, EndTag, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer,
    TokenizerOpts,
};
use html5ever::{Attribute, TokenizerResult};

/// Elements that start and end a line of text.
const BLOCKS: [&str; 24] = [
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
    "dl",
    "hr",
    "td",
];

/// Elements whose content is never text for a reader.
const SKIPPED: [&str; 9] = ["script", "style", "template", "head", "title", "noscript", "iframe", "object", "svg"];

/// What the tokenizer saw, in document order.
enum Event<'a> {
    Open(&'a str, &'a [Attribute]),
    Close(&'a str),
    Text(&'a str),
}

/// Hands every token to a callback; switches the tokenizer into raw text where the HTML
/// standard does (the tree builder would), so `<script>if (a<b)</script>` stays one text run.
struct Sink<F> {
    on: RefCell<F>,
}

impl<F: FnMut(Event<'_>)> TokenSink for Sink<F> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut on = self.on.borrow_mut();
        match token {
            CharacterTokens(text) => on(Event::Text(&text)),
            TagToken(tag) => {
                let name: &str = &tag.name;
                match tag.kind {
                    StartTag => {
                        on(Event::Open(name, &tag.attrs));
                        if tag.self_closing {
                            return TokenSinkResult::Continue;
                        }
                        return match name {
                            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                                TokenSinkResult::RawData(RawKind::Rawtext)
                            }
                            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                            "plaintext" => TokenSinkResult::Plaintext,
                            _ => TokenSinkResult::Continue,
                        };
                    }
                    EndTag => on(Event::Close(name)),
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Tokenizes `html` and calls `on` for every start tag, end tag and text run.
fn walk(html: &str, on: impl FnMut(Event<'_>)) {
    let tokenizer = Tokenizer::new(Sink { on: RefCell::new(on) }, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never blocks for a script, so one feed consumes everything.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
}

/// Plain text of an HTML fragment: tags dropped, entities decoded, `<br>` and block ends as
/// line breaks, runs of spaces collapsed, at most one empty line in a row.
pub(crate) fn to_text(html: &str) -> String {
    let mut out = TextBuf::default();
    let mut skip = 0usize;
    walk(html, |event| match event {
        Event::Text(t) if skip == 0 => out.push(t),
        Event::Text(_) => {}
        Event::Open(name, _) => {
            if SKIPPED.contains(&name) {
                skip += 1;
            } else if skip == 0 && name == "br" {
                out.newline();
            } else if skip == 0 && BLOCKS.contains(&name) {
                out.block();
            }
        }
        Event::Close(name) => {
            if SKIPPED.contains(&name) {
                skip = skip.saturating_sub(1);
            } else if skip == 0 && BLOCKS.contains(&name) {
                out.block();
            }
        }
    });
    out.finish()
}

/// Text that is meant as plain text but may carry some HTML (Statuspage update bodies are
/// plain text with `\r\n`, yet authors write `<br />` into them): line breaks are kept as
/// line breaks, markup is dropped, entities are decoded. Plain text stays as it is, apart
/// from `\r\n` becoming `\n`.
pub(crate) fn plain_or_html(text: &str) -> String {
    if !text.contains(['<', '&']) {
        return text.replace("\r\n", "\n").trim().to_owned();
    }
    to_text(&text.replace("\r\n", "\n").replace('\n', "<br>"))
}

/// Collects text with HTML's whitespace rules, then tidies lines.
#[derive(Default)]
struct TextBuf {
    raw: String,
}

impl TextBuf {
    fn push(&mut self, text: &str) {
        for c in text.chars() {
            // Non-breaking spaces are layout, not content (Slack writes `&nbsp;` everywhere).
            let c = if c == '\u{a0}' || c.is_whitespace() { ' ' } else { c };
            if c == ' ' && (self.raw.is_empty() || self.raw.ends_with([' ', '\n'])) {
                continue;
            }
            self.raw.push(c);
        }
    }

    fn newline(&mut self) {
        self.raw.push('\n');
    }

    fn block(&mut self) {
        if !self.raw.is_empty() && !self.raw.ends_with('\n') {
            self.raw.push('\n');
        }
    }

    fn is_blank(&self) -> bool {
        self.raw.trim().is_empty()
    }

    fn finish(self) -> String {
        tidy(&self.raw)
    }
}

/// Trims every line, drops leading and trailing empty lines and keeps at most one empty line
/// between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_run = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            empty_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if empty_run > 0 {
                out.push('\n');
            }
        }
        empty_run = 0;
        out.push_str(line);
    }
    out
}

/// One dated, labelled update inside a feed entry
/// (`<small>Jul 9, 06:01 UTC</small><br><strong>Update</strong> - We are …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fragment {
    /// The date as printed, without a year (`Jul 9, 06:01 UTC`).
    pub date: String,
    /// The bold label (`Investigating`, `Update`, `Resolved`, …); may be empty.
    pub label: String,
    /// The plain-text message.
    pub body: String,
}

/// What a feed entry's HTML says, in document order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Timeline {
    /// `<strong>Key:</strong> value` pairs before the first update (Instatus' `Type`,
    /// `Duration`, `Affected Components`; incident.io's `Status: Resolved`).
    pub fields: Vec<(String, String)>,
    /// `<li>` texts before the first update (incident.io lists affected components so).
    pub list_items: Vec<String>,
    /// Dated updates, in the order the document has them.
    pub fragments: Vec<Fragment>,
}

impl Timeline {
    /// The value of a preamble field, case-insensitively.
    pub(crate) fn field(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

/// The update being read.
#[derive(Default)]
struct Current {
    date: TextBuf,
    label: TextBuf,
    body: TextBuf,
}

/// The state of [`timeline`] while it reads events.
#[derive(Default)]
struct Reader {
    timeline: Timeline,
    current: Option<Current>,
    in_small: usize,
    in_bold: usize,
    capturing_label: bool,
    skip: usize,
    /// Preamble: bold text being read, a key waiting for its value, an open list item.
    bold_text: TextBuf,
    pending_key: Option<(String, TextBuf)>,
    list_item: Option<TextBuf>,
}

impl Reader {
    fn finish_pending(&mut self) {
        if let Some((key, value)) = self.pending_key.take() {
            self.timeline.fields.push((key, value.finish()));
        }
    }

    fn finish_current(&mut self) {
        if let Some(done) = self.current.take() {
            self.timeline.fragments.push(fragment(done));
        }
    }

    fn open(&mut self, name: &str) {
        if SKIPPED.contains(&name) {
            self.skip += 1;
            return;
        }
        if self.skip > 0 {
            return;
        }
        match name {
            "small" => {
                self.finish_current();
                self.finish_pending();
                self.current = Some(Current::default());
                self.in_small += 1;
            }
            "strong" | "b" => {
                self.in_bold += 1;
                match &self.current {
                    Some(c) if self.in_small == 0 && c.label.is_blank() && c.body.is_blank() => {
                        self.capturing_label = true;
                    }
                    Some(_) => {}
                    None => {
                        self.finish_pending();
                        self.bold_text = TextBuf::default();
                    }
                }
            }
            "li" if self.current.is_none() => self.list_item = Some(TextBuf::default()),
            "br" => match &mut self.current {
                Some(c) if self.in_small == 0 && !self.capturing_label => c.body.newline(),
                Some(_) => {}
                None => self.finish_pending(),
            },
            _ if BLOCKS.contains(&name) => {
                if let Some(c) = &mut self.current {
                    c.body.block();
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        if self.skip > 0 {
            return;
        }
        if let Some(c) = &mut self.current {
            if self.in_small > 0 {
                c.date.push(t);
            } else if self.capturing_label {
                c.label.push(t);
            } else {
                c.body.push(t);
            }
        } else if self.in_bold > 0 {
            self.bold_text.push(t);
        } else {
            if let Some((_, value)) = &mut self.pending_key {
                value.push(t);
            }
            if let Some(item) = &mut self.list_item {
                item.push(t);
            }
        }
    }

    fn close(&mut self, name: &str) {
        if SKIPPED.contains(&name) {
            self.skip = self.skip.saturating_sub(1);
            return;
        }
        if self.skip > 0 {
            return;
        }
        match name {
            "small" => self.in_small = self.in_small.saturating_sub(1),
            "strong" | "b" => {
                self.in_bold = self.in_bold.saturating_sub(1);
                if self.capturing_label {
                    self.capturing_label = self.in_bold > 0;
                } else if self.current.is_none() && self.in_bold == 0 {
                    let text = std::mem::take(&mut self.bold_text).finish();
                    if let Some(key) = text.strip_suffix(':') {
                        self.pending_key = Some((key.trim().to_owned(), TextBuf::default()));
                    } else if let Some((key, value)) = text.split_once(':') {
                        self.timeline.fields.push((key.trim().to_owned(), value.trim().to_owned()));
                    } else if let Some(item) = &mut self.list_item {
                        item.push(&text);
                    }
                }
            }
            "li" if self.current.is_none() => {
                if let Some(item) = self.list_item.take() {
                    let text = item.finish();
                    if !text.is_empty() {
                        self.timeline.list_items.push(text);
                    }
                }
            }
            _ if BLOCKS.contains(&name) => match &mut self.current {
                Some(c) => c.body.block(),
                None => self.finish_pending(),
            },
            _ => {}
        }
    }
}

/// Splits an entry's HTML into its dated updates: every `<small>` starts one, the first bold
/// text after it is its label, everything up to the next `<small>` is its body.
pub(crate) fn timeline(html: &str) -> Timeline {
    let mut reader = Reader::default();
    walk(html, |event| match event {
        Event::Open(name, _) => reader.open(name),
        Event::Close(name) => reader.close(name),
        Event::Text(t) => reader.text(t),
    });
    reader.finish_current();
    reader.finish_pending();
    reader.timeline
}

fn fragment(c: Current) -> Fragment {
    let body = c.body.finish();
    // Statuspage and Instatus separate label and message with " - ".
    let body = body.trim_start_matches(['-', '–', '—', ':']).trim_start().to_owned();
    Fragment { date: c.date.finish(), label: c.label.finish(), body }
}

/// `href`s of `<link rel="alternate" type="application/rss+xml|atom+xml|rdf+xml">` in a page,
/// in document order.
pub(crate) fn feed_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk(html, |event| {
        let Event::Open("link", attrs) = event else { return };
        let attr = |key: &str| attrs.iter().find(|a| &*a.name.local == key).map(|a| a.value.trim().to_owned());
        let alternate =
            attr("rel").is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("alternate")));
        let feed_type = attr("type").is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            ["application/rss+xml", "application/atom+xml", "application/rdf+xml"].iter().any(|f| t.starts_with(f))
        });
        if alternate
            && feed_type
            && let Some(href) = attr("href").filter(|h| !h.is_empty())
        {
            out.push(href);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_drops_markup_and_keeps_lines() {
        let html = "<p>We're <b>investigating</b>.&nbsp;Sorry!</p><p>Second&amp;last<br>line</p>\
                    <script>alert(1)</script><style>p{}</style><img src=x onerror=alert(1)>";
        assert_eq!(to_text(html), "We're investigating. Sorry!\nSecond&last\nline");
        assert_eq!(to_text("plain a < b"), "plain a < b");
        assert_eq!(to_text(""), "");
        assert_eq!(to_text("<p>a</p><br><br><br><p>b</p>"), "a\n\nb");
    }

    #[test]
    fn plain_text_with_some_html() {
        assert_eq!(plain_or_html("Line one.\r\n\r\nLine two."), "Line one.\n\nLine two.");
        assert_eq!(
            plain_or_html("Fixed.<br /><br />We keep watching AT&T & co."),
            "Fixed.\n\nWe keep watching AT&T & co."
        );
        assert_eq!(plain_or_html("a\n<b>b</b> &amp; c"), "a\nb & c");
    }

    #[test]
    fn deep_nesting_is_no_stack_overflow() {
        // A million nested tags in the body cap's 5 MiB: no stack, and the right text. How fast
        // is the benchmark's to say (a wall-clock bound here failed on a loaded machine).
        let html = "<div><b><small>".repeat(350_000) + "deep";
        assert_eq!(to_text(&html), "deep");
        assert_eq!(timeline(&html).fragments.len(), 350_000);
        assert!(feed_links(&html).is_empty());
    }

    #[test]
    fn statuspage_fragments() {
        let html = "<p> <small>Jul <var data-var='date'> 9</var>, <var data-var='time'>06:01</var> UTC</small><br> \
            <strong>Update</strong> - We are continuing to work on a mitigation. </p> <p> <small>Jul \
            <var data-var='date'> 9</var>, <var data-var='time'>04:34</var> UTC</small><br> <strong>Investigating\
            </strong> - We are investigating reports of <strong>degraded</strong> performance<br /><br />for Actions</p>";
        let t = timeline(html);
        assert_eq!(
            t.fragments,
            vec![
                Fragment {
                    date: "Jul 9, 06:01 UTC".into(),
                    label: "Update".into(),
                    body: "We are continuing to work on a mitigation.".into()
                },
                Fragment {
                    date: "Jul 9, 04:34 UTC".into(),
                    label: "Investigating".into(),
                    body: "We are investigating reports of degraded performance\n\nfor Actions".into()
                },
            ]
        );
    }

    #[test]
    fn instatus_preamble_and_incident_io_status() {
        let html = "<p><strong>Type:</strong> Incident</p><p><strong>Duration:</strong> 4 hours</p>\
            <p><strong>Affected Components:</strong> Website, API</p>\
            <p><small>Sep <var data-var='date'>25</var>, <var data-var='time'>15:15:00</var> GMT+0</small><br>\
            <strong>Investigating</strong> - Looking.</p>";
        let t = timeline(html);
        assert_eq!(t.field("type"), Some("Incident"));
        assert_eq!(t.field("Affected Components"), Some("Website, API"));
        assert_eq!(t.fragments.len(), 1);
        assert_eq!(t.fragments[0].date, "Sep 25, 15:15:00 GMT+0");

        let t = timeline(
            "<b>Status: Resolved</b><p>All good.</p><ul><li>Login (Degraded performance)</li><li>API</li></ul>",
        );
        assert_eq!(t.field("Status"), Some("Resolved"));
        assert_eq!(t.list_items, vec!["Login (Degraded performance)".to_owned(), "API".to_owned()]);
        assert!(t.fragments.is_empty());
    }

    #[test]
    fn finds_feed_links() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="/a.css">
            <link rel="alternate" type="application/atom+xml" href="/history.atom">
            <link rel="Alternate" type="application/rss+xml; charset=utf-8" href=" https://x.io/feed.rss ">
            <link rel="alternate" type="text/html" href="/de">
            </head><body><link rel="alternate" type="application/rss+xml"></body></html>"#;
        assert_eq!(feed_links(html), vec!["/history.atom".to_owned(), "https://x.io/feed.rss".to_owned()]);
    }
}
