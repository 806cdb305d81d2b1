//! Where outbound webhook requests may go. An admin registers the URL, so
//! without a guard the server would call into its own network (a database,
//! a cloud metadata service) on the admin's behalf. Loopback, link-local,
//! private, multicast and unspecified addresses are refused, both when an
//! endpoint is registered and each time a delivery resolves its host name:
//! the resolver handed to the HTTP client filters the answers, so the
//! address that was checked is the address connected to (a name that
//! re-resolves to 127.0.0.1 later — DNS rebinding — gets nowhere).
//! `allow_private_networks` in the server config lists the exceptions.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use serde::Deserialize;

/// One allowed address or network: `10.1.2.3`, `10.0.0.0/8`, `::1`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Result<Network, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or network (e.g. 10.0.0.0/8)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.trim().parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(format!("{text:?}: the prefix length must be 0 to {max}")),
            },
        };
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Network::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the
/// IPv4 address it reaches.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Why an address is not for outbound calls, or `None` when it is public.
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
        // 100.64/10 (carrier-grade NAT) is as internal as 10/8.
        Some("private")
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some("multicast")
    } else {
        None
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// The addresses outbound webhook calls may reach.
#[derive(Debug, Clone, Default)]
pub struct NetPolicy {
    allowed: Vec<Network>,
}

impl NetPolicy {
    pub fn new(allowed: Vec<Network>) -> NetPolicy {
        NetPolicy { allowed }
    }

    /// `Err` names the address and why it is refused.
    pub fn check(&self, ip: IpAddr) -> Result<(), String> {
        match forbidden_kind(ip) {
            Some(kind) if !self.allowed.iter().any(|n| n.contains(ip)) => Err(format!(
                "{ip} is a {kind} address; webhooks are only sent to public addresses \
                 unless the server config lists it in allow_private_networks"
            )),
            _ => Ok(()),
        }
    }

    /// Checks a URL's host when it is an address; a name is checked when
    /// it is resolved. `Err` is the reason.
    pub fn check_url_host(&self, url: &reqwest::Url) -> Result<(), String> {
        match host_ip(url) {
            Some(ip) => self.check(ip),
            None => Ok(()),
        }
    }

    /// Resolves `host` and checks every address. A name that does not
    /// resolve (yet) passes: each delivery checks again.
    pub async fn check_url(&self, url: &reqwest::Url) -> Result<(), String> {
        self.check_url_host(url)?;
        let Some(name) = url.host_str().filter(|_| host_ip(url).is_none()) else {
            return Ok(());
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let Ok(addrs) = tokio::net::lookup_host((name, port)).await else {
            return Ok(());
        };
        for a in addrs {
            self.check(a.ip())
                .map_err(|e| format!("{name} resolves to {e}"))?;
        }
        Ok(())
    }
}

/// The URL's host when it is an address (`[::1]` unbracketed).
fn host_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The HTTP client's resolver: the system's answers, minus the refused
/// addresses. A name with only refused addresses fails to resolve.
pub struct GuardedResolver {
    pub policy: Arc<NetPolicy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let ok: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| match policy.check(a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refused.get_or_insert(e);
                        false
                    }
                })
                .collect();
            if ok.is_empty() {
                let why = refused.unwrap_or_else(|| "no address".into());
                return Err(format!("refused to connect: {host} resolves to {why}").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(ok.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn internal_addresses_are_refused_unless_listed() {
        let none = NetPolicy::default();
        for bad in [
            "127.0.0.1",
            "127.9.9.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(none.check(ip(bad)).is_err(), "{bad}");
        }
        for good in ["8.8.8.8", "172.32.0.1", "2606:4700::1111", "1.1.1.1"] {
            assert!(none.check(ip(good)).is_ok(), "{good}");
        }
        let some = NetPolicy::new(vec![
            Network::parse("127.0.0.1").expect("net"),
            Network::parse("10.0.0.0/8").expect("net"),
            Network::parse("fd00::/8").expect("net"),
        ]);
        for ok in ["127.0.0.1", "::ffff:127.0.0.1", "10.200.0.1", "fd12::1"] {
            assert!(some.check(ip(ok)).is_ok(), "{ok}");
        }
        for bad in ["127.0.0.2", "::1", "192.168.0.1", "fc00::1"] {
            assert!(some.check(ip(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn networks_parse_or_say_why_not() {
        assert!(Network::parse("10.0.0.0/33").is_err());
        assert!(Network::parse("localhost").is_err());
        assert!(Network::parse("::/0").expect("all").contains(ip("::1")));
        assert!(Network::parse("0.0.0.0/0")
            .expect("all")
            .contains(ip("127.0.0.1")));
    }
}
