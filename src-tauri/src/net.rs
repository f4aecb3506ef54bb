//! The addresses students type: every non-loopback IPv4 address of this machine, with the port.

use std::net::{IpAddr, Ipv4Addr};

/// `A.B.C.D:PORT` for each non-loopback, non-link-local IPv4 address (sorted, no duplicates);
/// link-local ones (169.254.x.x) only when there is nothing else.
pub fn format_addresses(ips: impl IntoIterator<Item = IpAddr>, port: u16) -> Vec<String> {
    let mut v4: Vec<Ipv4Addr> = ips
        .into_iter()
        .filter_map(|ip| match ip {
            IpAddr::V4(a) if !a.is_loopback() && !a.is_unspecified() => Some(a),
            _ => None,
        })
        .collect();
    v4.sort();
    v4.dedup();
    if v4.iter().any(|a| !a.is_link_local()) {
        v4.retain(|a| !a.is_link_local());
    }
    v4.into_iter().map(|a| format!("{a}:{port}")).collect()
}

pub fn addresses(port: u16) -> Vec<String> {
    match if_addrs::get_if_addrs() {
        Ok(ifs) => format_addresses(ifs.into_iter().map(|i| i.ip()), port),
        Err(e) => {
            log::warn!("Could not list the network addresses: {e}");
            Vec::new()
        }
    }
}

/// Each `HOST:PORT` as a join string carrying the class code (docs/PROTOCOL.md, "Join string").
pub fn join_strings(addresses: &[String], class_code: &str, server_key: Option<&[u8; 32]>) -> Vec<String> {
    addresses
        .iter()
        .filter_map(|a| {
            let (host, port) = a.rsplit_once(':')?;
            Some(pracownia_core::protocol::join::join_string(host, port.parse().ok()?, class_code, server_key))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_loopback_ipv4() {
        let ips: Vec<IpAddr> =
            ["127.0.0.1", "192.168.1.20", "::1", "fe80::1", "10.0.0.5", "192.168.1.20", "169.254.3.3"]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect();
        assert_eq!(format_addresses(ips, 5570), ["10.0.0.5:5570", "192.168.1.20:5570"]);
        let only_link_local: Vec<IpAddr> = vec!["169.254.3.3".parse().unwrap()];
        assert_eq!(format_addresses(only_link_local, 1), ["169.254.3.3:1"]);
        assert!(format_addresses(vec!["127.0.0.1".parse().unwrap()], 1).is_empty());
    }

    #[test]
    fn join_strings_carry_the_code() {
        let a = vec!["10.0.0.5:5570".to_string(), "192.168.1.20:5570".to_string()];
        assert_eq!(
            join_strings(&a, "KOT LAS", None),
            ["pracownia://10.0.0.5:5570/KOT%20LAS", "pracownia://192.168.1.20:5570/KOT%20LAS"]
        );
        assert_eq!(join_strings(&a[..1], "", None), ["pracownia://10.0.0.5:5570"]);
    }

    #[test]
    fn real_interfaces_do_not_fail() {
        for a in addresses(5570) {
            assert!(a.ends_with(":5570") && !a.starts_with("127."), "{a}");
        }
    }
}
