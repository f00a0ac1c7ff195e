//! EXPOSE values as the Dockerfile frontend parses them since 1.18 (`convert_expose.go`, a fork
//! of go-connections' `nat.ParsePortSpecs`): `[ip:][hostPort:]containerPort[-end][/proto]` into
//! `port/proto` keys, ranges expanded, the protocol lower-cased, one entry per port in argument
//! order (duplicates kept), and the history text `EXPOSE [80/tcp 53/udp]` of 1.19+ (Go's `%v`
//! of a string slice).
//!
//! Not for: expanding the words (dispatch) or the lint rules about casing and host ports
//! (build checks).

/// `parsePorts`: every `port/proto` of every spec, in order.
pub(super) fn parse_ports(specs: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for raw in specs {
        out.extend(parse_port(raw)?);
    }
    Ok(out)
}

/// `EXPOSE %v` of the parsed slice.
pub(super) fn expose_history(ports: &[String]) -> String {
    format!("EXPOSE [{}]", ports.join(" "))
}

fn parse_port(raw: &str) -> Result<Vec<String>, String> {
    let (ip, host_port, container) = split_parts(raw);
    let (proto, container_port) =
        split_proto_port(container).map_err(|e| format!("invalid port: {}: {e}", go_quote(raw)))?;
    let mut ip = ip.to_string();
    if ip.starts_with('[') {
        match ip.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            Some(inner) if !inner.contains(['[', ']']) => ip = inner.to_string(),
            _ => return Err(format!("invalid IP address {ip}")),
        }
    }
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("invalid IP address: {ip}"));
    }
    let (start, end) = parse_port_range(container_port)
        .map_err(|_| format!("invalid containerPort: {container_port}"))?;
    if !host_port.is_empty() {
        let (hs, he) =
            parse_port_range(host_port).map_err(|_| format!("invalid hostPort: {host_port}"))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {container_port} and {host_port}"
            ));
        }
    }
    let proto = proto.to_lowercase();
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

/// `splitParts`: `ip:host:container`, the ip keeping any extra colons (IPv6).
fn split_parts(raw: &str) -> (&str, &str, &str) {
    let parts: Vec<&str> = raw.split(':').collect();
    match parts.as_slice() {
        [c] => ("", "", c),
        [h, c] => ("", h, c),
        [ip, h, c] => (ip, h, c),
        _ => {
            let n = parts.len();
            let ip_len = raw.len() - parts[n - 2].len() - parts[n - 1].len() - 2;
            (&raw[..ip_len], parts[n - 2], parts[n - 1])
        }
    }
}

/// `splitProtoPort`: `port[/proto]`, `tcp` by default; the protocol as written.
fn split_proto_port(raw: &str) -> Result<(&str, &str), String> {
    let (port, proto) = raw.split_once('/').unwrap_or((raw, ""));
    if port.is_empty() {
        return Err("no port specified".into());
    }
    match proto.to_lowercase().as_str() {
        "" => Ok(("tcp", port)),
        "tcp" | "udp" | "sctp" => Ok((proto, port)),
        _ => Err(format!("invalid proto: {proto}")),
    }
}

/// `parsePortRange` (its error text is replaced by the caller).
fn parse_port_range(ports: &str) -> Result<(u32, u32), ()> {
    if ports.is_empty() {
        return Err(());
    }
    let (start, end) = ports
        .split_once('-')
        .map_or((ports, None), |(a, b)| (a, Some(b)));
    let start_port = parse_port_number(start)?;
    match end {
        None => Ok((start_port, start_port)),
        Some(e) if e == start => Ok((start_port, start_port)),
        Some(e) => {
            let end_port = parse_port_number(e)?;
            if end_port < start_port {
                return Err(());
            }
            Ok((start_port, end_port))
        }
    }
}

/// `strconv.ParseInt(s, 10, 0)` within 0-65535.
fn parse_port_number(raw: &str) -> Result<u32, ()> {
    let n = crate::gostd::strconv::parse_int(raw, 10, 64).map_err(|_| ())?;
    u32::try_from(n).ok().filter(|p| *p <= 65535).ok_or(())
}

fn go_quote(s: &str) -> String {
    crate::gostd::strconv::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(specs: &[&str]) -> Result<Vec<String>, String> {
        parse_ports(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn specs_expand_to_lower_case_port_protos_in_order() {
        assert_eq!(
            ports(&["80", "53/UDP", "8000-8002/tcp", "80"]).unwrap(),
            ["80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp", "80/tcp"]
        );
        assert_eq!(
            ports(&["127.0.0.1:8080:80/tcp", "9090:90", "[::1]:1:2"]).unwrap(),
            ["80/tcp", "90/tcp", "2/tcp"]
        );
        assert_eq!(
            expose_history(&ports(&["443", "53/udp"]).unwrap()),
            "EXPOSE [443/tcp 53/udp]"
        );
    }

    #[test]
    fn errors_use_the_1_19_wording() {
        assert_eq!(
            ports(&["80/xyz"]).unwrap_err(),
            "invalid port: \"80/xyz\": invalid proto: xyz"
        );
        assert_eq!(
            ports(&["/tcp"]).unwrap_err(),
            "invalid port: \"/tcp\": no port specified"
        );
        assert_eq!(ports(&["x"]).unwrap_err(), "invalid containerPort: x");
        assert_eq!(
            ports(&["70000"]).unwrap_err(),
            "invalid containerPort: 70000"
        );
        assert_eq!(ports(&["9-1"]).unwrap_err(), "invalid containerPort: 9-1");
        assert_eq!(ports(&["a:80"]).unwrap_err(), "invalid hostPort: a");
        assert_eq!(
            ports(&["1-2:5-9"]).unwrap_err(),
            "invalid ranges specified for container and host Ports: 5-9 and 1-2"
        );
        assert_eq!(ports(&["x.y:1:2"]).unwrap_err(), "invalid IP address: x.y");
    }
}
