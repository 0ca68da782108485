//! `connect-local [--bind ADDR] [--port N] [--seed FILE] [--connect-quotas]`: runs the stand-in until interrupted or
//! terminated. It binds 127.0.0.1 unless told otherwise: `--bind 0.0.0.0` is for a container on a
//! docker network of its own (how `sam local` reaches it), never for a host on a shared network.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use connect_local::{Seed, StandIn};
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: connect-local [--bind ADDR] [--port N] [--seed FILE] [--connect-quotas]";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 4566u16;
    let mut seed = Seed::shipped();
    let mut quotas = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value; {USAGE}"));
        match arg.as_str() {
            "--bind" => bind = value()?.parse().map_err(|e| format!("--bind: {e}; give an IP address"))?,
            "--port" => port = value()?.parse()?,
            "--seed" => seed = Seed::from_json(&std::fs::read_to_string(value()?)?)?,
            "--connect-quotas" => quotas = Some(connect_local::quotas::Quotas::connect_defaults()),
            other => return Err(format!("unknown argument {other}; {USAGE}").into()),
        }
    }
    let stand_in = StandIn::serve(SocketAddr::new(bind, port), seed, quotas).await?;
    println!("connect-local listening on {}", stand_in.url());
    // As PID 1 in a container, SIGTERM (docker stop) must end it too: no default handler applies there.
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = stand_in.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}
