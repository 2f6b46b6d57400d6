use std::process::ExitCode;

fn main() -> ExitCode {
    vassalrun::cli::main()
}
