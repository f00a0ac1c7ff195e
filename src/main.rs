//! Entry point: gateway mode when BuildKit started us, command-line mode otherwise.

fn main() -> std::process::ExitCode {
    gofront::cli::main()
}
