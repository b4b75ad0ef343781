//! `zkpin-validator`: an offline surfnet (surfpool-core) serving the Solana JSON-RPC and
//! WebSocket APIs on the ports it is given, for local zkpin networks and the RPC-mode tests.
//!
//! ```text
//! zkpin-validator --rpc-port 18899 --ws-port 18900 [--ledger DIR] [--slot-ms 400]
//! ```
//!
//! Offline: it never reaches a remote cluster, so every account starts empty (fund keys with
//! `requestAirdrop`; deploy programs through the upgradeable loader, as on any cluster).
//! `--ledger DIR` keeps the chain in `DIR/surfnet.sqlite` (a restart resumes it); without
//! it the chain lives in memory. Prints `ready <rpc url> <ws url>` on stdout once both
//! servers answer, and stops on SIGTERM / SIGINT (the runloop's threads die with the process).
use std::{path::PathBuf, process::ExitCode, time::Duration};

use crossbeam_channel::unbounded;
use surfpool_core::{
    runloops::start_local_surfnet_runloop,
    surfnet::{locker::SurfnetSvmLocker, svm::SurfnetSvm},
};
use surfpool_types::{BlockProductionMode, RpcConfig, SimnetConfig, SimnetEvent, SurfpoolConfig};

struct Args {
    rpc_port: u16,
    ws_port: u16,
    ledger: Option<PathBuf>,
    slot_ms: u64,
}

fn usage() -> String {
    "usage: zkpin-validator --rpc-port N --ws-port N [--ledger DIR] [--slot-ms MS]".to_string()
}

fn parse_args() -> Result<Args, String> {
    let mut rpc_port = None;
    let mut ws_port = None;
    let mut ledger = None;
    let mut slot_ms = 400;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{}", usage()));
        match flag.as_str() {
            "--rpc-port" => {
                rpc_port = Some(value()?.parse().map_err(|e| format!("--rpc-port: {e}"))?)
            }
            "--ws-port" => ws_port = Some(value()?.parse().map_err(|e| format!("--ws-port: {e}"))?),
            "--ledger" => ledger = Some(PathBuf::from(value()?)),
            "--slot-ms" => slot_ms = value()?.parse().map_err(|e| format!("--slot-ms: {e}"))?,
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    Ok(Args {
        rpc_port: rpc_port.ok_or_else(usage)?,
        ws_port: ws_port.ok_or_else(usage)?,
        ledger,
        slot_ms,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let db = match &args.ledger {
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("zkpin-validator: cannot create ledger {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
            dir.join("surfnet.sqlite").to_string_lossy().into_owned()
        }
        None => ":memory:".to_string(),
    };
    let svm_config = surfpool_core::surfnet::svm::SurfnetSvmConfig {
        surfnet_id: "zkpin".to_string(),
        slot_time: args.slot_ms,
        ..Default::default()
    };
    let (svm, events, geyser) = match SurfnetSvm::new_with_db(Some(&db), svm_config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zkpin-validator: cannot start the SVM: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    let config = SurfpoolConfig {
        simnets: vec![SimnetConfig {
            offline_mode: true,
            remote_rpc_url: None,
            slot_time: args.slot_ms,
            block_production_mode: BlockProductionMode::Clock,
            surfnet_id: "zkpin".to_string(),
            ..SimnetConfig::default()
        }],
        rpc: RpcConfig {
            bind_host: "127.0.0.1".to_string(),
            bind_port: args.rpc_port,
            ws_port: args.ws_port,
            ..RpcConfig::default()
        },
        ..SurfpoolConfig::default()
    };
    let (commands_tx, commands_rx) = unbounded();
    let locker = SurfnetSvmLocker::new(svm);
    let runloop = std::thread::Builder::new().name("surfnet".into()).spawn(move || {
        let future = start_local_surfnet_runloop(locker, config, commands_tx, commands_rx, geyser);
        if let Err(e) = hiro_system_kit::nestable_block_on(future) {
            eprintln!("zkpin-validator: surfnet stopped: {e:?}");
            std::process::exit(1);
        }
    });
    if let Err(e) = runloop {
        eprintln!("zkpin-validator: cannot start the runloop: {e}");
        return ExitCode::FAILURE;
    }
    let mut announced = false;
    loop {
        match events.recv_timeout(Duration::from_secs(60)) {
            Ok(SimnetEvent::Ready(_)) | Ok(SimnetEvent::Connected(_)) if !announced => {
                announced = true;
                println!(
                    "ready http://127.0.0.1:{} ws://127.0.0.1:{}",
                    args.rpc_port, args.ws_port
                );
            }
            Ok(SimnetEvent::Aborted(reason)) => {
                eprintln!("zkpin-validator: aborted: {reason}");
                return ExitCode::FAILURE;
            }
            Ok(SimnetEvent::Shutdown) => return ExitCode::SUCCESS,
            Ok(SimnetEvent::ErrorLog(_, msg)) => eprintln!("zkpin-validator: {msg}"),
            Ok(_) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
        }
    }
}
