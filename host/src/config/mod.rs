//! The hub's configuration file: parsing and validation.
//!
//! This module owns the TOML format and turns it into validated types before anything starts,
//! so that a mistake is reported once, at start, with the key that holds it
//! (`services[2].standard: unknown standard "edxml@2015"`). Nothing here opens sockets or
//! loads components; paths are resolved against the config file's folder but not read.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Default address of the HTTP API.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default cap on a request body, checked at the edge before any adapter runs.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// One WebAssembly page: no adapter runs in less memory.
pub const WASM_PAGE_BYTES: usize = 64 * 1024;
/// Default wall-clock limit on one provider call.
pub const DEFAULT_PROVIDER_TIMEOUT: Duration = Duration::from_secs(30);
/// Default CPU deadline of one adapter call.
pub const DEFAULT_ADAPTER_DEADLINE: Duration = Duration::from_secs(2);
/// Default cap on an adapter's linear memory.
pub const DEFAULT_ADAPTER_MEMORY_BYTES: usize = 256 * 1024 * 1024;
/// Default cap on the body an adapter returns.
pub const DEFAULT_ADAPTER_OUTPUT_BYTES: usize = 32 * 1024 * 1024;
/// Default number of messages one adapter may translate at once.
pub const DEFAULT_ADAPTER_MAX_IN_FLIGHT: usize = 32;
/// Default cap on the size of a request's header section (names and values).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;
/// Default wall-clock limit on a whole exchange, all steps included.
pub const DEFAULT_EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a configuration was refused. Each variant names the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read config file {path:?}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape.
    #[error("failed to parse config file {path:?}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, which names the key and shows the line.
        message: String,
    },
    /// A value is well formed but wrong.
    #[error("invalid config: `{key}`: {message}")]
    Invalid {
        /// The dotted key, such as `services[1].provider.agency`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Result alias for this module.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

// ---- The file as written -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    server: RawServer,
    catalogues: RawCatalogues,
    #[serde(default)]
    standards: Vec<RawStandard>,
    #[serde(default)]
    adapters: Vec<RawAdapter>,
    #[serde(default)]
    services: Vec<RawService>,
    #[serde(default)]
    clients: Vec<RawClient>,
    #[serde(default)]
    operators: Vec<RawOperator>,
    #[serde(default)]
    registry: RawRegistry,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    #[serde(default)]
    require_signatures: bool,
    #[serde(default)]
    publishers: Vec<RawPublisher>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublisher {
    name: String,
    public_key: String,
    #[serde(default)]
    agencies: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    max_header_bytes: Option<usize>,
    exchange_timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogues {
    admin_units: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandard {
    id: String,
    version: String,
    kind: StandardKind,
    schema: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdapter {
    agency: String,
    component: Option<PathBuf>,
    deadline_ms: Option<u64>,
    max_memory_bytes: Option<usize>,
    max_output_bytes: Option<usize>,
    max_in_flight: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: String,
    standard: String,
    reply_standard: Option<String>,
    provider: RawProvider,
    timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    upstream: Option<String>,
    agency: Option<String>,
    endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    agency: String,
    api_key_sha256: String,
    #[serde(default)]
    form: ClientForm,
    services: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    name: String,
    token_sha256: String,
    role: Role,
}

// ---- The validated configuration -----------------------------------------------------------

/// The schema language of a standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StandardKind {
    /// JSON Schema (draft 2020-12 unless the schema says otherwise).
    JsonSchema,
    /// W3C XML Schema 1.0.
    Xsd,
}

/// In which form a client sends and receives messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientForm {
    /// The agency's own format, translated by its adapter.
    #[default]
    Local,
    /// Already the national standard (the national exchange itself): no adapter runs.
    National,
}

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// May read and change.
    Operator,
    /// May only read.
    Auditor,
}

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address of the HTTP API.
    pub listen: SocketAddr,
    /// The hub's own data directory (message log and, later, the adapter registry).
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest header section accepted on an exchange, in bytes.
    pub max_header_bytes: usize,
    /// Wall-clock limit on a whole exchange.
    pub exchange_timeout: Duration,
    /// The administrative units file.
    pub admin_units: PathBuf,
    /// Standards by `id@version`.
    pub standards: BTreeMap<String, StandardConfig>,
    /// Adapters by agency.
    pub adapters: BTreeMap<String, AdapterConfig>,
    /// Services by id.
    pub services: BTreeMap<String, ServiceConfig>,
    /// Clients, in file order.
    pub clients: Vec<ClientConfig>,
    /// Operators, in file order.
    pub operators: Vec<OperatorConfig>,
    /// Who may publish adapters, and whether they must.
    pub registry: RegistryConfig,
}

/// The adapter registry's signature policy.
#[derive(Debug, Clone, Default)]
pub struct RegistryConfig {
    /// Refuse every adapter without a valid signature from a trusted publisher, on upload and
    /// again when it is loaded at start.
    pub require_signatures: bool,
    /// The trusted publishers' keys.
    pub publishers: Vec<PublisherConfig>,
}

/// A publisher whose Ed25519 key the hub trusts to sign adapters.
#[derive(Debug, Clone)]
pub struct PublisherConfig {
    /// A name for the audit log and the registry.
    pub name: String,
    /// The public key, written as the standard base64 of its 32 bytes (the content of
    /// `lgsp keygen`'s `.pub`).
    pub public_key: crate::signing::PublicKey,
    /// The agencies whose adapters it may sign; every agency when empty.
    pub agencies: BTreeSet<String>,
}

impl PublisherConfig {
    /// Whether this publisher may sign `agency`'s adapters.
    pub fn covers(&self, agency: &str) -> bool {
        self.agencies.is_empty() || self.agencies.contains(agency)
    }
}

/// A standard: a versioned schema.
#[derive(Debug, Clone)]
pub struct StandardConfig {
    /// The standard's id, such as `edxml`.
    pub id: String,
    /// Its version, such as `2016`.
    pub version: String,
    /// Schema language.
    pub kind: StandardKind,
    /// The schema file.
    pub schema: PathBuf,
}

impl StandardConfig {
    /// `id@version`, the name services and adapters use.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

/// An agency's adapter.
#[derive(Debug, Clone)]
pub struct AdapterConfig {
    /// The agency it serves.
    pub agency: String,
    /// The component file, imported into the adapter registry at start; `None` when the
    /// agency's adapters are only uploaded through the admin API.
    pub component: Option<PathBuf>,
    /// CPU deadline per call.
    pub deadline: Duration,
    /// Cap on the adapter's linear memory.
    pub max_memory_bytes: usize,
    /// Cap on the body the adapter returns.
    pub max_output_bytes: usize,
    /// Messages the adapter may translate at once; more are refused with 503.
    pub max_in_flight: usize,
}

/// Who provides a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// An upstream that speaks the national standard, such as the national exchange.
    Upstream {
        /// Where to POST the national form.
        url: String,
    },
    /// Another agency, reached through its adapter and its own endpoint.
    Agency {
        /// The providing agency; it must have an adapter.
        agency: String,
        /// Where to POST the agency's local form.
        endpoint: String,
    },
}

/// A service callers can call.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The service id, as it appears in URLs.
    pub id: String,
    /// The standard requests must satisfy (`id@version`).
    pub standard: String,
    /// The standard replies must satisfy (`id@version`); the request's when not given.
    pub reply_standard: String,
    /// Who answers.
    pub provider: Provider,
    /// Wall-clock limit on the provider call.
    pub timeout: Duration,
}

/// An agency system allowed to call the hub.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The agency id.
    pub agency: String,
    /// SHA-256 of its API key, lowercase hex; the key itself is never stored.
    pub api_key_sha256: String,
    /// Whether it speaks its local form or the national standard.
    pub form: ClientForm,
    /// The services it may call. Anything else is refused.
    pub services: BTreeSet<String>,
}

/// A person or tool that reads the message log (and, later, administers the hub).
#[derive(Debug, Clone)]
pub struct OperatorConfig {
    /// A name for logs and audit.
    pub name: String,
    /// SHA-256 of the bearer token, lowercase hex.
    pub token_sha256: String,
    /// What it may do.
    pub role: Role,
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, base).map_err(|err| match err {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates `text`; relative paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: PathBuf::new(),
            message: err.to_string(),
        })?;
        validate(raw, base)
    }
}

fn validate(raw: RawConfig, base: &Path) -> Result<Config> {
    let resolve = |p: &Path| {
        if p.is_absolute() {
            p.to_owned()
        } else {
            base.join(p)
        }
    };

    let listen = raw.server.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let listen: SocketAddr = listen.parse().map_err(|err| {
        invalid(
            "server.listen",
            format!("{listen:?} is not an address: {err}"),
        )
    })?;
    let data_dir = resolve(raw.server.data_dir.as_deref().unwrap_or(Path::new("data")));
    let max_body_bytes = raw.server.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
    if max_body_bytes == 0 {
        return Err(invalid(
            "server.max_body_bytes",
            "must be greater than zero",
        ));
    }
    let max_header_bytes = raw
        .server
        .max_header_bytes
        .unwrap_or(DEFAULT_MAX_HEADER_BYTES);
    if max_header_bytes == 0 {
        return Err(invalid(
            "server.max_header_bytes",
            "must be greater than zero",
        ));
    }
    let exchange_timeout = timeout(
        "server.exchange_timeout_ms",
        raw.server.exchange_timeout_ms,
        DEFAULT_EXCHANGE_TIMEOUT,
    )?;

    let mut standards = BTreeMap::new();
    for (i, s) in raw.standards.into_iter().enumerate() {
        check_name(&format!("standards[{i}].id"), &s.id)?;
        check_name(&format!("standards[{i}].version"), &s.version)?;
        let standard = StandardConfig {
            id: s.id,
            version: s.version,
            kind: s.kind,
            schema: resolve(&s.schema),
        };
        let key = standard.key();
        if standards.insert(key.clone(), standard).is_some() {
            return Err(invalid(
                format!("standards[{i}]"),
                format!("{key:?} is declared twice"),
            ));
        }
    }

    let mut adapters = BTreeMap::new();
    for (i, a) in raw.adapters.into_iter().enumerate() {
        check_name(&format!("adapters[{i}].agency"), &a.agency)?;
        let deadline = a
            .deadline_ms
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_ADAPTER_DEADLINE);
        if deadline.is_zero() {
            return Err(invalid(
                format!("adapters[{i}].deadline_ms"),
                "must be greater than zero",
            ));
        }
        let adapter = AdapterConfig {
            agency: a.agency.clone(),
            component: a.component.as_deref().map(resolve),
            deadline,
            max_memory_bytes: a.max_memory_bytes.unwrap_or(DEFAULT_ADAPTER_MEMORY_BYTES),
            max_output_bytes: a.max_output_bytes.unwrap_or(DEFAULT_ADAPTER_OUTPUT_BYTES),
            max_in_flight: a.max_in_flight.unwrap_or(DEFAULT_ADAPTER_MAX_IN_FLIGHT),
        };
        for (field, value, least) in [
            (
                "max_memory_bytes",
                adapter.max_memory_bytes,
                WASM_PAGE_BYTES,
            ),
            ("max_output_bytes", adapter.max_output_bytes, 1),
            ("max_in_flight", adapter.max_in_flight, 1),
        ] {
            if value < least {
                return Err(invalid(
                    format!("adapters[{i}].{field}"),
                    format!("must be at least {least}"),
                ));
            }
        }
        if adapters.insert(a.agency.clone(), adapter).is_some() {
            return Err(invalid(
                format!("adapters[{i}].agency"),
                format!("agency {:?} has two adapters", a.agency),
            ));
        }
    }

    let mut services = BTreeMap::new();
    for (i, s) in raw.services.into_iter().enumerate() {
        let key = |field: &str| format!("services[{i}].{field}");
        check_name(&key("id"), &s.id)?;
        if !standards.contains_key(&s.standard) {
            return Err(invalid(
                key("standard"),
                unknown_standard(&s.standard, &standards),
            ));
        }
        let reply_standard = s.reply_standard.unwrap_or_else(|| s.standard.clone());
        if !standards.contains_key(&reply_standard) {
            return Err(invalid(
                key("reply_standard"),
                unknown_standard(&reply_standard, &standards),
            ));
        }
        let provider = match (s.provider.upstream, s.provider.agency, s.provider.endpoint) {
            (Some(url), None, None) => {
                check_url(&key("provider.upstream"), &url)?;
                Provider::Upstream { url }
            }
            (None, Some(agency), Some(endpoint)) => {
                if !adapters.contains_key(&agency) {
                    return Err(invalid(
                        key("provider.agency"),
                        format!("agency {agency:?} has no adapter in `adapters`"),
                    ));
                }
                check_url(&key("provider.endpoint"), &endpoint)?;
                Provider::Agency { agency, endpoint }
            }
            (None, Some(_), None) => {
                return Err(invalid(
                    key("provider.endpoint"),
                    "an agency provider needs an endpoint",
                ));
            }
            _ => {
                return Err(invalid(
                    key("provider"),
                    "give either `upstream` or both `agency` and `endpoint`",
                ));
            }
        };
        let timeout = timeout(&key("timeout_ms"), s.timeout_ms, DEFAULT_PROVIDER_TIMEOUT)?;
        let service = ServiceConfig {
            id: s.id.clone(),
            standard: s.standard,
            reply_standard,
            provider,
            timeout,
        };
        if services.insert(s.id.clone(), service).is_some() {
            return Err(invalid(
                key("id"),
                format!("service {:?} is declared twice", s.id),
            ));
        }
    }

    let mut clients = Vec::new();
    let mut keys = BTreeSet::new();
    for (i, c) in raw.clients.into_iter().enumerate() {
        let key = |field: &str| format!("clients[{i}].{field}");
        check_name(&key("agency"), &c.agency)?;
        let hash = check_sha256(&key("api_key_sha256"), &c.api_key_sha256)?;
        if !keys.insert(hash.clone()) {
            return Err(invalid(
                key("api_key_sha256"),
                "this key is already given to another client",
            ));
        }
        if c.form == ClientForm::Local && !adapters.contains_key(&c.agency) {
            return Err(invalid(
                key("agency"),
                format!(
                    "agency {:?} has no adapter; declare one in `adapters` or set `form = \"national\"`",
                    c.agency
                ),
            ));
        }
        let mut granted = BTreeSet::new();
        for (j, service) in c.services.into_iter().enumerate() {
            if !services.contains_key(&service) {
                return Err(invalid(
                    format!("clients[{i}].services[{j}]"),
                    format!("unknown service {service:?}"),
                ));
            }
            granted.insert(service);
        }
        clients.push(ClientConfig {
            agency: c.agency,
            api_key_sha256: hash,
            form: c.form,
            services: granted,
        });
    }

    let mut operators = Vec::new();
    for (i, o) in raw.operators.into_iter().enumerate() {
        let hash = check_sha256(&format!("operators[{i}].token_sha256"), &o.token_sha256)?;
        if keys.contains(&hash) {
            return Err(invalid(
                format!("operators[{i}].token_sha256"),
                "an operator token must differ from every client key",
            ));
        }
        if operators
            .iter()
            .any(|known: &OperatorConfig| known.name == o.name)
        {
            return Err(invalid(
                format!("operators[{i}].name"),
                format!(
                    "operator {:?} is declared twice; the audit log names who did what by it",
                    o.name
                ),
            ));
        }
        if operators
            .iter()
            .any(|known: &OperatorConfig| known.token_sha256 == hash)
        {
            return Err(invalid(
                format!("operators[{i}].token_sha256"),
                "this token is already given to another operator entry",
            ));
        }
        operators.push(OperatorConfig {
            name: o.name,
            token_sha256: hash,
            role: o.role,
        });
    }

    let mut publishers = Vec::new();
    for (i, p) in raw.registry.publishers.into_iter().enumerate() {
        let key = |field: &str| format!("registry.publishers[{i}].{field}");
        check_name(&key("name"), &p.name)?;
        if publishers
            .iter()
            .any(|q: &PublisherConfig| q.name == p.name)
        {
            return Err(invalid(
                key("name"),
                format!("{:?} is declared twice", p.name),
            ));
        }
        let public_key = p
            .public_key
            .parse::<crate::signing::PublicKey>()
            .map_err(|err| invalid(key("public_key"), err.to_string()))?;
        let mut agencies = BTreeSet::new();
        for (j, agency) in p.agencies.into_iter().enumerate() {
            check_name(&format!("registry.publishers[{i}].agencies[{j}]"), &agency)?;
            agencies.insert(agency);
        }
        publishers.push(PublisherConfig {
            name: p.name,
            public_key,
            agencies,
        });
    }
    if raw.registry.require_signatures && publishers.is_empty() {
        return Err(invalid(
            "registry.require_signatures",
            "signatures are required but no `[[registry.publishers]]` key is trusted",
        ));
    }

    Ok(Config {
        listen,
        data_dir,
        max_body_bytes,
        max_header_bytes,
        exchange_timeout,
        admin_units: resolve(&raw.catalogues.admin_units),
        standards,
        adapters,
        services,
        clients,
        operators,
        registry: RegistryConfig {
            require_signatures: raw.registry.require_signatures,
            publishers,
        },
    })
}

fn unknown_standard(name: &str, standards: &BTreeMap<String, StandardConfig>) -> String {
    let known: Vec<&str> = standards.keys().map(String::as_str).collect();
    format!("unknown standard {name:?} (declared: {})", known.join(", "))
}

/// Ids travel in URLs, log fields and database rows: keep them to a plain alphabet.
pub(crate) fn check_name(key: &str, value: &str) -> Result<()> {
    // The first character rules out `.`, `..` and hidden names, wherever an id ends up.
    let ok = value.len() <= 128
        && value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!(
                "{value:?} must be 1 to 128 characters of letters, digits, '.', '-' or '_', \
                 starting with a letter or a digit"
            ),
        ))
    }
}

/// Longest timeout the hub accepts: an hour; a provider or an exchange slower than that is
/// a mistake in the number.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// A timeout of `millis` (or `default`), checked: more than zero, at most [`MAX_TIMEOUT`].
pub(crate) fn timeout(key: &str, millis: Option<u64>, default: Duration) -> Result<Duration> {
    let value = millis.map(Duration::from_millis).unwrap_or(default);
    if value.is_zero() || value > MAX_TIMEOUT {
        return Err(invalid(
            key,
            format!(
                "must be more than 0 and at most {} ms (an hour)",
                MAX_TIMEOUT.as_millis()
            ),
        ));
    }
    Ok(value)
}

pub(crate) fn check_url(key: &str, url: &str) -> Result<()> {
    match url::Url::parse(url) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(invalid(
            key,
            "a provider URL may not carry a user name or password: the URL is shown in \
             listings, the audit log and the message log",
        )),
        Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
            crate::provider::request_target(&u)
                .map(drop)
                .map_err(|err| invalid(key, err))
        }
        Ok(u) => Err(invalid(
            key,
            format!("scheme {:?} is not http or https", u.scheme()),
        )),
        Err(err) => Err(invalid(key, format!("{url:?} is not a URL: {err}"))),
    }
}

fn check_sha256(key: &str, value: &str) -> Result<String> {
    let lower = value.to_ascii_lowercase();
    if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(lower)
    } else {
        Err(invalid(
            key,
            "must be 64 hex digits (a SHA-256; see `lgsp hash-key`)",
        ))
    }
}

#[cfg(test)]
mod tests;
