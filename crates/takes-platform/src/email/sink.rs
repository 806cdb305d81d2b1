//! An SMTP server that accepts every message and relays none: the mail
//! sink behind `takes mailbox` (demos) and the API tests. It speaks enough
//! ESMTP (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) for lettre
//! and ordinary clients, over a real socket, so what reaches it is exactly
//! what a real relay would have been handed.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Longest command or data line; RFC 5321 asks for 1000, clients sending
/// unfolded headers sometimes exceed it, so there is room to spare.
const MAX_LINE: u64 = 64 * 1024;
/// Largest message accepted, so one client cannot fill memory.
const MAX_MESSAGE: usize = 50 * 1024 * 1024;
const MAX_RECIPIENTS: usize = 100;
/// A silent client is dropped after this long.
const IDLE: Duration = Duration::from_secs(300);

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message itself (headers, blank line, body) with CRLF line ends,
    /// dot-stuffing undone.
    pub data: String,
}

impl Mail {
    /// The first header called `name` (any case), unfolded; empty if absent.
    pub fn header(&self, name: &str) -> String {
        let (head, _) = self.data.split_once("\r\n\r\n").unwrap_or((&self.data, ""));
        let prefix = format!("{}:", name.to_lowercase());
        // Long headers are folded onto continuation lines (RFC 5322 2.2.3).
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded
            .split("\r\n")
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .and_then(|l| l.get(prefix.len()..))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    /// The body with `\n` line ends, quoted-printable soft breaks and
    /// escapes undone (lettre encodes long or non-ASCII bodies that way).
    pub fn body(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", &self.data));
        if !self
            .header("Content-Transfer-Encoding")
            .eq_ignore_ascii_case("quoted-printable")
        {
            return body.replace("\r\n", "\n");
        }
        let joined = body.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
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
}

/// Called with each message before the sink answers `250`; an `Err` makes
/// it answer `451` instead, so the sender keeps the message and retries.
pub type OnMail = Arc<dyn Fn(&Mail) -> Result<(), String> + Send + Sync>;

/// A running sink. Dropping it leaves it running; [`Sink::stop`] ends it.
pub struct Sink {
    addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    /// Listens on `addr` (port 0 picks a free one) and keeps every message.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Sink> {
        Self::bind_with(addr, Arc::new(|_: &Mail| Ok(()))).await
    }

    /// Like [`Sink::bind`], also handing each message to `on_mail`.
    pub async fn bind_with(addr: SocketAddr, on_mail: OnMail) -> std::io::Result<Sink> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = mails.clone();
        let task = tokio::spawn(async move {
            loop {
                let sock = match listener.accept().await {
                    Ok((sock, _)) => sock,
                    Err(e) => {
                        // Out of file descriptors and the like: pass, not stop.
                        tracing::warn!(error = %e, "mail sink cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let store = store.clone();
                let on_mail = on_mail.clone();
                tokio::spawn(async move {
                    if let Err(e) = session(sock, store, on_mail).await {
                        tracing::debug!(error = %e, "mail sink session ended");
                    }
                });
            }
        });
        Ok(Sink { addr, mails, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message accepted so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

enum Line {
    Text(String),
    TooLong,
    Closed,
}

async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let n = match tokio::time::timeout(IDLE, (&mut *r).take(MAX_LINE).read_until(b'\n', &mut buf))
        .await
    {
        Ok(read) => read?,
        Err(_) => return Ok(Line::Closed),
    };
    if n == 0 {
        return Ok(Line::Closed);
    }
    if buf.last() != Some(&b'\n') {
        return Ok(if n as u64 >= MAX_LINE {
            Line::TooLong
        } else {
            Line::Closed
        });
    }
    Ok(Line::Text(String::from_utf8_lossy(&buf).into_owned()))
}

/// The address inside `FROM:<a@b> SIZE=…` or `TO:<a@b>`.
fn path_arg(rest: &str) -> String {
    let rest = rest.trim();
    match (rest.find('<'), rest.find('>')) {
        (Some(a), Some(b)) if a < b => rest[a + 1..b].to_string(),
        _ => rest.split_whitespace().next().unwrap_or("").to_string(),
    }
}

async fn session(
    sock: TcpStream,
    store: Arc<Mutex<Vec<Mail>>>,
    on_mail: OnMail,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 takes-mailbox ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    loop {
        let cmd = match read_line(&mut r).await? {
            Line::Text(t) => t.trim_end().to_string(),
            Line::TooLong => {
                w.write_all(b"500 line too long\r\n").await?;
                return Ok(());
            }
            Line::Closed => return Ok(()),
        };
        let upper = cmd.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        match verb {
            "EHLO" => {
                w.write_all(
                    format!("250-takes-mailbox\r\n250-8BITMIME\r\n250 SIZE {MAX_MESSAGE}\r\n")
                        .as_bytes(),
                )
                .await?
            }
            "HELO" => w.write_all(b"250 takes-mailbox\r\n").await?,
            "NOOP" => w.write_all(b"250 ok\r\n").await?,
            "RSET" => {
                from = None;
                to.clear();
                w.write_all(b"250 ok\r\n").await?;
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                from = Some(path_arg(&cmd["MAIL FROM:".len()..]));
                to.clear();
                w.write_all(b"250 ok\r\n").await?;
            }
            "RCPT" if upper.starts_with("RCPT TO:") => {
                if from.is_none() {
                    w.write_all(b"503 MAIL FROM first\r\n").await?;
                } else if to.len() >= MAX_RECIPIENTS {
                    w.write_all(b"452 too many recipients\r\n").await?;
                } else {
                    to.push(path_arg(&cmd["RCPT TO:".len()..]));
                    w.write_all(b"250 ok\r\n").await?;
                }
            }
            "DATA" => {
                if to.is_empty() {
                    w.write_all(b"503 RCPT TO first\r\n").await?;
                    continue;
                }
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                let mut too_big = false;
                loop {
                    let line = match read_line(&mut r).await? {
                        Line::Text(t) => t,
                        Line::TooLong => {
                            w.write_all(b"500 line too long\r\n").await?;
                            return Ok(());
                        }
                        Line::Closed => return Ok(()),
                    };
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    if too_big {
                        continue;
                    }
                    // Dot-stuffing (RFC 5321 4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    too_big = data.len() > MAX_MESSAGE;
                }
                let mail = Mail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data: data.trim_end_matches("\r\n").to_string(),
                };
                if too_big {
                    w.write_all(b"552 message too large\r\n").await?;
                    continue;
                }
                match on_mail(&mail) {
                    Ok(()) => {
                        store
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(mail);
                        w.write_all(b"250 queued\r\n").await?;
                    }
                    Err(e) => {
                        let e = e.replace(['\r', '\n'], " ");
                        w.write_all(format!("451 {e}\r\n").as_bytes()).await?;
                    }
                }
            }
            "QUIT" => {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => w.write_all(b"502 not implemented\r\n").await?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn say(w: &mut TcpStream, r: &mut Vec<u8>, line: &str) -> String {
        w.write_all(line.as_bytes()).await.expect("write");
        let mut buf = [0u8; 512];
        let n = w.read(&mut buf).await.expect("read");
        r.extend_from_slice(&buf[..n]);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[tokio::test]
    async fn refuses_out_of_order_commands_and_undoes_dot_stuffing() {
        let sink = Sink::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let mut c = TcpStream::connect(sink.addr()).await.expect("connect");
        let mut log = Vec::new();
        let mut greeting = [0u8; 64];
        let n = c.read(&mut greeting).await.expect("greeting");
        assert!(greeting[..n].starts_with(b"220"));
        assert!(say(&mut c, &mut log, "RCPT TO:<a@b.c>\r\n")
            .await
            .starts_with("503"));
        assert!(say(&mut c, &mut log, "MAIL FROM:<x@y.z> SIZE=10\r\n")
            .await
            .starts_with("250"));
        assert!(say(&mut c, &mut log, "DATA\r\n").await.starts_with("503"));
        assert!(say(&mut c, &mut log, "RCPT TO:<a@b.c>\r\n")
            .await
            .starts_with("250"));
        assert!(say(&mut c, &mut log, "DATA\r\n").await.starts_with("354"));
        let reply = say(
            &mut c,
            &mut log,
            "Subject: Hi\r\n\r\n..leading dot\r\nend\r\n.\r\n",
        )
        .await;
        assert!(reply.starts_with("250"), "{reply}");
        assert!(say(&mut c, &mut log, "FOO\r\n").await.starts_with("502"));
        assert!(say(&mut c, &mut log, "QUIT\r\n").await.starts_with("221"));
        let mails = sink.mails();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].from, "x@y.z");
        assert_eq!(mails[0].to, vec!["a@b.c"]);
        assert_eq!(mails[0].header("subject"), "Hi");
        assert_eq!(mails[0].body(), ".leading dot\nend");
        sink.stop();
    }

    #[tokio::test]
    async fn a_failing_handler_makes_the_sender_retry() {
        let sink = Sink::bind_with(
            "127.0.0.1:0".parse().expect("addr"),
            Arc::new(|_: &Mail| Err("disk full".to_string())),
        )
        .await
        .expect("bind");
        let mut c = TcpStream::connect(sink.addr()).await.expect("connect");
        let mut log = Vec::new();
        let mut greeting = [0u8; 64];
        let _ = c.read(&mut greeting).await.expect("greeting");
        say(&mut c, &mut log, "MAIL FROM:<x@y.z>\r\n").await;
        say(&mut c, &mut log, "RCPT TO:<a@b.c>\r\n").await;
        say(&mut c, &mut log, "DATA\r\n").await;
        let reply = say(&mut c, &mut log, "Subject: Hi\r\n\r\nbody\r\n.\r\n").await;
        assert!(reply.starts_with("451 disk full"), "{reply}");
        assert!(sink.mails().is_empty());
        sink.stop();
    }

    #[test]
    fn decodes_quoted_printable_bodies() {
        let m = Mail {
            from: String::new(),
            to: vec![],
            data: "Content-Transfer-Encoding: quoted-printable\r\n\r\nlong=\r\n line =3D x=".into(),
        };
        assert_eq!(m.body(), "long line = x=");
    }
}
