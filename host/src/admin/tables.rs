//! The tables the exchange path reads (standards, services, clients), built from the
//! configuration file and the admin store together, and the rules for changing them at run
//! time.
//!
//! Entries declared in the configuration file belong to the file: the API lists them but
//! refuses to change them (409), so the file and the store never disagree about one name.
//! A change builds a whole new [`Tables`] value that the hub swaps in; exchanges in flight
//! keep the value they started with.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::store::ClientRow;
use super::{AdminError, AdminStore};
use crate::config::{
    ClientConfig, ClientForm, Config, DEFAULT_PROVIDER_TIMEOUT, Provider, ServiceConfig,
    StandardConfig, StandardKind, check_name, check_url,
};
use crate::standard::StandardError;
use crate::standard::{Standard, Standards};

/// The folder of standards' schemas added through the API, inside the data directory.
pub const STANDARDS_DIR: &str = "standards";

/// What the exchange path looks up, swapped whole on every change.
#[derive(Debug, Default, Clone)]
pub struct Tables {
    /// Compiled standards by `id@version`.
    pub standards: Standards,
    /// Services by id.
    pub services: HashMap<String, Arc<ServiceConfig>>,
    /// Clients by the SHA-256 of their API key.
    pub clients: HashMap<String, Arc<ClientConfig>>,
    /// The admin API's view of each standard: `(kind, sha256 of the schema)`.
    pub standard_files: HashMap<String, (StandardKind, String)>,
}

/// A service as the admin API takes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// The request standard, `id@version`.
    pub standard: String,
    /// The reply standard; the request's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_standard: Option<String>,
    /// Who answers.
    pub provider: ProviderSpec,
    /// Wall-clock limit on the provider call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// A provider as the admin API takes it: an upstream, or an agency with its endpoint.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// The national-standard upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The providing agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The agency's endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// A new client as the admin API takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// The agency; only for a new client.
    #[serde(default)]
    pub agency: Option<String>,
    /// `local` (default) or `national`.
    #[serde(default)]
    pub form: Option<ClientForm>,
    /// The services it may call.
    pub services: Vec<String>,
}

fn bad(e: crate::config::ConfigError) -> AdminError {
    AdminError::invalid("invalid-request", e.to_string())
}

/// A client's id for the API: the first 16 hex digits of its key's SHA-256, which reveal
/// nothing of the key.
pub fn client_id(key_sha256: &str) -> String {
    key_sha256.chars().take(16).collect()
}

fn form_name(form: ClientForm) -> &'static str {
    match form {
        ClientForm::Local => "local",
        ClientForm::National => "national",
    }
}

fn kind_name(kind: StandardKind) -> &'static str {
    match kind {
        StandardKind::JsonSchema => "json-schema",
        StandardKind::Xsd => "xsd",
    }
}

/// Parses a standard kind as the API writes it.
pub fn parse_kind(text: &str) -> Result<StandardKind, AdminError> {
    match text {
        "json-schema" => Ok(StandardKind::JsonSchema),
        "xsd" => Ok(StandardKind::Xsd),
        other => Err(AdminError::BadRequest(format!(
            "`kind` must be `json-schema` or `xsd`, not {other:?}"
        ))),
    }
}

/// The file of a schema added through the API, by its digest and kind.
pub fn schema_file(sha256: &str, kind: StandardKind) -> String {
    let ext = match kind {
        StandardKind::JsonSchema => "json",
        StandardKind::Xsd => "xsd",
    };
    format!("{sha256}.{ext}")
}

impl Tables {
    /// The tables of the configuration file plus what the admin store holds. An entry of the
    /// store that no longer fits (its standard was removed from the file, say) is skipped
    /// with an error in the log rather than stopping the hub.
    pub fn build(
        config: &Config,
        standards: Standards,
        store: &AdminStore,
        data_dir: &std::path::Path,
        has_adapter: &dyn Fn(&str) -> bool,
    ) -> Result<Tables, AdminError> {
        let mut tables = Tables {
            standards,
            ..Tables::default()
        };
        for (key, s) in &config.standards {
            let sha = std::fs::read(&s.schema)
                .map(|b| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&b)))
                .unwrap_or_default();
            tables.standard_files.insert(key.clone(), (s.kind, sha));
        }
        for (id, version, kind, sha) in store.standards()? {
            let loaded = parse_kind(&kind).and_then(|kind| {
                let path = data_dir.join(STANDARDS_DIR).join(schema_file(&sha, kind));
                tables.load_standard(&id, &version, kind, path, sha.clone())
            });
            if let Err(err) = loaded {
                tracing::error!(standard = %format!("{id}@{version}"), error = %err, "stored standard skipped");
            }
        }
        for s in config.services.values() {
            tables.services.insert(s.id.clone(), Arc::new(s.clone()));
        }
        for (id, spec) in store.services()? {
            let service = serde_json::from_str::<ServiceSpec>(&spec)
                .map_err(|e| AdminError::BadRequest(e.to_string()))
                .and_then(|spec| tables.service(&id, spec, has_adapter));
            match service {
                Ok(s) => {
                    tables.services.insert(id, Arc::new(s));
                }
                Err(err) => {
                    tracing::error!(service = %id, error = %err, "stored service skipped")
                }
            }
        }
        for c in &config.clients {
            tables
                .clients
                .insert(c.api_key_sha256.clone(), Arc::new(c.clone()));
        }
        for row in store.clients()? {
            let form = if row.form == "national" {
                ClientForm::National
            } else {
                ClientForm::Local
            };
            let services: BTreeSet<String> = row
                .services
                .iter()
                .filter(|s| tables.services.contains_key(*s))
                .cloned()
                .collect();
            tables.clients.insert(
                row.key_sha256.clone(),
                Arc::new(ClientConfig {
                    agency: row.agency,
                    api_key_sha256: row.key_sha256,
                    form,
                    services,
                }),
            );
        }
        Ok(tables)
    }

    /// Compiles a standard from `path` and puts it in these tables.
    pub fn load_standard(
        &mut self,
        id: &str,
        version: &str,
        kind: StandardKind,
        path: PathBuf,
        sha256: String,
    ) -> Result<(), AdminError> {
        check_name("id", id).map_err(bad)?;
        check_name("version", version).map_err(bad)?;
        let config = StandardConfig {
            id: id.to_owned(),
            version: version.to_owned(),
            kind,
            schema: path,
        };
        // The detail names the schema by its standard, not by the hub's own file path.
        let standard = Standard::load_uploaded(&config).map_err(|e| {
            let why = match e {
                StandardError::Compile { message, .. } => message,
                StandardError::Read { source, .. } => source.to_string(),
            };
            AdminError::invalid(
                "standard-invalid",
                format!("the schema of {id}@{version} is refused: {why}"),
            )
        })?;
        self.standards.insert(standard);
        self.standard_files.insert(config.key(), (kind, sha256));
        Ok(())
    }

    /// Checks a service against these tables and the agencies that have adapters.
    pub fn service(
        &self,
        id: &str,
        spec: ServiceSpec,
        has_adapter: &dyn Fn(&str) -> bool,
    ) -> Result<ServiceConfig, AdminError> {
        check_name("id", id).map_err(bad)?;
        let known = |key: &str| self.standards.get(key).is_some();
        if !known(&spec.standard) {
            return Err(AdminError::invalid(
                "invalid-request",
                format!("`standard`: unknown standard {:?}", spec.standard),
            ));
        }
        let reply_standard = spec.reply_standard.unwrap_or_else(|| spec.standard.clone());
        if !known(&reply_standard) {
            return Err(AdminError::invalid(
                "invalid-request",
                format!("`reply_standard`: unknown standard {reply_standard:?}"),
            ));
        }
        let p = spec.provider;
        let provider = match (p.upstream, p.agency, p.endpoint) {
            (Some(url), None, None) => {
                check_url("provider.upstream", &url).map_err(bad)?;
                Provider::Upstream { url }
            }
            (None, Some(agency), Some(endpoint)) => {
                if !has_adapter(&agency) {
                    return Err(AdminError::invalid(
                        "invalid-request",
                        format!("`provider.agency`: agency {agency:?} has no active adapter"),
                    ));
                }
                check_url("provider.endpoint", &endpoint).map_err(bad)?;
                Provider::Agency { agency, endpoint }
            }
            _ => {
                return Err(AdminError::invalid(
                    "invalid-request",
                    "`provider`: give either `upstream` or both `agency` and `endpoint`",
                ));
            }
        };
        let timeout =
            crate::config::timeout("timeout_ms", spec.timeout_ms, DEFAULT_PROVIDER_TIMEOUT)
                .map_err(|e| AdminError::invalid("invalid-request", e.to_string()))?;
        Ok(ServiceConfig {
            id: id.to_owned(),
            standard: spec.standard,
            reply_standard,
            provider,
            timeout,
        })
    }

    /// Checks a client's agency, form and services against these tables.
    pub fn client(
        &self,
        agency: &str,
        form: ClientForm,
        services: &[String],
        has_adapter: &dyn Fn(&str) -> bool,
    ) -> Result<BTreeSet<String>, AdminError> {
        check_name("agency", agency).map_err(bad)?;
        if form == ClientForm::Local && !has_adapter(agency) {
            return Err(AdminError::invalid(
                "invalid-request",
                format!(
                    "`agency`: agency {agency:?} has no active adapter; upload one first or \
                     use `\"form\": \"national\"`"
                ),
            ));
        }
        let mut granted = BTreeSet::new();
        for s in services {
            if !self.services.contains_key(s) {
                return Err(AdminError::invalid(
                    "invalid-request",
                    format!("`services`: unknown service {s:?}"),
                ));
            }
            granted.insert(s.clone());
        }
        Ok(granted)
    }

    /// A standard as the admin API lists it.
    pub fn standard_json(&self, key: &str, from_config: bool) -> Value {
        let (id, version) = key.split_once('@').unwrap_or((key, ""));
        let (kind, sha) = self
            .standard_files
            .get(key)
            .map(|(k, s)| (kind_name(*k), s.as_str()))
            .unwrap_or(("", ""));
        json!({
            "id": id, "version": version, "kind": kind, "sha256": sha,
            "source": if from_config { "config" } else { "api" },
        })
    }
}

/// A service as the admin API lists it.
pub fn service_json(s: &ServiceConfig, from_config: bool) -> Value {
    let provider = match &s.provider {
        Provider::Upstream { url } => json!({ "upstream": url }),
        Provider::Agency { agency, endpoint } => json!({ "agency": agency, "endpoint": endpoint }),
    };
    json!({
        "id": s.id,
        "standard": s.standard,
        "reply_standard": s.reply_standard,
        "provider": provider,
        "timeout_ms": s.timeout.as_millis() as u64,
        "source": if from_config { "config" } else { "api" },
    })
}

/// A client as the admin API lists it; never its key.
pub fn client_json(c: &ClientConfig, from_config: bool) -> Value {
    json!({
        "id": client_id(&c.api_key_sha256),
        "agency": c.agency,
        "form": form_name(c.form),
        "services": c.services,
        "source": if from_config { "config" } else { "api" },
    })
}

/// The stored form of a client.
pub fn client_row(c: &ClientConfig) -> ClientRow {
    ClientRow {
        id: client_id(&c.api_key_sha256),
        agency: c.agency.clone(),
        form: form_name(c.form).to_owned(),
        services: c.services.iter().cloned().collect(),
        key_sha256: c.api_key_sha256.clone(),
    }
}

/// Run-time changes to the tables: each checks, persists, then swaps a new whole value in.
impl crate::hub::Hub {
    fn has_adapter_fn(&self) -> impl Fn(&str) -> bool + '_ {
        |agency: &str| self.registry.active().load().contains_key(agency)
    }

    /// Adds or replaces a standard added through the API. Returns it and whether it is new.
    pub async fn put_standard(
        &self,
        id: &str,
        version: &str,
        kind: StandardKind,
        schema: &[u8],
    ) -> Result<(Value, Option<Value>), AdminError> {
        let _change = self.table_changes.lock().await;
        let key = format!("{id}@{version}");
        if self.config.standards.contains_key(&key) {
            return Err(AdminError::conflict(
                "declared-in-config",
                format!("standard {key:?} is declared in the configuration file; change it there"),
            ));
        }
        let mut tables = Tables::clone(&self.tables.load());
        let before = tables
            .standards
            .get(&key)
            .map(|_| tables.standard_json(&key, false));
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(schema));
        let name = schema_file(&sha, kind);
        let dir = self.data_dir.open_dir(STANDARDS_DIR)?;
        let created = !dir.exists(&name);
        if created {
            dir.write(format!("{name}.tmp"), schema)?;
            dir.rename(format!("{name}.tmp"), &dir, &name)?;
        }
        let path = self.config.data_dir.join(STANDARDS_DIR).join(&name);
        if let Err(err) = tables.load_standard(id, version, kind, path, sha.clone()) {
            // A refused schema leaves nothing behind; a file other standards share stays.
            if created {
                let _ = dir.remove_file(&name);
            }
            return Err(err);
        }
        self.admin_store
            .put_standard(id, version, kind_name(kind), &sha)?;
        let after = tables.standard_json(&key, false);
        self.tables.store(Arc::new(tables));
        Ok((after, before))
    }

    /// Removes a standard added through the API that no service uses.
    pub async fn delete_standard(&self, id: &str, version: &str) -> Result<Value, AdminError> {
        let _change = self.table_changes.lock().await;
        let key = format!("{id}@{version}");
        if self.config.standards.contains_key(&key) {
            return Err(AdminError::conflict(
                "declared-in-config",
                format!("standard {key:?} is declared in the configuration file; change it there"),
            ));
        }
        let mut tables = Tables::clone(&self.tables.load());
        if tables.standards.get(&key).is_none() {
            return Err(AdminError::NotFound(format!(
                "there is no standard {key:?}"
            )));
        }
        if let Some(s) = tables
            .services
            .values()
            .find(|s| s.standard == key || s.reply_standard == key)
        {
            return Err(AdminError::conflict(
                "in-use",
                format!(
                    "service {:?} uses standard {key:?}; change or remove it first",
                    s.id
                ),
            ));
        }
        let before = tables.standard_json(&key, false);
        tables.standards.remove(&key);
        tables.standard_files.remove(&key);
        self.admin_store.delete_standard(id, version)?;
        self.tables.store(Arc::new(tables));
        Ok(before)
    }

    /// Adds or changes a service. Returns it and what it replaced.
    pub async fn put_service(
        &self,
        id: &str,
        spec: ServiceSpec,
    ) -> Result<(Value, Option<Value>), AdminError> {
        let _change = self.table_changes.lock().await;
        if self.config.services.contains_key(id) {
            return Err(AdminError::conflict(
                "declared-in-config",
                format!("service {id:?} is declared in the configuration file; change it there"),
            ));
        }
        let mut tables = Tables::clone(&self.tables.load());
        let before = tables.services.get(id).map(|s| service_json(s, false));
        let text = serde_json::to_string(&spec).unwrap_or_default();
        let service = tables.service(id, spec, &self.has_adapter_fn())?;
        self.admin_store.put_service(id, &text)?;
        let after = service_json(&service, false);
        tables.services.insert(id.to_owned(), Arc::new(service));
        self.tables.store(Arc::new(tables));
        Ok((after, before))
    }

    /// Removes a service added through the API that no client may call.
    pub async fn delete_service(&self, id: &str) -> Result<Value, AdminError> {
        let _change = self.table_changes.lock().await;
        if self.config.services.contains_key(id) {
            return Err(AdminError::conflict(
                "declared-in-config",
                format!("service {id:?} is declared in the configuration file; change it there"),
            ));
        }
        let mut tables = Tables::clone(&self.tables.load());
        let Some(service) = tables.services.remove(id) else {
            return Err(AdminError::NotFound(format!("there is no service {id:?}")));
        };
        if let Some(c) = tables.clients.values().find(|c| c.services.contains(id)) {
            return Err(AdminError::conflict(
                "in-use",
                format!(
                    "client {} (agency {:?}) may call service {id:?}; change or remove it first",
                    client_id(&c.api_key_sha256),
                    c.agency
                ),
            ));
        }
        self.admin_store.delete_service(id)?;
        self.tables.store(Arc::new(tables));
        Ok(service_json(&service, false))
    }

    /// Adds a client with a new random key. Returns it with the key, shown this once.
    pub async fn create_client(&self, spec: ClientSpec) -> Result<Value, AdminError> {
        let _change = self.table_changes.lock().await;
        let agency = spec.agency.ok_or_else(|| {
            AdminError::invalid("invalid-request", "`agency` is required for a new client")
        })?;
        let form = spec.form.unwrap_or_default();
        let mut tables = Tables::clone(&self.tables.load());
        let services = tables.client(&agency, form, &spec.services, &self.has_adapter_fn())?;
        let key = crate::api::auth::new_key();
        let client = ClientConfig {
            agency,
            api_key_sha256: crate::api::auth::digest(&key),
            form,
            services,
        };
        self.admin_store.put_client(&client_row(&client))?;
        let mut shown = client_json(&client, false);
        tables
            .clients
            .insert(client.api_key_sha256.clone(), Arc::new(client));
        self.tables.store(Arc::new(tables));
        let after = shown.clone();
        shown["api_key"] = json!(key);
        Ok(json!({ "shown": shown, "after": after }))
    }

    fn find_client(&self, tables: &Tables, id: &str) -> Result<Arc<ClientConfig>, AdminError> {
        let client = tables
            .clients
            .values()
            .find(|c| client_id(&c.api_key_sha256) == id)
            .cloned()
            .ok_or_else(|| AdminError::NotFound(format!("there is no client {id:?}")))?;
        if self
            .config
            .clients
            .iter()
            .any(|c| c.api_key_sha256 == client.api_key_sha256)
        {
            return Err(AdminError::conflict(
                "declared-in-config",
                format!("client {id:?} is declared in the configuration file; change it there"),
            ));
        }
        Ok(client)
    }

    /// Changes a client's form or services. Returns it after and before.
    pub async fn update_client(
        &self,
        id: &str,
        spec: ClientSpec,
    ) -> Result<(Value, Value), AdminError> {
        let _change = self.table_changes.lock().await;
        let mut tables = Tables::clone(&self.tables.load());
        let old = self.find_client(&tables, id)?;
        if spec.agency.as_ref().is_some_and(|a| *a != old.agency) {
            return Err(AdminError::invalid(
                "invalid-request",
                "`agency` cannot change; remove this client and add another",
            ));
        }
        let form = spec.form.unwrap_or(old.form);
        let services = tables.client(&old.agency, form, &spec.services, &self.has_adapter_fn())?;
        let client = ClientConfig {
            agency: old.agency.clone(),
            api_key_sha256: old.api_key_sha256.clone(),
            form,
            services,
        };
        self.admin_store.put_client(&client_row(&client))?;
        let after = client_json(&client, false);
        tables
            .clients
            .insert(client.api_key_sha256.clone(), Arc::new(client));
        self.tables.store(Arc::new(tables));
        Ok((after, client_json(&old, false)))
    }

    /// Removes a client; its key stops working at once.
    pub async fn delete_client(&self, id: &str) -> Result<Value, AdminError> {
        let _change = self.table_changes.lock().await;
        let mut tables = Tables::clone(&self.tables.load());
        let old = self.find_client(&tables, id)?;
        tables.clients.remove(&old.api_key_sha256);
        self.admin_store.delete_client(id)?;
        self.tables.store(Arc::new(tables));
        Ok(client_json(&old, false))
    }
}
