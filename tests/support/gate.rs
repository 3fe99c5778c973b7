//! A switchable TCP gate in front of a real server on loopback: the scenario tests and
//! benchmarks put it between the app and the real Postfix or Dovecot to replay what a
//! provider's outage looks like from outside (silence, resets, an overloaded server that
//! hangs half its connections and answers the rest late) and switch it while the app runs.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the gate does with each new connection. A connection keeps the mode it was
/// accepted under, as a real server's sessions do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateMode {
    /// Passes bytes both ways untouched.
    Open,
    /// Passes bytes, but holds each chunk from the server this long: a server under load.
    Slow(Duration),
    /// Accepts and never says anything: a server that hangs before its greeting.
    Silent,
    /// Accepts and resets the connection at once.
    Reset,
    /// An overloaded server: every other connection hangs, the others are `Slow(delay)`.
    Overloaded(Duration),
}

/// A gate listening on 127.0.0.1, forwarding to `upstream`. Ends with the test process.
#[derive(Debug, Clone)]
pub struct Gate {
    pub addr: SocketAddr,
    mode: Arc<Mutex<GateMode>>,
    accepted: Arc<AtomicUsize>,
}

impl Gate {
    pub fn start(upstream: SocketAddr, mode: GateMode) -> Gate {
        Gate::start_on("127.0.0.1", upstream, mode)
    }

    /// A gate on another loopback address (`host`, e.g. 127.0.0.2, where the test servers'
    /// certificates are valid).
    pub fn start_on(host: &str, upstream: SocketAddr, mode: GateMode) -> Gate {
        let listener = TcpListener::bind((host, 0)).expect("bind loopback");
        let gate = Gate {
            addr: listener.local_addr().expect("local addr"),
            mode: Arc::new(Mutex::new(mode)),
            accepted: Arc::default(),
        };
        let g = gate.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let n = g.accepted.fetch_add(1, Ordering::SeqCst);
                let mode = *g.mode.lock().expect("gate lock");
                std::thread::spawn(move || serve(client, upstream, mode, n));
            }
        });
        gate
    }

    /// Switches what happens to connections from now on.
    pub fn set(&self, mode: GateMode) {
        *self.mode.lock().expect("gate lock") = mode;
    }

    /// How many connections the gate has accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn serve(client: TcpStream, upstream: SocketAddr, mode: GateMode, n: usize) {
    let delay = match mode {
        GateMode::Open => Duration::ZERO,
        GateMode::Overloaded(_) if n.is_multiple_of(2) => return hold(client),
        GateMode::Slow(delay) | GateMode::Overloaded(delay) => delay,
        GateMode::Silent => return hold(client),
        GateMode::Reset => {
            // SO_LINGER 0: the close sends RST, as a server refusing mid-accept does.
            let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
            return;
        }
    };
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (Ok(client_read), Ok(server_write)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || pump(client_read, server_write, Duration::ZERO));
    pump(server, client, delay);
}

/// Reads and discards until the client gives up: the connection stays open and silent.
fn hold(mut client: TcpStream) {
    let mut sink = [0u8; 4096];
    while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
}

fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
