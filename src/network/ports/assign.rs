//! Concrete host ports for the requests: explicit ports as given, ranges and
//! empty ports the first free one. A port is free when no endpoint (nor an
//! earlier request of this container) publishes it and the probe can bind it.

use super::probe::PortProbe;
use super::request::PortRequest;
use crate::network::error::NetworkError;
use crate::network::state::PortMap;

/// Who publishes what (the seam between assignment and its storage).
pub trait PortOwners {
    /// The container publishing a mapping that clashes with `port`.
    fn port_owner(&self, port: &PortMap) -> Option<String>;
}

/// The kernel's ephemeral range (`net.ipv4.ip_local_port_range`), where empty
/// host ports are picked as Docker does.
pub fn ephemeral_range() -> (u16, u16) {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| {
            let mut words = t.split_whitespace().map(|w| w.parse::<u16>().ok());
            Some((words.next()??, words.next()??))
        })
        .filter(|(a, b)| a <= b && *a > 0)
        .unwrap_or((32768, 60999))
}

pub fn assign(
    requests: &[PortRequest],
    state: &dyn PortOwners,
    probe: &dyn PortProbe,
    ephemeral: (u16, u16),
) -> Result<Vec<PortMap>, NetworkError> {
    let mut out: Vec<PortMap> = Vec::new();
    for request in requests {
        let map = |host_port| PortMap {
            proto: request.proto,
            host_ip: request.host_ip,
            host_port,
            container_port: request.container_port,
        };
        let chosen = match request.host_range {
            Some((start, end)) if start == end => {
                let wanted = map(start);
                check(&wanted, state, &out, probe)?;
                wanted
            }
            range => {
                let (start, end) = range.unwrap_or(ephemeral);
                (start..=end)
                    .map(map)
                    .find(|m| check(m, state, &out, probe).is_ok())
                    .ok_or_else(|| {
                        NetworkError::NoFreePort(format!("{start}-{end}/{}", request.proto))
                    })?
            }
        };
        out.push(chosen);
    }
    Ok(out)
}

fn check(
    wanted: &PortMap,
    state: &dyn PortOwners,
    mine: &[PortMap],
    probe: &dyn PortProbe,
) -> Result<(), NetworkError> {
    if let Some(owner) = state.port_owner(wanted) {
        return Err(NetworkError::PortAllocated {
            addr: wanted.host_side(),
            owner,
        });
    }
    if mine.iter().any(|m| m.clashes(wanted)) {
        return Err(NetworkError::PortAllocated {
            addr: wanted.host_side(),
            owner: "itself".into(),
        });
    }
    probe
        .check(wanted)
        .map_err(|reason| NetworkError::PortInUse {
            addr: wanted.host_side(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::settings::Subnet;
    use crate::network::state::{Endpoint, NetState, Proto};
    use std::cell::RefCell;

    /// Refuses the listed ports, records what it was asked.
    struct FakeProbe {
        busy: Vec<u16>,
        asked: RefCell<Vec<u16>>,
    }

    impl PortProbe for FakeProbe {
        fn check(&self, port: &PortMap) -> std::io::Result<()> {
            self.asked.borrow_mut().push(port.host_port);
            if self.busy.contains(&port.host_port) {
                return Err(std::io::Error::from_raw_os_error(nix::libc::EADDRINUSE));
            }
            Ok(())
        }
    }

    fn req(proto: Proto, range: Option<(u16, u16)>, container_port: u16) -> PortRequest {
        PortRequest {
            proto,
            host_ip: None,
            host_range: range,
            container_port,
        }
    }

    fn state_with(port: PortMap) -> NetState {
        let mut s = NetState::default();
        s.endpoints.insert(
            "other".into(),
            Endpoint {
                id: "other".into(),
                bridge: "vr0".into(),
                subnet: Subnet::parse("10.9.0.0/24").unwrap(),
                gateway: "10.9.0.1".parse().unwrap(),
                ip: "10.9.0.2".parse().unwrap(),
                host_veth: "vrx".into(),
                ports: vec![port],
            },
        );
        s
    }

    #[test]
    fn test_assign_ephemeral_skips_published_and_bound() {
        let taken = PortMap {
            proto: Proto::Tcp,
            host_ip: None,
            host_port: 40000,
            container_port: 1,
        };
        let state = state_with(taken);
        let probe = FakeProbe {
            busy: vec![40001],
            asked: RefCell::new(vec![]),
        };
        let got = assign(
            &[
                req(Proto::Tcp, None, 80),
                req(Proto::Tcp, None, 81),
                req(Proto::Udp, None, 53),
            ],
            &state,
            &probe,
            (40000, 40010),
        )
        .unwrap();
        let ports: Vec<u16> = got.iter().map(|m| m.host_port).collect();
        // 40000 is another container's, 40001 a host process's; udp may reuse 40000.
        assert_eq!(ports, [40002, 40003, 40000]);
    }

    #[test]
    fn test_assign_explicit_conflicts_name_the_owner() {
        let taken = PortMap {
            proto: Proto::Tcp,
            host_ip: Some("127.0.0.1".parse().unwrap()),
            host_port: 8080,
            container_port: 80,
        };
        let state = state_with(taken);
        let probe = FakeProbe {
            busy: vec![9090],
            asked: RefCell::new(vec![]),
        };
        let err = assign(
            &[req(Proto::Tcp, Some((8080, 8080)), 80)],
            &state,
            &probe,
            (1, 2),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "Bind for 0.0.0.0:8080/tcp failed: port is already allocated to container other"
        );
        let err = assign(
            &[req(Proto::Tcp, Some((9090, 9090)), 80)],
            &state,
            &probe,
            (1, 2),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("Bind for 0.0.0.0:9090/tcp failed: "),
            "{err}"
        );
        // The same port on udp is another mapping.
        assert!(assign(
            &[req(Proto::Udp, Some((8080, 8080)), 80)],
            &state,
            &probe,
            (1, 2)
        )
        .is_ok());
    }
}
