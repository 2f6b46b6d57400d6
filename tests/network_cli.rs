//! Container networking for real, through the binary, as root: every test runs
//! vassalrun inside network namespaces it makes itself (a "host" namespace
//! with a LAN neighbour veth-linked to it), so the machine's own links and
//! firewall are never touched. Servers are busybox `httpd` in the containers
//! (TCP) and a UDP echo bound inside the container's namespace by the test
//! (busybox-static has no UDP server applet); clients run on threads that
//! entered the client's namespace.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{busybox_dir, can_run_containers, describe, TestEnv};
use serde_json::Value;

const HOST_IP: &str = "192.0.2.1";
const NEIGHBOUR_IP: &str = "192.0.2.2";

fn img() -> String {
    busybox_dir().display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sh(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

/// A network namespace made by the test (`ip netns add`), deleted on drop
/// unless borrowed.
struct Netns {
    name: String,
    owned: bool,
}

impl Netns {
    fn new(role: &str) -> Netns {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "vr-{role}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let out = sh("ip", &["netns", "add", &name]);
        assert!(out.status.success(), "ip netns add: {}", describe(&out));
        let ns = Netns { name, owned: true };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// The namespace `TestEnv` made and runs vassalrun in (deleted by it).
    fn of(env: &TestEnv) -> Netns {
        Netns {
            name: env.netns.clone().expect("TestEnv makes a netns as root"),
            owned: false,
        }
    }

    fn path(&self) -> PathBuf {
        PathBuf::from("/run/netns").join(&self.name)
    }

    /// `ip -n NAME ARGS`, which must succeed.
    fn ip(&self, args: &[&str]) -> String {
        let mut full = vec!["-n", &self.name];
        full.extend_from_slice(args);
        let out = sh("ip", &full);
        assert!(out.status.success(), "ip {full:?}: {}", describe(&out));
        stdout(&out)
    }

    /// A tool (not vassalrun) run in the namespace.
    fn exec(&self, args: &[&str]) -> Output {
        let mut full = vec!["netns", "exec", &self.name];
        full.extend_from_slice(args);
        sh("ip", &full)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if self.owned {
            let _ = sh("ip", &["netns", "del", &self.name]);
        }
    }
}

/// A test's world: its vassalrun state, the "host" namespace vassalrun runs
/// in (TestEnv's, with `ext0` = 192.0.2.1/24) and a neighbour (192.0.2.2/24)
/// on that LAN.
struct Lab {
    host: Netns,
    neighbour: Netns,
    env: TestEnv,
}

impl Lab {
    fn new() -> Lab {
        let env = TestEnv::new();
        let host = Netns::of(&env);
        let neighbour = Netns::new("nb");
        host.ip(&[
            "link",
            "add",
            "ext0",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            &neighbour.name,
        ]);
        host.ip(&["addr", "add", "192.0.2.1/24", "dev", "ext0"]);
        host.ip(&["link", "set", "ext0", "up"]);
        neighbour.ip(&["addr", "add", "192.0.2.2/24", "dev", "eth0"]);
        neighbour.ip(&["link", "set", "eth0", "up"]);
        Lab {
            host,
            neighbour,
            env,
        }
    }

    /// `vassalrun ARGS` inside the host namespace (TestEnv uses nsenter, never
    /// `ip netns exec`, which remounts /sys and hides the cgroup tree).
    fn vr(&self, args: &[&str]) -> Output {
        let mut cmd = self.env.command();
        let image = img();
        cmd.args(args.iter().map(|a| a.replace("{img}", &image)))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn vr_ok(&self, args: &[&str]) -> String {
        let out = self.vr(args);
        assert!(
            out.status.success(),
            "vassalrun {args:?}: {}",
            describe(&out)
        );
        stdout(&out)
    }

    fn inspect(&self, name: &str) -> Value {
        let out = self.vr_ok(&["inspect", name]);
        serde_json::from_str::<Value>(&out).unwrap()[0].clone()
    }

    fn pid(&self, name: &str) -> i64 {
        self.inspect(name)["State"]["Pid"].as_i64().unwrap()
    }

    fn ip_of(&self, name: &str) -> String {
        self.inspect(name)["NetworkSettings"]["IPAddress"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Files in `<run dir>/network/<sub>` (recursively).
    fn state_files(&self, sub: &str) -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    walk(&entry.path(), out);
                } else {
                    out.push(entry.path().display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.env.dir.path().join("run/network").join(sub), &mut out);
        out
    }

    /// Leases held; every index (endpoint records, ports, bridge users) must agree.
    fn leases(&self) -> usize {
        let leases = self.state_files("leases").len();
        assert_eq!(
            self.state_files("endpoints").len(),
            leases,
            "endpoint records"
        );
        assert_eq!(self.state_files("bridges").len(), leases, "bridge users");
        leases
    }

    /// Elements in vassalrun's table (0 when there is no table).
    fn elements(&self) -> usize {
        let out = self
            .host
            .exec(&["nft", "-j", "list", "table", "inet", "vassalrun"]);
        if !out.status.success() {
            return 0;
        }
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o.get("map").or_else(|| o.get("set")))
            .filter_map(|s| s["elem"].as_array())
            .map(Vec::len)
            .sum()
    }

    fn has_table(&self) -> bool {
        self.host
            .exec(&["nft", "list", "table", "inet", "vassalrun"])
            .status
            .success()
    }

    /// Links in the host namespace besides `lo` and `ext0`.
    fn extra_links(&self) -> Vec<String> {
        self.host
            .ip(&["-o", "link"])
            .lines()
            .filter_map(|l| l.split(": ").nth(1))
            .map(|n| n.split('@').next().unwrap().to_string())
            .filter(|n| n != "lo" && n != "ext0")
            .collect()
    }

    /// Asserts nothing of the network is left: no lease, element, table or link.
    fn assert_clean(&self) {
        assert_eq!(self.leases(), 0, "leases left");
        assert_eq!(
            self.state_files("ports"),
            Vec::<String>::new(),
            "ports left"
        );
        assert_eq!(self.elements(), 0, "elements left");
        assert!(!self.has_table(), "table left");
        assert_eq!(self.extra_links(), Vec::<String>::new(), "links left");
    }
}

/// Runs `work` on a thread inside the network namespace at `path`.
fn in_netns<T: Send>(path: &std::path::Path, work: impl FnOnce() -> T + Send) -> T {
    let ns = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::thread::scope(|s| {
        s.spawn(|| {
            nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            work()
        })
        .join()
        .unwrap()
    })
}

/// `GET /hostname` from httpd at `addr`, from namespace `ns`: the body, or
/// `None` when unreachable within 2 s.
fn http_get(ns: &std::path::Path, addr: &str) -> Option<String> {
    let addr: SocketAddr = addr.parse().unwrap();
    in_netns(ns, || {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"GET /hostname HTTP/1.0\r\n\r\n").ok()?;
        let mut reply = String::new();
        s.read_to_string(&mut reply).ok()?;
        reply.lines().last().map(|l| l.trim().to_string())
    })
}

/// Sends `ping` to `addr` over UDP from namespace `ns`; the reply, if any
/// within 1 s (three tries).
fn udp_query(ns: &std::path::Path, addr: &str) -> Option<String> {
    let addr: SocketAddr = addr.parse().unwrap();
    in_netns(ns, || {
        let s = UdpSocket::bind("0.0.0.0:0").ok()?;
        s.set_read_timeout(Some(Duration::from_millis(350))).ok()?;
        for _ in 0..3 {
            s.send_to(b"ping", addr).ok()?;
            let mut buf = [0u8; 128];
            if let Ok((n, _)) = s.recv_from(&mut buf) {
                return Some(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        None
    })
}

/// A UDP echo on `0.0.0.0:port` inside the namespace of process `pid`,
/// answering `pong from <sender ip>` and remembering its senders, until dropped.
struct UdpEcho {
    stop: Arc<AtomicBool>,
    senders: Arc<std::sync::Mutex<Vec<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UdpEcho {
    fn start(pid: i64, port: u16) -> UdpEcho {
        let ns = File::open(format!("/proc/{pid}/ns/net")).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let senders = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (flag, seen) = (stop.clone(), senders.clone());
        let thread = std::thread::spawn(move || {
            nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            let s = UdpSocket::bind(("0.0.0.0", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            ready_tx.send(()).unwrap();
            let mut buf = [0u8; 128];
            while !flag.load(Ordering::SeqCst) {
                if let Ok((_, from)) = s.recv_from(&mut buf) {
                    seen.lock().unwrap().push(from.ip().to_string());
                    let _ = s.send_to(format!("pong from {}", from.ip()).as_bytes(), from);
                }
            }
        });
        ready_rx.recv().unwrap();
        UdpEcho {
            stop,
            senders,
            thread: Some(thread),
        }
    }

    fn senders(&self) -> Vec<String> {
        self.senders.lock().unwrap().clone()
    }
}

impl Drop for UdpEcho {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sends one datagram to `addr` from namespace `ns` (no reply expected).
fn udp_send(ns: &std::path::Path, addr: &str) {
    let addr: SocketAddr = addr.parse().unwrap();
    in_netns(ns, || {
        let s = UdpSocket::bind("0.0.0.0:0").unwrap();
        for _ in 0..3 {
            let _ = s.send_to(b"spoof", addr);
        }
    });
    std::thread::sleep(Duration::from_millis(300));
}

/// A container serving its hostname over HTTP on ports 80 and 81.
fn web_args<'a>(name: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "-d", "--name", name, "-h", name];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[
        "{img}",
        "sh",
        "-c",
        "httpd -p 81 -h /etc; exec httpd -f -p 80 -h /etc",
    ]);
    args
}

/// Waits until httpd answers inside the container (it starts asynchronously).
fn wait_http(lab: &Lab, name: &str) {
    let ip = lab.ip_of(name);
    for _ in 0..100 {
        if http_get(&lab.host.path(), &format!("{ip}:80")).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    panic!("httpd of {name} never answered");
}

/// `GET /hostname` from inside container `from` with busybox nc.
fn http_get_from_container(lab: &Lab, from: &str, host: &str, port: u16) -> String {
    let script =
        format!("printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port} | tail -1");
    let out = lab.vr(&["exec", from, "sh", "-c", &script]);
    stdout(&out).trim().to_string()
}

#[test]
fn test_bridge_published_ports_reachability() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args(
        "web",
        &[
            "-p",
            "8080:80",
            "-p",
            "127.0.0.1:8081:81",
            "-p",
            "5353:53/udp",
            "-p",
            "127.0.0.1:5354:54/udp",
        ],
    ));
    lab.vr_ok(&web_args("other", &[]));
    wait_http(&lab, "web");
    let echo = UdpEcho::start(lab.pid("web"), 53);
    let loopback_echo = UdpEcho::start(lab.pid("web"), 54);
    let host = lab.host.path();
    let nb = lab.neighbour.path();
    let ip = lab.ip_of("web");
    assert!(ip.starts_with("172.17."), "{ip}");

    // From the host itself, at its address and at 127.0.0.1.
    assert_eq!(http_get(&host, "192.0.2.1:8080").as_deref(), Some("web"));
    assert_eq!(http_get(&host, "127.0.0.1:8080").as_deref(), Some("web"));
    assert_eq!(http_get(&host, "127.0.0.1:8081").as_deref(), Some("web"));
    assert_eq!(http_get(&host, "192.0.2.1:8081"), None, "loopback-only");
    assert!(
        udp_query(&host, "127.0.0.1:5353").is_some(),
        "udp via 127.0.0.1"
    );
    // From a neighbour on the LAN; it is seen with its own address.
    assert_eq!(http_get(&nb, "192.0.2.1:8080").as_deref(), Some("web"));
    assert_eq!(
        udp_query(&nb, "192.0.2.1:5353").as_deref(),
        Some("pong from 192.0.2.2")
    );
    // From another container through the host port, and hairpin.
    assert_eq!(http_get_from_container(&lab, "other", HOST_IP, 8080), "web");
    assert_eq!(http_get_from_container(&lab, "web", HOST_IP, 8080), "web");
    // Between containers directly.
    assert_eq!(http_get_from_container(&lab, "other", &ip, 81), "web");

    // A neighbour routing to the container network reaches no unpublished port,
    // and no loopback-only port by spoofing 127.0.0.1 as destination.
    lab.neighbour
        .ip(&["route", "add", "172.17.0.0/16", "via", HOST_IP]);
    assert_eq!(http_get(&nb, &format!("{ip}:81")), None, "unpublished port");
    assert_eq!(
        http_get(&nb, &format!("{ip}:80")),
        None,
        "unpublished direct"
    );
    lab.neighbour.ip(&[
        "route",
        "del",
        "local",
        "127.0.0.0/8",
        "dev",
        "lo",
        "table",
        "local",
    ]);
    lab.neighbour
        .ip(&["route", "add", "127.0.0.1/32", "via", HOST_IP]);
    for key in [
        "net.ipv4.conf.all.route_localnet=1",
        "net.ipv4.conf.eth0.route_localnet=1",
    ] {
        assert!(lab.neighbour.exec(&["sysctl", "-qw", key]).status.success());
    }
    lab.neighbour.ip(&[
        "route",
        "del",
        "local",
        "127.0.0.1",
        "dev",
        "lo",
        "table",
        "local",
    ]);
    // Datagrams to 127.0.0.1 now leave for the host (replies do not come back:
    // the neighbour drops sources of 127.0.0.1, so what arrives is counted).
    // Control: the spoofed path reaches a port published on every address...
    udp_send(&nb, "127.0.0.1:5353");
    assert!(
        echo.senders().contains(&NEIGHBOUR_IP.to_string()),
        "{:?}",
        echo.senders()
    );
    // ...but not a loopback-only one.
    udp_send(&nb, "127.0.0.1:5354");
    assert!(
        !loopback_echo.senders().contains(&NEIGHBOUR_IP.to_string()),
        "spoofed loopback reached the container: {:?}",
        loopback_echo.senders()
    );
    assert_eq!(
        udp_query(&host, "127.0.0.1:5354").as_deref(),
        Some("pong from 172.17.0.1")
    );

    // port and inspect.
    assert_eq!(
        lab.vr_ok(&["port", "web"]),
        "53/udp -> 0.0.0.0:5353\n54/udp -> 127.0.0.1:5354\n80/tcp -> 0.0.0.0:8080\n81/tcp -> 127.0.0.1:8081\n"
    );
    assert_eq!(lab.vr_ok(&["port", "web", "81"]), "127.0.0.1:8081\n");
    let settings = &lab.inspect("web")["NetworkSettings"];
    assert_eq!(settings["Gateway"], "172.17.0.1");
    assert_eq!(
        settings["Ports"]["80/tcp"],
        serde_json::json!([{"HostIp": "0.0.0.0", "HostPort": "8080"}])
    );
}

#[test]
fn test_publish_forms() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args(
        "forms",
        &[
            "-p",
            "9000-9001:80-81",
            "-p",
            "80",
            "-p",
            "7000:80",
            "-p",
            "7000:53/udp",
            "-p",
            "127.0.0.1:7100:80",
            "-p",
            "192.0.2.1:7100:81",
            "-p",
            "7200-7210:80",
        ],
    ));
    wait_http(&lab, "forms");
    let _echo = UdpEcho::start(lab.pid("forms"), 53);
    let host = lab.host.path();
    let nb = lab.neighbour.path();
    // A range.
    assert_eq!(http_get(&nb, "192.0.2.1:9000").as_deref(), Some("forms"));
    assert_eq!(http_get(&nb, "192.0.2.1:9001").as_deref(), Some("forms"));
    // The same port on tcp and udp.
    assert_eq!(http_get(&nb, "192.0.2.1:7000").as_deref(), Some("forms"));
    assert!(udp_query(&nb, "192.0.2.1:7000").is_some());
    // The same port on two host addresses, each its own mapping.
    assert_eq!(http_get(&host, "127.0.0.1:7100").as_deref(), Some("forms"));
    assert_eq!(http_get(&nb, "192.0.2.1:7100").as_deref(), Some("forms"));
    // An empty host port: an ephemeral port, shown by port and inspect.
    let port = lab.vr_ok(&["port", "forms", "80/tcp"]);
    let ephemeral: Vec<u16> = port
        .lines()
        .filter_map(|l| l.strip_prefix("0.0.0.0:"))
        .map(|p| p.parse().unwrap())
        .filter(|p| *p >= 32768)
        .collect();
    assert_eq!(ephemeral.len(), 1, "{port}");
    let picked = ephemeral[0];
    assert_eq!(
        http_get(&nb, &format!("192.0.2.1:{picked}")).as_deref(),
        Some("forms")
    );
    let bindings = lab.inspect("forms")["NetworkSettings"]["Ports"]["80/tcp"].clone();
    assert!(
        bindings
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["HostPort"].as_str() == Some(picked.to_string().as_str())),
        "{bindings}"
    );
    // A host range for one container port: its first free port.
    assert!(port.contains("0.0.0.0:7200\n"), "{port}");
    // ps shows the ports as published, the ephemeral one resolved.
    let ps = lab.vr_ok(&["ps", "--format", "json"]);
    assert!(ps.contains(&format!("0.0.0.0:{picked}->80/tcp")), "{ps}");
    lab.vr_ok(&["rm", "-f", "forms"]);
    lab.assert_clean();
}

#[test]
fn test_network_modes() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    let links = |args: &[&str]| {
        let mut full = vec!["run", "--rm"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["{img}", "sh", "-c", "ip -o link | cut -d' ' -f2,3"]);
        stdout(&lab.vr(&full))
    };
    // none: loopback only, up.
    let none = links(&["--network", "none"]);
    assert_eq!(none.lines().count(), 1, "{none}");
    assert!(none.starts_with("lo: <LOOPBACK,UP"), "{none}");
    // host: the host's links.
    assert!(links(&["--network", "host"]).contains("ext0"));
    // bridge: eth0 with its address and the default route.
    let out = lab.vr_ok(&[
        "run",
        "--rm",
        "{img}",
        "sh",
        "-c",
        "ip -o -4 addr show eth0; ip route",
    ]);
    assert!(out.contains("inet 172.17.0."), "{out}");
    assert!(out.contains("default via 172.17.0.1 dev eth0"), "{out}");
    // container:NAME shares the donor's namespace, hostname and files.
    lab.vr_ok(&web_args("donor", &["--add-host", "db:192.0.2.9"]));
    let ip = lab.ip_of("donor");
    let out = lab.vr_ok(&[
        "run",
        "--rm",
        "--network",
        "container:donor",
        "{img}",
        "sh",
        "-c",
        "ip -o -4 addr show eth0; hostname; grep db /etc/hosts",
    ]);
    assert!(out.contains(&format!("inet {ip}/16")), "{out}");
    assert!(out.contains("\ndonor\n192.0.2.9\tdb\n"), "{out}");
    // Docker's refusals.
    let err = |args: &[&str]| {
        let out = lab.vr(args);
        assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    };
    assert_eq!(
        err(&[
            "run",
            "--rm",
            "--network",
            "container:donor",
            "-p",
            "80",
            "{img}",
            "true"
        ]),
        "vassalrun: conflicting options: port publishing and the container type network mode"
    );
    assert_eq!(
        err(&[
            "run",
            "--rm",
            "--network",
            "container:nope",
            "{img}",
            "true"
        ]),
        "vassalrun: No such container: nope"
    );
    lab.vr_ok(&["create", "--name", "idle", "{img}", "true"]);
    assert_eq!(
        err(&[
            "run",
            "--rm",
            "--network",
            "container:idle",
            "{img}",
            "true"
        ]),
        "vassalrun: cannot join network of a non running container: idle"
    );
    assert_eq!(
        err(&["run", "--rm", "--network", "overlay", "{img}", "true"]),
        "vassalrun: invalid network mode: \"overlay\" (expected bridge, host, none or container:NAME)"
    );
}

#[test]
fn test_ip_flag_and_address_errors() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&[
        "run",
        "-d",
        "--name",
        "fixed",
        "--ip",
        "172.17.3.7",
        "{img}",
        "sleep",
        "60",
    ]);
    assert_eq!(lab.ip_of("fixed"), "172.17.3.7");
    let out = lab.vr_ok(&["exec", "fixed", "cat", "/etc/hosts"]);
    assert!(out.contains("172.17.3.7\t"), "{out}");
    let err = |args: &[&str]| {
        let out = lab.vr(args);
        assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let taken = err(&["run", "-d", "--ip", "172.17.3.7", "{img}", "true"]);
    assert!(
        taken.starts_with(
            "vassalrun: requested IP address 172.17.3.7 is already allocated to container "
        ),
        "{taken}"
    );
    assert_eq!(
        err(&["run", "-d", "--ip", "172.18.0.2", "{img}", "true"]),
        "vassalrun: requested IP address 172.18.0.2 is outside the subnet 172.17.0.0/16\n"
    );
    assert_eq!(
        err(&["run", "-d", "--ip", "172.17.0.1", "{img}", "true"]),
        "vassalrun: requested IP address 172.17.0.1 is reserved (network, gateway or broadcast address)\n"
    );
    assert_eq!(
        err(&["--subnet", "172.17.0.0", "run", "-d", "{img}", "true"]),
        "vassalrun: invalid subnet \"172.17.0.0\": expected a.b.c.d/len\n"
    );
    // Failed creates leave no container, lease, link or element behind.
    assert_eq!(lab.env.container_ids().len(), 1);
    assert_eq!(lab.leases(), 1);
    assert_eq!(lab.elements(), 2, "the bridge and subnet elements only");
    lab.vr_ok(&["rm", "-f", "fixed"]);
    lab.assert_clean();
}

#[test]
fn test_port_conflicts_leave_nothing_behind() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args("first", &["-p", "8080:80"]));
    let links_before = lab.extra_links();
    let elements_before = lab.elements();
    let out = lab.vr(&web_args("second", &["-p", "8080:80"]));
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "vassalrun: Bind for 0.0.0.0:8080/tcp failed: port is already allocated to container "
        ),
        "{stderr}"
    );
    // A port a host process holds.
    let listener = in_netns(&lab.host.path(), || {
        std::net::TcpListener::bind("0.0.0.0:8090").unwrap()
    });
    let out = lab.vr(&web_args("third", &["-p", "8090:80"]));
    assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vassalrun: Bind for 0.0.0.0:8090/tcp failed: Address already in use (os error 98)\n"
    );
    drop(listener);
    assert_eq!(lab.env.container_ids().len(), 1);
    assert_eq!(lab.leases(), 1);
    assert_eq!(lab.extra_links(), links_before);
    assert_eq!(lab.elements(), elements_before);
    wait_http(&lab, "first");
    assert_eq!(
        http_get(&lab.neighbour.path(), "192.0.2.1:8080").as_deref(),
        Some("first")
    );
}

#[test]
fn test_dns_files() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    let out = lab.vr_ok(&[
        "run",
        "--rm",
        "--name",
        "dns",
        "-h",
        "box",
        "--dns",
        "192.0.2.53",
        "--dns-search",
        "corp.example",
        "--dns-option",
        "ndots:2",
        "--add-host",
        "db:192.0.2.9",
        "{img}",
        "sh",
        "-c",
        "cat /etc/resolv.conf /etc/hostname; grep -v ip6 /etc/hosts",
    ]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("nameserver 192.0.2.53"));
    assert_eq!(lines.next(), Some("search corp.example"));
    assert_eq!(lines.next(), Some("options ndots:2"));
    assert_eq!(lines.next(), Some("box"));
    let hosts: Vec<&str> = lines.collect();
    assert_eq!(hosts[0], "127.0.0.1\tlocalhost");
    assert_eq!(hosts[1], "192.0.2.9\tdb");
    assert!(
        hosts[2].starts_with("172.17.0.") && hosts[2].contains("\tbox dns"),
        "{hosts:?}"
    );
}

#[test]
fn test_stop_and_rm_tear_down_everything() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    for (name, port) in [("ca", "8001"), ("cb", "8002"), ("cc", "8003")] {
        let publish = format!("{port}:80");
        let udp = format!("{port}:53/udp");
        lab.vr_ok(&web_args(
            name,
            &["-p", &publish, "-p", &udp, "-p", "127.0.0.1::81"],
        ));
    }
    assert_eq!(lab.leases(), 3);
    // 4 elements each (pf4_any tcp+udp, pf4_addr, lo4_ports) + bridge + subnet.
    assert_eq!(lab.elements(), 3 * 4 + 2);
    assert_eq!(lab.extra_links().len(), 4, "bridge + 3 veths");
    lab.vr_ok(&["stop", "-t", "1", "ca"]);
    assert_eq!(lab.leases(), 2);
    assert_eq!(lab.elements(), 2 * 4 + 2);
    assert_eq!(lab.extra_links().len(), 3);
    // A stopped container started again gets a network again.
    lab.vr_ok(&["start", "ca"]);
    wait_http(&lab, "ca");
    assert_eq!(
        http_get(&lab.neighbour.path(), "192.0.2.1:8001").as_deref(),
        Some("ca")
    );
    // A container exiting by itself is torn down by its monitor.
    lab.vr_ok(&[
        "run", "-d", "--name", "brief", "-p", "8004:80", "{img}", "true",
    ]);
    lab.vr_ok(&["wait", "brief"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(lab.leases(), 3);
    lab.vr_ok(&["rm", "-f", "ca", "cb", "cc", "brief"]);
    lab.assert_clean();
}

/// A container's port elements go in and out as an in-process netlink batch,
/// the table goes with the last container the same way: with no `nft` to
/// run (`VASSALRUN_NFT` names a missing program), a second published
/// container starts, is reachable, and its exact elements (as nft reads them
/// back) leave with it; only the table's definition needed `nft`.
#[test]
fn test_port_elements_without_an_nft_process() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args("first", &["-p", "8001:80"]));
    let without_nft = |args: &[&str]| {
        let image = img();
        let out = lab
            .env
            .command()
            .env("VASSALRUN_NFT", "/nonexistent/nft")
            .args(args.iter().map(|a| a.replace("{img}", &image)))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
    };
    without_nft(&web_args(
        "second",
        &[
            "-p",
            "8002:80",
            "-p",
            "127.0.0.1:8003:81",
            "-p",
            "8004:53/udp",
        ],
    ));
    wait_http(&lab, "second");
    let ip = lab.ip_of("second");
    let table = || {
        stdout(
            &lab.host
                .exec(&["nft", "list", "table", "inet", "vassalrun"]),
        )
    };
    let listed = table();
    for element in [
        format!("tcp . 8002 : {ip} . 80"),
        format!("udp . 8004 : {ip} . 53"),
        format!("127.0.0.1 . tcp . 8003 : {ip} . 81"),
    ] {
        assert!(listed.contains(&element), "{element} not in\n{listed}");
    }
    assert!(
        listed.contains("elements = { 127.0.0.1 . tcp . 8003 }"),
        "{listed}"
    );
    // 1 + 4 port elements, one bridge and one subnet.
    assert_eq!(lab.elements(), 7);
    let nb = lab.neighbour.path();
    assert_eq!(http_get(&nb, "192.0.2.1:8002").as_deref(), Some("second"));
    let host = lab.host.path();
    assert_eq!(http_get(&host, "127.0.0.1:8003").as_deref(), Some("second"));
    without_nft(&["rm", "-f", "second"]);
    assert_eq!(lab.elements(), 3, "second's elements left:\n{}", table());
    assert!(!table().contains("8002"), "{}", table());
    assert_eq!(http_get(&nb, "192.0.2.1:8001").as_deref(), Some("first"));
    // The last container takes the table with it, without nft too.
    without_nft(&["rm", "-f", "first"]);
    lab.assert_clean();
}

/// A `run --rm -p` releases its port, address and table before it returns
/// (the next `run` may take them at once) and deletes its links after its
/// client has the exit code: back-to-back runs reuse what is still going,
/// and nothing is left once the monitors are done.
#[test]
fn test_run_rm_releases_ports_before_returning_and_links_after() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    for code in ["0", "3", "5"] {
        let script = format!("exit {code}");
        let out = lab.vr(&["run", "--rm", "-p", "8080:80", "{img}", "sh", "-c", &script]);
        assert_eq!(
            out.status.code(),
            Some(code.parse().unwrap()),
            "{}",
            describe(&out)
        );
        assert_eq!(lab.leases(), 0, "the lease outlived the command");
        assert_eq!(lab.elements(), 0, "elements outlived the command");
        assert!(!lab.has_table(), "the table outlived the command");
        assert!(lab.env.container_ids().is_empty());
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lab.extra_links().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    lab.assert_clean();
}

#[test]
fn test_reload_after_flush() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args("web", &["-p", "8080:80"]));
    wait_http(&lab, "web");
    let nb = lab.neighbour.path();
    assert_eq!(http_get(&nb, "192.0.2.1:8080").as_deref(), Some("web"));
    assert!(lab
        .host
        .exec(&["nft", "flush", "table", "inet", "vassalrun"])
        .status
        .success());
    assert_eq!(http_get(&nb, "192.0.2.1:8080"), None, "rules flushed");
    lab.vr_ok(&["network", "reload"]);
    assert_eq!(http_get(&nb, "192.0.2.1:8080").as_deref(), Some("web"));
    // After a deleted table too (a `flush ruleset`).
    assert!(lab.host.exec(&["nft", "flush", "ruleset"]).status.success());
    lab.vr_ok(&["network", "reload"]);
    assert_eq!(http_get(&nb, "192.0.2.1:8080").as_deref(), Some("web"));
    assert_eq!(lab.elements(), 3);
}

#[test]
fn test_gc_after_sigkill_of_monitor() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args("keep", &["-p", "8080:80"]));
    lab.vr_ok(&web_args("victim", &["-p", "8081:80", "-p", "8081:53/udp"]));
    let dir = lab
        .env
        .root()
        .join("containers")
        .join(lab.inspect("victim")["Id"].as_str().unwrap());
    let monitor: i32 = std::fs::read_to_string(dir.join("monitor.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let init = lab.pid("victim") as i32;
    for pid in [monitor, init] {
        // The container dies with its monitor (pid 1 of the namespace that
        // encloses it): the init may be gone by the time it is killed.
        match nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        ) {
            Ok(()) => {}
            Err(nix::errno::Errno::ESRCH) if pid == init => {}
            Err(e) => panic!("kill {pid}: {e}"),
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(lab.leases(), 2, "nobody released the victim's network");
    let out = lab.vr_ok(&["gc"]);
    // The dead container is reaped as its monitor would have done at its
    // exit, network included.
    assert!(out.contains("(victim, dead, exit 255 recorded)"), "{out}");
    assert_eq!(lab.leases(), 1);
    assert_eq!(lab.elements(), 1 + 2);
    assert_eq!(lab.extra_links().len(), 2, "bridge + keep's veth");
    wait_http(&lab, "keep");
    assert_eq!(
        http_get(&lab.neighbour.path(), "192.0.2.1:8080").as_deref(),
        Some("keep")
    );
    lab.vr_ok(&["rm", "-f", "keep", "victim"]);
    lab.assert_clean();
}

/// Sends `ping` from `0.0.0.0:src_port` in `ns` to `addr`; the reply, if any.
fn udp_query_from(ns: &std::path::Path, src_port: u16, addr: &str) -> Option<String> {
    let addr: SocketAddr = addr.parse().unwrap();
    in_netns(ns, || {
        let s = UdpSocket::bind(("0.0.0.0", src_port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(400))).ok()?;
        for _ in 0..3 {
            s.send_to(b"ping", addr).ok()?;
            let mut buf = [0u8; 128];
            if let Ok((n, _)) = s.recv_from(&mut buf) {
                return Some(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        None
    })
}

#[test]
fn test_new_udp_mapping_flushes_stale_conntrack_entries() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    // Conntrack is active in the namespace once vassalrun's table exists.
    lab.vr_ok(&[
        "run", "-d", "--name", "first", "-p", "6000:80", "{img}", "sleep", "60",
    ]);
    let nb = lab.neighbour.path();
    // A client talks to a port nobody publishes yet: an un-NATed entry.
    assert_eq!(udp_query_from(&nb, 40000, "192.0.2.1:5400"), None);
    lab.vr_ok(&[
        "run",
        "-d",
        "--name",
        "dns",
        "-p",
        "5400:53/udp",
        "{img}",
        "sleep",
        "60",
    ]);
    let _echo = UdpEcho::start(lab.pid("dns"), 53);
    // The same client (same source port) reaches the new mapping at once.
    assert_eq!(
        udp_query_from(&nb, 40000, "192.0.2.1:5400").as_deref(),
        Some("pong from 192.0.2.2")
    );
}

#[test]
fn test_outbound_traffic_is_masqueraded() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    // A server on the neighbour, which has no route to the container subnet.
    let listener = in_netns(&lab.neighbour.path(), || {
        std::net::TcpListener::bind("192.0.2.2:9000").unwrap()
    });
    let accept = std::thread::spawn(move || {
        let (_, peer) = listener.accept().unwrap();
        peer.ip().to_string()
    });
    let out = lab.vr(&[
        "run",
        "--rm",
        "{img}",
        "sh",
        "-c",
        "echo hi | nc -w 3 192.0.2.2 9000",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        accept.join().unwrap(),
        HOST_IP,
        "seen as the host's address"
    );
}

#[test]
fn test_concurrent_creates_get_distinct_addresses_and_ports() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    std::thread::scope(|s| {
        for i in 0..6 {
            let lab = &lab;
            s.spawn(move || {
                let name = format!("par{i}");
                lab.vr_ok(&["create", "--name", &name, "-p", "80", "{img}", "true"]);
            });
        }
    });
    let mut ips: Vec<String> = (0..6).map(|i| lab.ip_of(&format!("par{i}"))).collect();
    let mut ports: Vec<String> = (0..6)
        .map(|i| lab.vr_ok(&["port", &format!("par{i}"), "80"]))
        .collect();
    ips.sort();
    ips.dedup();
    ports.sort();
    ports.dedup();
    assert_eq!((ips.len(), ports.len()), (6, 6), "{ips:?} {ports:?}");
    assert_eq!(lab.leases(), 6);
}

#[test]
fn test_start_after_monitor_sigkill_replaces_the_stale_endpoint() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&web_args("phoenix", &["-p", "8085:80"]));
    let id = lab.inspect("phoenix")["Id"].as_str().unwrap().to_string();
    let dir = lab.env.root().join("containers").join(&id);
    let monitor: i32 = std::fs::read_to_string(dir.join("monitor.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let init = lab.pid("phoenix") as i32;
    for pid in [monitor, init] {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    lab.vr_ok(&["start", "phoenix"]);
    wait_http(&lab, "phoenix");
    assert_eq!(lab.leases(), 1);
    assert_eq!(lab.elements(), 1 + 2, "one mapping, no stale DNAT");
    assert_eq!(
        http_get(&lab.neighbour.path(), "192.0.2.1:8085").as_deref(),
        Some("phoenix")
    );
}

#[test]
fn test_leases_of_vanished_containers_are_reclaimed_on_allocation() {
    if !can_run_containers() {
        return;
    }
    let lab = Lab::new();
    lab.vr_ok(&[
        "run",
        "-d",
        "--name",
        "ghost2",
        "--ip",
        "172.17.5.5",
        "-p",
        "8088:80",
        "{img}",
        "sleep",
        "60",
    ]);
    let record = lab.env.dir.path().join("run/network/endpoints");
    let ghost2 = lab.inspect("ghost2")["Id"].as_str().unwrap().to_string();
    // Forge the leftover of a container that no longer exists (as a crash
    // could leave it): ghost2's records under an id with no container.
    let forged = "f".repeat(64);
    let text = std::fs::read_to_string(record.join(format!("{ghost2}.json")))
        .unwrap()
        .replace(&ghost2, &forged);
    lab.vr_ok(&["rm", "-f", "ghost2"]);
    std::fs::write(record.join(format!("{forged}.json")), text).unwrap();
    let net = lab.env.dir.path().join("run/network");
    std::fs::write(net.join("leases/172.17.5.5"), &forged).unwrap();
    std::fs::create_dir_all(net.join("ports/tcp-8088")).unwrap();
    std::fs::write(net.join("ports/tcp-8088/0.0.0.0"), &forged).unwrap();
    std::fs::create_dir_all(net.join("bridges/vassal0")).unwrap();
    std::fs::write(net.join("bridges/vassal0").join(&forged), "").unwrap();
    assert_eq!(lab.leases(), 1);
    lab.vr_ok(&[
        "run",
        "-d",
        "--name",
        "heir",
        "--ip",
        "172.17.5.5",
        "-p",
        "8088:80",
        "{img}",
        "sleep",
        "60",
    ]);
    assert_eq!(
        lab.leases(),
        1,
        "the vanished container's lease was reclaimed"
    );
    assert_eq!(lab.ip_of("heir"), "172.17.5.5");
}
