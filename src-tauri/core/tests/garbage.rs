//! Hostile and broken bodies against every format: each must come back as a `ParseError`
//! (an observation with reason `parse` upstream) quickly, never as a panic, a stack overflow
//! or a hang. Test threads have small (2 MiB) stacks, like the engine's worker threads.

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use outage_core::formats::{Format, detect};

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-09-23T12:00:00Z").unwrap_or_else(|e| panic!("fixed clock: {e}"))
}

/// Bodies no format may accept.
fn garbage() -> Vec<(&'static str, Vec<u8>)> {
    let mut bodies: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b" \r\n\t ".to_vec()),
        ("null", b"null".to_vec()),
        ("number", b"42".to_vec()),
        ("string", br#""All Systems Operational""#.to_vec()),
        ("true", b"true".to_vec()),
        ("truncated json", br#"{"status":{"indicator":"none"},"components":[{"id":"#.to_vec()),
        ("empty object", b"{}".to_vec()),
        ("wrong object", br#"{"error":"rate limited","code":429}"#.to_vec()),
        (
            "html error page",
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
                .to_vec(),
        ),
        ("plain text", b"Service Unavailable".to_vec()),
        ("binary", (0..=255u8).cycle().take(4096).collect()),
        ("invalid utf-8", b"{\"status\":{\"indicator\":\"\xff\xfe\"}}".to_vec()),
        ("utf-16 bom", b"\xff\xfe[\x00]\x00".to_vec()),
        ("truncated xml", br#"<?xml version="1.0"?><rss version="2.0"><channel><item><title>x"#.to_vec()),
        ("not a feed", br#"<?xml version="1.0"?><config><a>1</a></config>"#.to_vec()),
    ];
    let depth = 200_000;
    bodies.push(("deep json arrays", [vec![b'['; depth], vec![b']'; depth]].concat()));
    bodies.push(("deep json objects", ["{\"a\":".repeat(depth), "}".repeat(depth)].concat().into_bytes()));
    bodies.push(("deep xml", ["<a>".repeat(depth), "</a>".repeat(depth)].concat().into_bytes()));
    bodies.push((
        "deep xml inside rss",
        [
            "<rss version=\"2.0\"><channel><item>".to_owned(),
            "<x>".repeat(depth),
            "</x>".repeat(depth),
            "</item></channel>".to_owned(),
        ]
        .concat()
        .into_bytes(),
    ));
    bodies.push(("huge string", [b"\"".to_vec(), vec![b'a'; 4 << 20], b"\"".to_vec()].concat()));
    bodies
}

#[test]
fn garbage_is_a_parse_error_for_every_format() {
    for (what, body) in garbage() {
        for format in Format::ALL {
            let started = Instant::now();
            let result = format.parse(&body, now());
            assert!(result.is_err(), "{} accepted {what}: {result:?}", format.as_str());
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} took {:?} on {what}",
                format.as_str(),
                started.elapsed()
            );
        }
        assert_eq!(detect::recognise(&body, None), None, "recognised {what}");
    }
}

#[test]
fn hostile_but_well_formed_bodies_do_not_hang() {
    let depth = 300_000;
    // A valid feed whose one entry is a million nested tags of HTML: parses, quickly.
    let html = "&lt;div&gt;&lt;b&gt;".repeat(depth);
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>x</title>\
         <pubDate>Wed, 23 Sep 2026 10:00:00 +0000</pubDate><description>{html}text</description></item></channel></rss>"
    );
    // Entity expansion ("billion laughs") must not be expanded into memory.
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
        <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
        <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
        <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
        <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
        <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
        <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
        <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
        <rss version="2.0"><channel><title>t</title><item><title>&lol9;</title></item></channel></rss>"#;
    // Slack notes are HTML as well.
    let slack = format!(
        r#"[{{"id":1,"title":"t","type":"incident","status":"active","date_created":"2026-09-23T10:00:00Z",
            "notes":[{{"date_created":"2026-09-23T10:00:00Z","body":"{}x"}}]}}]"#,
        "<div><span>".repeat(depth)
    );
    let cases: [(&str, Format, Vec<u8>); 3] = [
        ("nested html in a feed", Format::Feed, feed.into_bytes()),
        ("billion laughs", Format::Feed, laughs.as_bytes().to_vec()),
        ("nested html in slack notes", Format::Slack, slack.into_bytes()),
    ];
    for (what, format, body) in cases {
        let started = Instant::now();
        let result = format.parse(&body, now());
        // A hang detector, not a timing: a quadratic walk over 300,000 nested tags takes hours,
        // while a loaded debug build took over 20 s for the linear one.
        assert!(started.elapsed() < Duration::from_mins(1), "{what} took {:?}", started.elapsed());
        if let Ok(snapshot) = result {
            for incident in &snapshot.incidents {
                assert!(incident.title.len() < 1 << 20, "{what}: entities were expanded");
                for update in &incident.updates {
                    assert!(!update.body.contains('<'), "{what}: markup in a body");
                }
            }
        }
    }
}
