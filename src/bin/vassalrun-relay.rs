//! The relay image of a container's monitor: `vassalrun monitor` execs it
//! once the container exists (see `runtime::lifecycle::relay_process`).

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    std::process::exit(vassalrun::runtime::lifecycle::relay_process::relay_main(
        &args,
    ));
}
