//! A loopback HTTPS site with a test CA: pages by host and path, and the hostile answers a
//! client of untrusted web servers must survive (a body without end, a redirect loop).
//! Byte-level on purpose, like the plain `HttpServer`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use crate::mail::TestPki;

/// What the site answers at one host and path.
#[derive(Debug, Clone)]
pub enum Page {
    /// 200 with this body.
    Body(&'static str, Vec<u8>),
    /// 200 with this many bytes and no length given, so only a cap while reading stops it.
    Endless(usize),
    /// 302 to the same path with one more query parameter, forever.
    RedirectLoop,
}

/// A site on `addr` (port 443 needs a network namespace of the test's own).
#[derive(Debug)]
pub struct HttpsSite {
    pub addr: SocketAddr,
}

impl HttpsSite {
    /// Serves `pages` as `(host, path, page)`; anything else is 404.
    pub fn start(addr: SocketAddr, pki: &TestPki, pages: Vec<(&'static str, &'static str, Page)>) -> HttpsSite {
        let config = pki.server_config();
        let listener = TcpListener::bind(addr).expect("bind the HTTPS site");
        let addr = listener.local_addr().expect("addr");
        let pages = Arc::new(pages);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = Arc::clone(&config);
                let pages = Arc::clone(&pages);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                    let tls = rustls::StreamOwned::new(conn, stream);
                    serve(tls, &pages);
                });
            }
        });
        HttpsSite { addr }
    }
}

fn serve(stream: rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>, pages: &[(&str, &str, Page)]) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/").to_owned();
    let mut host = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("host")
        {
            value.trim().split(':').next().unwrap_or("").clone_into(&mut host);
        }
    }
    let stream = reader.get_mut();
    let page = pages.iter().find(|(h, p, _)| *h == host && *p == path).map(|(_, _, page)| page);
    let _ = match page {
        Some(Page::Body(content_type, body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body))
        }
        Some(Page::Endless(size)) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n";
            let chunk = vec![b'<'; 64 * 1024];
            let mut sent = 0;
            let mut result = stream.write_all(head.as_bytes());
            while result.is_ok() && sent < *size {
                let n = chunk.len().min(size - sent);
                result = stream.write_all(&chunk[..n]);
                sent += n;
            }
            result
        }
        Some(Page::RedirectLoop) => {
            let next = format!("https://{host}{target}{}r", if target.contains('?') { "&" } else { "?" });
            let head =
                format!("HTTP/1.1 302 Found\r\nLocation: {next}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            stream.write_all(head.as_bytes())
        }
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
    let _ = stream.flush();
    stream.conn.send_close_notify();
    let _ = stream.flush();
}
