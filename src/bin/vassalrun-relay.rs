//! The small long-lived images: the relay of a container's monitor
//! (`vassalrun monitor` execs it once the container exists, see
//! `runtime::lifecycle::relay_process`), the Emperor wrapper's relay
//! (`emperor::relay`) and the PID-namespace holder (`runtime::pid_holder`).

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = match args.get(1).and_then(|a| a.to_str()) {
        Some("pid1") => vassalrun::runtime::pid_holder::hold_image_main(&args),
        Some("vassal") => vassalrun::emperor::relay::relay_image_main(&args),
        _ => vassalrun::runtime::lifecycle::relay_process::relay_main(&args),
    };
    std::process::exit(code);
}
