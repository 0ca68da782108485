//! The binary's `--bind`: loopback by default, another address only when asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the binary and waits for its "listening on" line, which it prints once bound.
fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-local"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (Running(child), line)
}

fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else { return false };
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(b"GET /_requests HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply.starts_with("HTTP/1.1 200")
}

#[test]
fn it_listens_on_loopback_only_by_default() {
    let port = free_port();
    let (_running, line) = start(&["--port", &port.to_string()]);
    assert_eq!(line.trim(), format!("connect-local listening on http://127.0.0.1:{port}"));
    assert!(answers(SocketAddr::from(([127, 0, 0, 1], port))));
    assert!(!answers(SocketAddr::from(([127, 0, 0, 2], port))), "it must not listen beyond 127.0.0.1");
}

#[test]
fn bind_chooses_the_address() {
    let port = free_port();
    let (_running, line) = start(&["--bind", "127.0.0.2", "--port", &port.to_string()]);
    assert_eq!(line.trim(), format!("connect-local listening on http://127.0.0.2:{port}"));
    assert!(answers(SocketAddr::from(([127, 0, 0, 2], port))));
    assert!(!answers(SocketAddr::from(([127, 0, 0, 1], port))));
}

#[test]
fn a_bind_that_is_not_an_address_stops_it_with_a_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_connect-local")).args(["--bind", "localhost"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--bind") && stderr.contains("IP address"), "{stderr}");
}
