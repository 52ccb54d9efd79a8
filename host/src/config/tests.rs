use super::*;

const KEY_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn base() -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:9000"
data_dir = "data"

[catalogues]
admin_units = "units.json"

[[standards]]
id = "edxml"
version = "2016"
kind = "xsd"
schema = "edxml.xsd"

[[adapters]]
agency = "000.00.00.A80"
component = "a.wasm"

[[services]]
id = "documents.send"
standard = "edxml@2016"
provider = {{ upstream = "http://127.0.0.1:9100/edxml" }}

[[clients]]
agency = "000.00.00.A80"
api_key_sha256 = "{KEY_A}"
services = ["documents.send"]
"#
    )
}

fn parse(text: &str) -> Result<Config> {
    Config::parse(text, Path::new("/etc/lgsp"))
}

fn invalid_key(text: &str) -> String {
    match parse(text) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("expected an invalid key, got {other:?}"),
    }
}

#[test]
fn a_complete_file_is_accepted_and_paths_are_resolved() {
    let c = parse(&base()).expect("valid");
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.data_dir, Path::new("/etc/lgsp/data"));
    assert_eq!(
        c.standards["edxml@2016"].schema,
        Path::new("/etc/lgsp/edxml.xsd")
    );
    let s = &c.services["documents.send"];
    assert_eq!(s.reply_standard, "edxml@2016");
    assert_eq!(s.timeout, DEFAULT_PROVIDER_TIMEOUT);
    assert_eq!(c.clients[0].form, ClientForm::Local);
    assert!(c.clients[0].services.contains("documents.send"));
}

#[test]
fn an_unknown_key_is_named_by_the_parser() {
    let text = base().replace("[server]", "[server]\nlisten_port = 1");
    match parse(&text) {
        Err(ConfigError::Parse { message, .. }) => {
            assert!(message.contains("listen_port"), "{message}")
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn an_unknown_standard_names_the_service_key() {
    let text = base().replace(r#"standard = "edxml@2016""#, r#"standard = "edxml@2015""#);
    assert_eq!(invalid_key(&text), "services[0].standard");
}

#[test]
fn a_client_of_an_unknown_service_is_refused() {
    let text = base().replace(
        r#"services = ["documents.send"]"#,
        r#"services = ["documents.sned"]"#,
    );
    assert_eq!(invalid_key(&text), "clients[0].services[0]");
}

#[test]
fn a_local_client_needs_an_adapter_unless_it_speaks_the_national_form() {
    let extra = format!(
        "\n[[clients]]\nagency = \"national\"\napi_key_sha256 = \"{KEY_B}\"\nservices = []\n"
    );
    assert_eq!(invalid_key(&(base() + &extra)), "clients[1].agency");
    let national = extra.replace("services = []", "form = \"national\"\nservices = []");
    assert!(parse(&(base() + &national)).is_ok());
}

#[test]
fn keys_must_be_sha256_hex_and_distinct() {
    assert_eq!(
        invalid_key(&base().replace(KEY_A, "secret")),
        "clients[0].api_key_sha256"
    );
    let op = format!(
        "\n[[operators]]\nname = \"ops\"\ntoken_sha256 = \"{KEY_A}\"\nrole = \"operator\"\n"
    );
    assert_eq!(invalid_key(&(base() + &op)), "operators[0].token_sha256");
    // One token, two entries: whichever came last would have decided the role.
    let twice = |role: &str| {
        format!(
            "\n[[operators]]\nname = \"{role}\"\ntoken_sha256 = \"{KEY_B}\"\nrole = \"{role}\"\n"
        )
    };
    let text = base() + &twice("auditor") + &twice("operator");
    assert_eq!(invalid_key(&text), "operators[1].token_sha256");
    let other_token = twice("auditor").replace(KEY_B, &"3".repeat(64));
    let same_name = base() + &twice("auditor") + &other_token;
    assert_eq!(invalid_key(&same_name), "operators[1].name");
}

#[test]
fn timeouts_and_memory_have_sensible_bounds() {
    let service = |extra: &str| {
        base().replace(
            r#"provider = { upstream = "http://127.0.0.1:9100/edxml" }"#,
            &format!("provider = {{ upstream = \"http://127.0.0.1:9100/edxml\" }}\n{extra}"),
        )
    };
    assert_eq!(
        invalid_key(&service("timeout_ms = 18446744073709551615")),
        "services[0].timeout_ms"
    );
    assert_eq!(
        invalid_key(&service("timeout_ms = 0")),
        "services[0].timeout_ms"
    );
    assert!(parse(&service("timeout_ms = 3600000")).is_ok());
    let memory = base().replace(
        r#"component = "a.wasm""#,
        "component = \"a.wasm\"\nmax_memory_bytes = 1",
    );
    assert_eq!(invalid_key(&memory), "adapters[0].max_memory_bytes");
}

#[test]
fn an_agency_provider_needs_an_adapter_and_an_endpoint() {
    let agency = base().replace(
        r#"provider = { upstream = "http://127.0.0.1:9100/edxml" }"#,
        r#"provider = { agency = "000.00.00.H41", endpoint = "http://127.0.0.1:9200/dms" }"#,
    );
    assert_eq!(invalid_key(&agency), "services[0].provider.agency");
    let no_endpoint = base().replace(
        r#"provider = { upstream = "http://127.0.0.1:9100/edxml" }"#,
        r#"provider = { agency = "000.00.00.A80" }"#,
    );
    assert_eq!(invalid_key(&no_endpoint), "services[0].provider.endpoint");
    let both = base().replace(
        r#"provider = { upstream = "http://127.0.0.1:9100/edxml" }"#,
        r#"provider = { upstream = "http://x/", agency = "000.00.00.A80", endpoint = "http://y/" }"#,
    );
    assert_eq!(invalid_key(&both), "services[0].provider");
}

#[test]
fn bad_urls_addresses_and_names_are_refused() {
    assert_eq!(
        invalid_key(&base().replace("http://127.0.0.1:9100/edxml", "ftp://x/")),
        "services[0].provider.upstream"
    );
    assert_eq!(
        invalid_key(&base().replace("127.0.0.1:9000", "localhost")),
        "server.listen"
    );
    assert_eq!(
        invalid_key(&base().replace(r#"id = "documents.send""#, r#"id = "docs/send""#)),
        "services[0].id"
    );
    for name in [".", "..", ".hidden"] {
        assert_eq!(
            invalid_key(&base().replace(r#"id = "documents.send""#, &format!("id = {name:?}"))),
            "services[0].id",
            "{name}"
        );
    }
    // Credentials in a provider URL would be shown wherever the URL is.
    assert_eq!(
        invalid_key(&base().replace("http://127.0.0.1:9100/edxml", "http://u:pw@127.0.0.1/x")),
        "services[0].provider.upstream"
    );
}
