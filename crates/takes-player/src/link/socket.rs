//! The SSH connection's TCP socket as the kernel sees it.
//!
//! Over SSH our pty drains into sshd at once, and sshd keeps what the link
//! cannot take yet in its own buffers (up to the channel's window, 2 MB by
//! default) before its socket: what we wrote says little about what
//! reached the reviewer. The socket does: the kernel counts the bytes the
//! client acknowledged (`tcpi_bytes_acked`) and what still waits to be
//! sent or acknowledged. sock_diag (the netlink interface behind `ss -ti`)
//! gives both for any socket of this network namespace, unprivileged, so
//! the session finds its own connection from `SSH_CONNECTION` and asks for
//! it by address and ports.

use std::net::IpAddr;
use std::time::Duration;

/// One reading of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Bytes handed to the socket and not yet acknowledged by the client.
    pub queued: usize,
    /// Every byte the client acknowledged since the connection opened;
    /// `None` where only `/proc/net/tcp` could be read.
    pub acked: Option<u64>,
    /// How long the connection has had data outstanding since it opened
    /// (the kernel's busy, receive-window- and send-buffer-limited times
    /// together): bytes acknowledged over it is the link's rate, even when
    /// we send less than the link carries.
    pub busy: Option<Duration>,
    /// Segments retransmitted since the connection opened: while the link
    /// recovers from a loss its acknowledgements stall, which measures the
    /// loss, not the link.
    pub retrans: Option<u32>,
    /// The kernel's smoothed round trip, where known.
    pub rtt: Option<Duration>,
    /// The least round trip the connection has seen: what was in flight
    /// over it is on the wire, not waiting, at the rate it was sent.
    pub min_rtt: Option<Duration>,
}

/// One end of a TCP connection.
pub type End = (IpAddr, u16);

/// `SSH_CONNECTION` ("client_ip client_port server_ip server_port") as
/// this host's end and the client's: (server, client).
pub fn ssh_ends(conn: &str) -> Option<(End, End)> {
    let f: Vec<&str> = conn.split_whitespace().collect();
    let [cip, cport, sip, sport] = f.as_slice() else {
        return None;
    };
    // An IPv4 client of a dual-stack sshd shows as `::ffff:a.b.c.d`; its
    // socket is still found as IPv6, so the address is kept as written.
    let ip = |s: &str| s.parse::<IpAddr>().ok();
    Some((
        (ip(sip)?, sport.parse().ok()?),
        (ip(cip)?, cport.parse().ok()?),
    ))
}

/// This SSH session's connection now (Linux), if it can be found.
pub fn ssh_link() -> Option<Reading> {
    let (local, remote) = ssh_ends(&std::env::var("SSH_CONNECTION").ok()?)?;
    #[cfg(target_os = "linux")]
    if let Some(r) = diag::query(local, remote) {
        return Some(r);
    }
    let table = match local.0 {
        IpAddr::V4(_) => "/proc/net/tcp",
        IpAddr::V6(_) => "/proc/net/tcp6",
    };
    let table = std::fs::read_to_string(table).ok()?;
    Some(Reading {
        queued: tcp_tx_queue(&table, local, remote)?,
        acked: None,
        busy: None,
        retrans: None,
        rtt: None,
        min_rtt: None,
    })
}

/// One line on this session's connection, for `takes doctor`.
pub fn describe(reading: Option<&Reading>) -> String {
    let Some(r) = reading else {
        return "not found (no TCP socket of this host matches SSH_CONNECTION): \
                the review screen measures the link through the terminal only"
            .to_string();
    };
    let rtt = r.rtt.map_or("round trip unknown".to_string(), |t| {
        format!("TCP round trip {:.1} ms", t.as_secs_f64() * 1e3)
    });
    let source = if r.acked.is_some() {
        "read from the kernel (sock_diag); video is held to what it acknowledges"
    } else {
        "read from /proc/net/tcp; video is held to what drains from it"
    };
    format!("{rtt}, {} bytes waiting, {source}", r.queued)
}

/// The send queue (`tx_queue`: written, not yet acknowledged) of the TCP
/// socket from `local` to `remote` in a `/proc/net/tcp` or `tcp6` table:
/// the fallback where sock_diag is not to be had.
pub fn tcp_tx_queue(table: &str, local: End, remote: End) -> Option<usize> {
    // The kernel prints each 32-bit word of the address native-endian, in hex.
    let end = |(a, p): End| {
        let words: String = match a {
            IpAddr::V4(a) => format!("{:08X}", u32::from_ne_bytes(a.octets())),
            IpAddr::V6(a) => a
                .octets()
                .chunks_exact(4)
                .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
                .collect(),
        };
        format!("{words}:{p:04X}")
    };
    let (l, r) = (end(local), end(remote));
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 4 && f[1].eq_ignore_ascii_case(&l) && f[2].eq_ignore_ascii_case(&r) {
            let tx = f[4].split(':').next()?;
            usize::from_str_radix(tx, 16).ok()
        } else {
            None
        }
    })
}

#[cfg(target_os = "linux")]
mod diag {
    use super::{End, Reading};
    use netlink_packet_core::{NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_REQUEST};
    use netlink_packet_sock_diag::{
        constants::{AF_INET, AF_INET6, IPPROTO_TCP},
        inet::{nlas::Nla, ExtensionFlags, InetRequest, SocketId, StateFlags},
        SockDiagMessage,
    };
    use netlink_sys::{protocols::NETLINK_SOCK_DIAG, Socket, SocketAddr};
    use std::net::IpAddr;
    use std::time::Duration;

    /// Asks the kernel for the one socket from `local` to `remote`. Any
    /// failure (no netlink, another namespace, a kernel without
    /// `tcp_info`'s newer fields) is `None`: the caller falls back.
    pub fn query(local: End, remote: End) -> Option<Reading> {
        let family = match local.0 {
            IpAddr::V4(_) => AF_INET,
            IpAddr::V6(_) => AF_INET6,
        };
        let mut header = NetlinkHeader::default();
        // A lookup of one socket by its four-tuple, not a dump of them all:
        // a jump host may hold thousands.
        header.flags = NLM_F_REQUEST;
        let mut msg = NetlinkMessage::new(
            header,
            SockDiagMessage::InetRequest(InetRequest {
                family,
                protocol: IPPROTO_TCP,
                extensions: ExtensionFlags::INFO,
                states: StateFlags::all(),
                socket_id: SocketId {
                    source_port: local.1,
                    destination_port: remote.1,
                    source_address: local.0,
                    destination_address: remote.0,
                    interface_id: 0,
                    // All ones: "any cookie", the kernel matches the tuple.
                    cookie: [0xff; 8],
                },
            })
            .into(),
        );
        msg.finalize();
        let mut out = vec![0u8; msg.buffer_len()];
        msg.serialize(&mut out);
        let socket = Socket::new(NETLINK_SOCK_DIAG).ok()?;
        socket.set_non_blocking(false).ok()?;
        socket.connect(&SocketAddr::new(0, 0)).ok()?;
        socket.send(&out, 0).ok()?;
        let mut buf = vec![0u8; 8192];
        let n = socket.recv(&mut &mut buf[..], 0).ok()?;
        parse(buf.get(..n)?)
    }

    /// The reading in the kernel's answer.
    pub fn parse(bytes: &[u8]) -> Option<Reading> {
        let msg = NetlinkMessage::<SockDiagMessage>::deserialize(bytes).ok()?;
        let NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) = msg.payload else {
            return None;
        };
        let info = r.nlas.iter().find_map(|n| match n {
            Nla::TcpInfo(i) => Some(i),
            _ => None,
        });
        Some(Reading {
            // Established: written and not yet acknowledged (`ss`'s Send-Q).
            queued: r.header.send_queue as usize,
            acked: info.map(|i| i.bytes_acked),
            busy: info.map(|i| {
                Duration::from_micros(
                    i.busy_time
                        .saturating_add(i.rwnd_limited)
                        .saturating_add(i.sndbuf_limited),
                )
            }),
            retrans: info.map(|i| i.total_retrans),
            rtt: info
                .filter(|i| i.rtt > 0)
                .map(|i| Duration::from_micros(u64::from(i.rtt))),
            min_rtt: info
                .filter(|i| i.min_rtt > 0 && i.min_rtt < u32::MAX)
                .map(|i| Duration::from_micros(u64::from(i.min_rtt))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn the_ends_come_from_ssh_connection() {
        let (local, remote) = ssh_ends("10.99.0.1 50000 10.99.0.2 22").unwrap();
        assert_eq!(local, (IpAddr::V4(Ipv4Addr::new(10, 99, 0, 2)), 22));
        assert_eq!(remote, (IpAddr::V4(Ipv4Addr::new(10, 99, 0, 1)), 50000));
        let (local, _) = ssh_ends("fd00::1 50000 fd00::2 2222").unwrap();
        assert_eq!(local.0, "fd00::2".parse::<IpAddr>().unwrap());
        assert_eq!(ssh_ends("10.99.0.1 50000"), None);
        assert_eq!(ssh_ends("10.99.0.1 x 10.99.0.2 22"), None);
    }

    #[test]
    fn the_send_queue_is_read_from_the_proc_table() {
        let (local, remote) = ssh_ends("10.99.0.1 50000 10.99.0.2 22").unwrap();
        let l = format!("{:08X}", u32::from_ne_bytes([10, 99, 0, 2]));
        let r = format!("{:08X}", u32::from_ne_bytes([10, 99, 0, 1]));
        let table = format!(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n\
             0: {l}:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n\
             1: {l}:0016 {r}:C350 01 00003A98:00000000 01:00000014 00000000     0\n"
        );
        assert_eq!(tcp_tx_queue(&table, local, remote), Some(15_000));
        assert_eq!(tcp_tx_queue(&table, remote, local), None);
        // IPv6: four native-endian words.
        let v6 = |a: Ipv6Addr| -> String {
            a.octets()
                .chunks_exact(4)
                .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
                .collect()
        };
        let (s, c) = ("fd00::2".parse().unwrap(), "fd00::1".parse().unwrap());
        let table = format!(
            "  sl  local_address remote_address st tx_queue rx_queue\n\
             0: {}:0016 {}:C350 01 00000400:00000000\n",
            v6(s),
            v6(c)
        );
        assert_eq!(
            tcp_tx_queue(&table, (IpAddr::V6(s), 22), (IpAddr::V6(c), 50000)),
            Some(1024)
        );
    }

    #[test]
    fn the_doctor_line_says_what_was_read_and_from_where() {
        let kernel = Reading {
            queued: 1_234,
            acked: Some(99),
            busy: Some(Duration::from_millis(5)),
            retrans: Some(0),
            rtt: Some(Duration::from_micros(12_500)),
            min_rtt: Some(Duration::from_micros(9_000)),
        };
        assert_eq!(
            describe(Some(&kernel)),
            "TCP round trip 12.5 ms, 1234 bytes waiting, read from the kernel (sock_diag); \
             video is held to what it acknowledges"
        );
        let proc = Reading {
            acked: None,
            busy: None,
            retrans: None,
            rtt: None,
            min_rtt: None,
            ..kernel
        };
        assert!(describe(Some(&proc))
            .starts_with("round trip unknown, 1234 bytes waiting, read from /proc/net/tcp"));
        assert!(describe(None).starts_with("not found"));
    }

    /// A real connection on loopback, held back by a reader that does not
    /// read: the kernel's answer names what waits and what was acknowledged.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_reports_a_real_connections_queue_and_acknowledgements() {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, peer) = listener.accept().unwrap();
        let local = (
            server.local_addr().unwrap().ip(),
            server.local_addr().unwrap().port(),
        );
        let remote = (peer.ip(), peer.port());
        server.write_all(&[7u8; 10_000]).unwrap();
        let mut got = vec![0u8; 10_000];
        client.read_exact(&mut got).unwrap();
        // Acknowledged once read (loopback acks at once; allow a moment).
        let mut r = diag::query(local, remote).expect("sock_diag answers");
        for _ in 0..100 {
            if r.acked >= Some(10_000) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
            r = diag::query(local, remote).expect("sock_diag answers");
        }
        assert_eq!(r.acked, Some(10_000), "{r:?}");
        assert_eq!(r.queued, 0, "{r:?}");
        assert!(r.rtt.is_some(), "{r:?}");
        // The client stops reading: its window fills, and what is left
        // waits in the server's socket, where the reading shows it.
        server.set_nonblocking(true).unwrap();
        let mut sent = 0usize;
        while let Ok(n) = server.write(&[1u8; 65_536]) {
            sent += n;
            if sent > 64 << 20 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(30));
        let r = diag::query(local, remote).expect("sock_diag answers");
        assert!(r.queued > 0, "{r:?}");
        // Data has been outstanding since the client stopped reading.
        assert!(
            r.busy.is_some_and(|b| b >= Duration::from_millis(30)),
            "{r:?}"
        );
        let acked = r.acked.unwrap() as usize;
        assert_eq!(acked + r.queued, 10_000 + sent, "{r:?}");
        // Nobody's connection: no answer, not a wrong one.
        let nobody = (IpAddr::V4(Ipv4Addr::LOCALHOST), 1);
        assert_eq!(diag::query(nobody, remote), None);
    }
}
