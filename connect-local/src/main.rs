//! `connect-local [--port N] [--seed FILE]`: runs the stand-in until interrupted.

use std::net::SocketAddr;

use connect_local::{Seed, StandIn};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = 4566u16;
    let mut seed = Seed::shipped();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "--seed" => seed = Seed::from_json(&std::fs::read_to_string(args.next().ok_or("--seed needs a file")?)?)?,
            other => {
                return Err(format!("unknown argument {other}; usage: connect-local [--port N] [--seed FILE]").into())
            }
        }
    }
    let stand_in = StandIn::start_on(SocketAddr::from(([127, 0, 0, 1], port)), seed).await?;
    println!("connect-local listening on {}", stand_in.url());
    tokio::select! {
        _ = stand_in.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
