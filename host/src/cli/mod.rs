//! The `lgsp` command line: its arguments and which module runs each command.
//!
//! This module owns the shape of the command line (clap derive, with doc comments as help)
//! and the dispatch. Each command's work lives in its own module: [`hub`] runs and checks a
//! hub, [`keys`] makes keys and signatures, [`admin`] talks to a running hub's admin API
//! through [`client`], [`fixtures`] runs a component on fixture files with the hub's own
//! runtime, [`scaffold`] creates adapter projects and [`build`] builds them. Nothing here
//! touches the hub's state directly.

pub mod admin;
pub mod build;
pub mod cases;
pub mod client;
pub mod compare;
pub mod fixtures;
pub mod hub;
pub mod keys;
pub mod scaffold;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Where a hub's admin API is when `--hub` and `LGSP_HUB` say nothing.
pub const DEFAULT_HUB: &str = "http://127.0.0.1:8080";

/// LGSP, the Local Government Service Platform hub.
#[derive(Debug, Parser)]
#[command(name = "lgsp", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the hub.
    Serve {
        /// The configuration file.
        #[arg(long, env = "LGSP_CONFIG")]
        config: PathBuf,
    },
    /// Checks a configuration file and prints what it declares, without starting anything.
    CheckConfig {
        /// The configuration file.
        #[arg(long, env = "LGSP_CONFIG")]
        config: PathBuf,
    },
    /// Makes a new random API key or operator token and prints it with its SHA-256 for the
    /// configuration file. The key is shown once; only the hash belongs in the config.
    NewKey,
    /// Prints the SHA-256 of a key read from standard input, for the configuration file.
    HashKey,
    /// Makes a publisher key pair for signing adapters: `<prefix>.key` (secret, mode 0600)
    /// and `<prefix>.pub` (the public key an operator trusts), and prints the public key.
    Keygen {
        /// Path and name of the two files, without extension (`keys/ba-dinh`).
        #[arg(long)]
        out: PathBuf,
    },
    /// Signs a component with a publisher's secret key; writes `<component>.sig` and prints
    /// the signature.
    Sign {
        /// The publisher's secret key file (`<name>.key`).
        #[arg(long)]
        key: PathBuf,
        /// The component to sign.
        component: PathBuf,
    },
    /// Creates, builds, tests and manages adapters.
    #[command(subcommand)]
    Adapter(AdapterCommand),
}

/// `lgsp adapter ...`.
#[derive(Debug, Subcommand)]
pub enum AdapterCommand {
    /// Creates an adapter project from a template: a tiny JSON mapping with its standard,
    /// fixtures and a README.
    New {
        /// The adapter's name: lowercase letters, digits and dashes, starting with a letter.
        name: String,
        /// The language to write it in.
        #[arg(long, value_enum)]
        lang: Lang,
        /// The folder to create the project in; the project is `<dir>/<name>`.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Builds an adapter project (Rust, JavaScript, Python or C, detected from its files)
    /// into a component that imports only the contract.
    Build {
        /// The project's folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the component.
        #[arg(long, default_value = "target/adapters")]
        out: PathBuf,
        /// The cargo target directory for a Rust adapter's Wasm build.
        #[arg(long, env = "LGSP_ADAPTER_TARGET_DIR", default_value = "target/wasm")]
        target_dir: PathBuf,
    },
    /// Runs a component on fixture files with the hub's own runtime, validates every
    /// national form against the standard, and prints one line per case. No hub needed.
    Test(fixtures::TestArgs),
    /// Uploads a component to a hub for an agency.
    Push {
        /// The component file.
        component: PathBuf,
        /// The agency the adapter serves.
        #[arg(long)]
        agency: String,
        /// Activates the version at once.
        #[arg(long)]
        activate: bool,
        /// The signature file; defaults to `<component>.sig` when that file exists.
        #[arg(long)]
        signature: Option<PathBuf>,
        /// Which hub.
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Lists every agency's active adapter, or one agency's versions.
    List {
        /// Lists the versions of this agency only.
        #[arg(long)]
        agency: Option<String>,
        /// Prints the hub's JSON document instead of a table.
        #[arg(long)]
        json: bool,
        /// Which hub.
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Makes one of an agency's uploaded versions the active one.
    Activate {
        /// The agency.
        #[arg(long)]
        agency: String,
        /// The version number, as `lgsp adapter list --agency` shows it.
        version: u64,
        /// Which hub.
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Puts an agency's previously active version back in service.
    Rollback {
        /// The agency.
        #[arg(long)]
        agency: String,
        /// Which hub.
        #[command(flatten)]
        hub: HubArgs,
    },
}

/// Which hub to talk to. The operator token is read from `LGSP_ADMIN_TOKEN` only, so that it
/// never shows in a process list or a shell history.
#[derive(Debug, Clone, Args)]
pub struct HubArgs {
    /// The hub's base URL.
    #[arg(long, env = "LGSP_HUB", default_value = DEFAULT_HUB)]
    pub hub: String,
}

/// Languages `lgsp adapter new` can write an adapter in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Rust, with the `lgsp-guest` SDK.
    Rust,
    /// JavaScript.
    Js,
    /// Python.
    Python,
    /// C.
    C,
}

impl Lang {
    /// The template folder's name under `guest-sdk/templates/`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Js => "js",
            Lang::Python => "python",
            Lang::C => "c",
        }
    }
}

/// The LGSP source checkout this binary can use for the catalogue and the Rust guest SDK:
/// `LGSP_CHECKOUT` when set, otherwise the checkout it was built from, if it is still there.
pub fn checkout() -> Option<PathBuf> {
    let from_env = std::env::var_os("LGSP_CHECKOUT").map(PathBuf::from);
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned);
    from_env
        .into_iter()
        .chain(built_from)
        .find(|dir| dir.join("guest-sdk/Cargo.toml").is_file())
}

/// The error as `main` prints it: the message and each cause after it, but not a cause whose
/// text the report already holds (many errors both name their source in their message and
/// return it as their source, which `{:#}` would print twice).
pub fn error_report(err: &anyhow::Error) -> String {
    let mut report = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if report.contains(&text) {
            continue;
        }
        if !report.is_empty() {
            report.push_str(": ");
        }
        report.push_str(&text);
    }
    report
}

/// Runs one command. `Ok` carries the exit code of a command that ran to its end (a fixture
/// run with failures ends in failure without being an error); `Err` is printed by `main`.
pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { config } => hub::serve(config).await,
        Command::CheckConfig { config } => hub::check_config(config).await,
        Command::NewKey => keys::new_key(),
        Command::HashKey => keys::hash_key(),
        Command::Keygen { out } => keys::keygen(&out),
        Command::Sign { key, component } => keys::sign(&key, &component),
        Command::Adapter(command) => run_adapter(command).await,
    }
}

async fn run_adapter(command: AdapterCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdapterCommand::New { name, lang, dir } => scaffold::run(&name, lang, &dir),
        AdapterCommand::Build {
            dir,
            out,
            target_dir,
        } => build::run(&dir, &target_dir, &out),
        AdapterCommand::Test(args) => fixtures::run(args).await,
        AdapterCommand::Push {
            component,
            agency,
            activate,
            signature,
            hub,
        } => admin::push(&hub, &component, &agency, activate, signature.as_deref()).await,
        AdapterCommand::List { agency, json, hub } => {
            admin::list(&hub, agency.as_deref(), json).await
        }
        AdapterCommand::Activate {
            agency,
            version,
            hub,
        } => admin::activate(&hub, &agency, version).await,
        AdapterCommand::Rollback { agency, hub } => admin::rollback(&hub, &agency).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn push_takes_its_flags_and_the_hub_from_the_default() {
        let cli = Cli::try_parse_from([
            "lgsp",
            "adapter",
            "push",
            "a.wasm",
            "--agency",
            "commune-00004",
            "--activate",
        ])
        .expect("parses");
        let Command::Adapter(AdapterCommand::Push {
            component,
            agency,
            activate,
            signature,
            hub,
        }) = cli.command
        else {
            panic!("push");
        };
        assert_eq!(component, PathBuf::from("a.wasm"));
        assert_eq!(agency, "commune-00004");
        assert!(activate);
        assert_eq!(signature, None);
        // LGSP_HUB may be set in the environment of whoever runs the tests.
        if std::env::var_os("LGSP_HUB").is_none() {
            assert_eq!(hub.hub, DEFAULT_HUB);
        }
    }

    #[test]
    fn the_error_report_says_each_cause_once() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let os = io().to_string();
        let err = anyhow::Error::new(crate::signing::SigningError::Io {
            path: PathBuf::from("a.sig"),
            source: io(),
        });
        assert_eq!(
            format!("{err:#}"),
            format!("failed to access \"a.sig\": {os}: {os}"),
            "the error both names and returns its source"
        );
        assert_eq!(
            error_report(&err),
            format!("failed to access \"a.sig\": {os}")
        );

        let err = anyhow::Error::new(io()).context("failed to read the component \"c.wasm\"");
        assert_eq!(
            error_report(&err),
            format!("failed to read the component \"c.wasm\": {os}"),
            "a cause not yet said is kept"
        );
    }

    #[test]
    fn new_refuses_an_unknown_language() {
        let err = Cli::try_parse_from(["lgsp", "adapter", "new", "x", "--lang", "cobol"])
            .expect_err("cobol is not offered");
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
    }
}
