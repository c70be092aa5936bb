//! A small in-test SMTP server on a tokio listener: it speaks just enough SMTP (EHLO/HELO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT) to receive what the app sends, and can be told to refuse an
//! address with 550, to greet with 421, to answer RCPT with 451, or to stall (no greeting) so
//! that the client times out. Hermetic: no Python, no network beyond the loopback.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the sink answers new connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// A normal server.
    Accept,
    /// `421` at the greeting, then close (service not available).
    Greet421,
    /// `451` to every RCPT (try again later).
    Tempfail451,
    /// Accept the connection and say nothing.
    Stall,
}

/// A message the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message (headers and encoded body).
    pub data: String,
}

impl Received {
    /// The first recipient.
    pub fn rcpt(&self) -> &str {
        self.to.first().map_or("", String::as_str)
    }

    /// A header's raw value (continuation lines joined).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':') {
                if n.eq_ignore_ascii_case(name) {
                    value = Some(v.trim().to_owned());
                }
            }
        }
        value
    }

    /// The decoded subject (RFC 2047 encoded words; the space between two of them is not text).
    pub fn subject(&self) -> String {
        let raw = self.header("Subject").unwrap_or_default();
        let mut out = String::new();
        let mut previous_encoded = false;
        for word in raw.split_whitespace() {
            let encoded = word.starts_with("=?") && word.ends_with("?=");
            if !(out.is_empty() || encoded && previous_encoded) {
                out.push(' ');
            }
            out.push_str(&decode_word(word));
            previous_encoded = encoded;
        }
        out
    }

    /// The plain-text part, decoded from quoted-printable.
    pub fn text(&self) -> String {
        let content_type = self.header("Content-Type").unwrap_or_default();
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .map(|b| {
                b.trim_matches('"')
                    .split('"')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .expect("a multipart message");
        let start = self
            .data
            .find("Content-Type: text/plain")
            .expect("a text/plain part");
        let body_start = self.data[start..]
            .find("\r\n\r\n")
            .map(|i| start + i + 4)
            .expect("part body");
        let end_marker = format!("\r\n--{boundary}");
        let body_end = self.data[body_start..]
            .find(&end_marker)
            .map_or(self.data.len(), |i| body_start + i);
        decode_qp(&self.data[body_start..body_end])
    }
}

fn decode_word(word: &str) -> String {
    use base64::Engine;
    let Some(inner) = word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")) else {
        return word.to_owned();
    };
    let mut parts = inner.splitn(3, '?');
    let (_charset, enc, text) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let bytes = match enc.map(str::to_ascii_lowercase).as_deref() {
        Some("b") => base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_default(),
        _ => decode_qp(&text.replace('_', " ")).into_bytes(),
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Quoted-printable: `=XX` bytes and `=` soft line breaks.
pub fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).replace("\r\n", "\n")
}

#[derive(Debug)]
struct State {
    behaviour: Behaviour,
    rejected: HashSet<String>,
    messages: Vec<Received>,
}

/// A running sink.
pub struct Sink {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    /// A sink on a free loopback port.
    pub async fn start() -> Sink {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// A sink on this address (to bring a "down" server back on the same port).
    pub async fn start_on(addr: SocketAddr) -> Sink {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP sink");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            behaviour: Behaviour::Accept,
            rejected: HashSet::new(),
            messages: Vec::new(),
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, shared).await;
                });
            }
        });
        Sink { addr, state, task }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Change how new connections and commands are answered.
    pub fn set(&self, behaviour: Behaviour) {
        self.state.lock().unwrap().behaviour = behaviour;
    }

    /// Answer `550` to RCPT for this address.
    pub fn reject(&self, address: &str) {
        self.state
            .lock()
            .unwrap()
            .rejected
            .insert(address.to_ascii_lowercase());
    }

    /// Everything received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    /// Wait until at least `n` messages arrived (panics after 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the SMTP sink received {} message(s), expected {n}",
            self.messages().len()
        );
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A free loopback address with nothing listening (a server that refuses connections).
pub fn unused_address() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let behaviour = state.lock().unwrap().behaviour;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    match behaviour {
        Behaviour::Stall => {
            // Hold the connection open, silent, until the client gives up.
            while lines.next_line().await?.is_some() {}
            return Ok(());
        }
        Behaviour::Greet421 => {
            write
                .write_all(b"421 4.3.2 sink: service not available\r\n")
                .await?;
            return Ok(());
        }
        _ => write.write_all(b"220 sink ESMTP ready\r\n").await?,
    }
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            to.clear();
            b"250 2.1.0 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let address = line[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let (behaviour, rejected) = {
                let s = state.lock().unwrap();
                (s.behaviour, s.rejected.contains(&address))
            };
            if rejected {
                b"550 5.1.1 Recipient address rejected: user unknown\r\n"
            } else if behaviour == Behaviour::Tempfail451 {
                b"451 4.3.0 sink: try again later\r\n"
            } else {
                to.push(address);
                b"250 2.1.5 ok\r\n"
            }
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
                data.push_str("\r\n");
            }
            state.lock().unwrap().messages.push(Received {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 2.0.0 queued\r\n"
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 2.0.0 ok\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 command not recognised\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}
