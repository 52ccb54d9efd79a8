//! `lgsp adapter test`: runs a component on fixture files with the hub's own runtime (the
//! same deny-by-default linker and limits), without a hub.
//!
//! The fixture layout, shared with the sample adapters and the templates:
//!
//! | folder | call | leg | checked |
//! |---|---|---|---|
//! | `to-national/<case>.input.*` | `to-national` | request | output equals `<case>.expected.*`; output meets the standard |
//! | `to-local/<case>.input.*` | `to-local` | request | input meets the standard; output equals `<case>.expected.*` |
//! | `reply-to-national/`, `reply-to-local/` | the same | reply | the same, against the reply standard |
//! | `rejected/<case>.input.*` | `to-national` (or `to-local` for an input in the national form) | request | refused with exactly the `{path, code}` list of `<case>.expected-violations.json`, in order |
//!
//! This module owns discovering cases, running them and reporting; comparing bodies belongs
//! to [`super::compare`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::cases::{Case, Folder, content_type_for, discover, parse_expected_violations};
use super::compare::{Comparison, preview};
use crate::catalogue::{COMMUNES, Catalogues, PROVINCES};
use crate::config::{self, StandardConfig, StandardKind};
use crate::message::{Message, Violation, media_type};
use crate::runtime::{
    AdapterLimits, CallContext, CallError, Direction, LoadedAdapter, Phase, Runtime,
    RuntimeSettings,
};
use crate::standard::Standard;

/// The catalogue file looked for in a checkout when `--catalogue` is not given.
pub const ADMIN_UNITS: &str = "catalogues/admin-units-vn-2025.json";
/// Instances the test runtime may have alive at once: one case runs at a time.
const POOL_INSTANCES: u32 = 4;

/// `lgsp adapter test` arguments.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The component to run.
    pub component: PathBuf,
    /// The fixture folder, holding `to-national/`, `to-local/`, `reply-to-national/`,
    /// `reply-to-local/` and `rejected/`.
    #[arg(long)]
    pub fixtures: PathBuf,
    /// The schema of the national standard (a JSON Schema or an XSD file).
    #[arg(long)]
    pub standard: PathBuf,
    /// The schema language; by default `xsd` for a `.xsd` file, `json-schema` otherwise.
    #[arg(long, value_enum)]
    pub kind: Option<SchemaKind>,
    /// The standard's `id@version`, as the adapter sees it in its context; by default the
    /// one the adapter declares, or among several the one whose id starts the schema's file
    /// name.
    #[arg(long, value_name = "ID@VERSION")]
    pub standard_id: Option<String>,
    /// The schema of the reply leg's standard, for `reply-to-*` fixtures.
    #[arg(long)]
    pub reply_standard: Option<PathBuf>,
    /// The reply schema's language.
    #[arg(long, value_enum)]
    pub reply_kind: Option<SchemaKind>,
    /// The reply standard's `id@version`.
    #[arg(long, value_name = "ID@VERSION")]
    pub reply_standard_id: Option<String>,
    /// The administrative units file for `catalogue.lookup`; by default the one of the LGSP
    /// checkout when there is one, otherwise every look-up finds nothing.
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
    /// The agency the adapter is told it serves.
    #[arg(long, default_value = "local-test")]
    pub agency: String,
    /// The service the adapter is told it serves; by default the first it declares, or
    /// `adapter-test`.
    #[arg(long)]
    pub service: Option<String>,
}

/// A schema language, as the command line spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// JSON Schema.
    JsonSchema,
    /// W3C XML Schema.
    Xsd,
}

impl SchemaKind {
    fn for_file(path: &Path) -> Self {
        let xsd = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xsd"));
        if xsd {
            SchemaKind::Xsd
        } else {
            SchemaKind::JsonSchema
        }
    }

    fn config(self) -> StandardKind {
        match self {
            SchemaKind::JsonSchema => StandardKind::JsonSchema,
            SchemaKind::Xsd => StandardKind::Xsd,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SchemaKind::JsonSchema => "json-schema",
            SchemaKind::Xsd => "xsd",
        }
    }
}

/// A standard as the test uses it: compiled, with the key the adapter is told.
struct LoadedStandard {
    key: String,
    standard: Standard,
}

/// Everything a case runs against.
struct Bench {
    adapter: Arc<LoadedAdapter>,
    service: String,
    request: LoadedStandard,
    reply: Option<LoadedStandard>,
    /// Media types of the `to-national` inputs: the agency's local forms.
    local_types: BTreeSet<String>,
}

/// What one case came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// As expected; the text says what was checked.
    Pass(String),
    /// Not as expected; each line says one thing that was wrong.
    Fail(Vec<String>),
}

/// Runs the command: prints a header, one line per case and a summary.
pub async fn run(args: TestArgs) -> anyhow::Result<ExitCode> {
    let (catalogues, catalogue_note) = load_catalogues(args.catalogue.as_deref())?;
    let runtime = Runtime::new(
        RuntimeSettings {
            pool_instances: POOL_INSTANCES,
            ..RuntimeSettings::default()
        },
        Arc::new(catalogues),
    )?;
    if !args.component.exists() {
        anyhow::bail!("the component {:?} does not exist", args.component);
    }
    let bytes = std::fs::read(&args.component)
        .with_context(|| format!("failed to read the component {:?}", args.component))?;
    let started = Instant::now();
    let adapter = runtime
        .load(&args.agency, &bytes, limits())
        .await
        .with_context(|| format!("the hub would refuse {:?}", args.component))?;
    let d = adapter.description();
    println!(
        "adapter    {} {} ({} bytes, sha256 {}), loaded in {} ms",
        d.name,
        d.version,
        bytes.len(),
        &adapter.sha256()[..12],
        started.elapsed().as_millis()
    );

    let request = load_standard(
        &args.standard,
        args.kind,
        args.standard_id.as_deref(),
        &d.standards,
        "--standard-id",
    )?;
    print_standard("standard", &request, &args.standard);
    let reply = match &args.reply_standard {
        Some(path) => {
            let s = load_standard(
                path,
                args.reply_kind,
                args.reply_standard_id.as_deref(),
                &d.standards,
                "--reply-standard-id",
            )?;
            print_standard("reply", &s, path);
            Some(s)
        }
        None => None,
    };
    println!("catalogue  {catalogue_note}");
    let service = args
        .service
        .clone()
        .or_else(|| d.services.first().cloned())
        .unwrap_or_else(|| "adapter-test".to_owned());
    println!("service    {service}, agency {}", args.agency);
    println!();

    let (cases, unknown) = discover(&args.fixtures)?;
    for name in &unknown {
        println!("note: {name}/ is not a fixture folder this command knows; its files are not run");
    }
    if cases.is_empty() {
        anyhow::bail!(
            "no fixtures in {:?}: expected <folder>/<case>.input.<ext> in {}",
            args.fixtures,
            Folder::ALL.map(Folder::name).join(", ")
        );
    }
    let bench = Bench {
        adapter,
        service,
        request,
        reply,
        local_types: cases
            .iter()
            .filter(|c| c.folder == Folder::ToNational)
            .map(|c| media_type(content_type_for(&c.input)))
            .collect(),
    };

    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for folder in Folder::ALL {
        let in_folder: Vec<&Case> = cases.iter().filter(|c| c.folder == folder).collect();
        if in_folder.is_empty() {
            continue;
        }
        let is_reply = folder.phase() == Phase::Reply;
        if is_reply && bench.reply.is_none() {
            println!(
                "skip  {}/ ({}): pass --reply-standard to run them",
                folder.name(),
                plural(in_folder.len(), "case")
            );
            skipped += in_folder.len();
            continue;
        }
        for case in in_folder {
            let started = Instant::now();
            let outcome = run_case(&bench, case).await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let label = format!("{}/{}", folder.name(), case.name);
            match outcome {
                Outcome::Pass(what) => {
                    passed += 1;
                    println!("ok    {label} ({what}, {ms:.1} ms)");
                }
                Outcome::Fail(lines) => {
                    failed += 1;
                    println!("FAIL  {label} ({ms:.1} ms)");
                    for line in lines {
                        println!("      {line}");
                    }
                }
            }
        }
    }

    println!();
    if skipped > 0 {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The limits a hub applies to an adapter its configuration says nothing special about.
fn limits() -> AdapterLimits {
    AdapterLimits {
        deadline: config::DEFAULT_ADAPTER_DEADLINE,
        max_memory_bytes: config::DEFAULT_ADAPTER_MEMORY_BYTES,
        max_output_bytes: config::DEFAULT_ADAPTER_OUTPUT_BYTES,
        max_in_flight: 1,
    }
}

fn load_catalogues(explicit: Option<&Path>) -> anyhow::Result<(Catalogues, String)> {
    let path = match explicit {
        Some(path) => Some(path.to_owned()),
        None => super::checkout()
            .map(|c| c.join(ADMIN_UNITS))
            .filter(|p| p.exists()),
    };
    let Some(path) = path else {
        return Ok((
            Catalogues::default(),
            "none: every look-up finds nothing (pass --catalogue admin-units.json)".to_owned(),
        ));
    };
    let catalogues = Catalogues::load_admin_units(&path)?;
    let note = format!(
        "{} ({} provinces, {} communes)",
        path.display(),
        catalogues.len(PROVINCES),
        catalogues.len(COMMUNES)
    );
    Ok((catalogues, note))
}

fn load_standard(
    schema: &Path,
    kind: Option<SchemaKind>,
    explicit: Option<&str>,
    declared: &[String],
    flag: &str,
) -> anyhow::Result<LoadedStandard> {
    if !schema.exists() {
        anyhow::bail!(
            "the standard's schema {schema:?} (given by {}) does not exist",
            flag.trim_end_matches("-id")
        );
    }
    let key = standard_key(explicit, schema, declared, flag)?;
    let Some((id, version)) = key.rsplit_once('@') else {
        anyhow::bail!("{flag} {key:?} is not ID@VERSION");
    };
    let kind = kind.unwrap_or_else(|| SchemaKind::for_file(schema));
    let standard = Standard::load(&StandardConfig {
        id: id.to_owned(),
        version: version.to_owned(),
        kind: kind.config(),
        schema: schema.to_owned(),
    })?;
    Ok(LoadedStandard { key, standard })
}

/// Which of the adapter's standards a schema file is: the one named, the only one declared,
/// or the one whose id starts the file name (`citizen-record.schema.json`).
pub fn standard_key(
    explicit: Option<&str>,
    schema: &Path,
    declared: &[String],
    flag: &str,
) -> anyhow::Result<String> {
    if let Some(key) = explicit {
        return Ok(key.to_owned());
    }
    if let [only] = declared {
        return Ok(only.clone());
    }
    let file = schema
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let matching: Vec<&String> = declared
        .iter()
        .filter(|k| k.rsplit_once('@').is_some_and(|(id, _)| id == stem))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        _ if declared.is_empty() => anyhow::bail!(
            "the adapter declares no standard; name the one in {} with {flag} ID@VERSION",
            schema.display()
        ),
        _ => anyhow::bail!(
            "the adapter declares {}; say which one {} is with {flag} ID@VERSION",
            declared.join(", "),
            schema.display()
        ),
    }
}

fn print_standard(label: &str, s: &LoadedStandard, path: &Path) {
    let kind = if s.standard.media_type() == "application/xml" {
        SchemaKind::Xsd
    } else {
        SchemaKind::JsonSchema
    };
    println!(
        "{label:<10} {} ({}) from {}",
        s.key,
        kind.as_str(),
        path.display()
    );
}

async fn run_case(bench: &Bench, case: &Case) -> Outcome {
    let body = match std::fs::read(&case.input) {
        Ok(b) => b,
        Err(err) => return Outcome::Fail(vec![format!("failed to read the input: {err}")]),
    };
    let Some(expected_path) = &case.expected else {
        let wanted = if case.folder == Folder::Rejected {
            format!("{}.expected-violations.json", case.name)
        } else {
            format!("{}.expected.<ext>", case.name)
        };
        return Outcome::Fail(vec![format!("no {wanted} beside the input")]);
    };
    let expected = match std::fs::read(expected_path) {
        Ok(b) => b,
        Err(err) => {
            return Outcome::Fail(vec![format!(
                "failed to read {}: {err}",
                expected_path.display()
            )]);
        }
    };
    let standard = match case.folder.phase() {
        Phase::Request => &bench.request,
        Phase::Reply => bench.reply.as_ref().unwrap_or(&bench.request),
    };
    let input = Message {
        content_type: content_type_for(&case.input).to_owned(),
        metadata: Vec::new(),
        body: body.into(),
    };

    let direction = match case.folder {
        Folder::ToNational | Folder::ReplyToNational => Direction::ToNational,
        Folder::ToLocal | Folder::ReplyToLocal => Direction::ToLocal,
        Folder::Rejected => {
            let media = input.media_type();
            if media == standard.standard.media_type() && !bench.local_types.contains(&media) {
                Direction::ToLocal
            } else {
                Direction::ToNational
            }
        }
    };
    if case.folder != Folder::Rejected
        && direction == Direction::ToLocal
        && let Err(violations) = standard.standard.validate_blocking(&input)
    {
        let mut lines = vec![format!(
            "the input does not meet {} (the hub would refuse it before the adapter):",
            standard.key
        )];
        lines.extend(violation_lines(&violations));
        return Outcome::Fail(lines);
    }

    let exchange_id = uuid::Uuid::now_v7().to_string();
    let cx = CallContext {
        exchange_id: &exchange_id,
        service: &bench.service,
        standard: &standard.key,
        phase: case.folder.phase(),
    };
    let result = bench.adapter.call(direction, &cx, &input).await;

    if case.folder == Folder::Rejected {
        return check_rejection(direction, result, &expected, expected_path);
    }
    let output = match result {
        Ok(output) => output,
        Err(CallError::Rejected(violations)) => {
            let mut lines = vec![format!(
                "the adapter rejected the input with {}:",
                plural(violations.len(), "violation")
            )];
            lines.extend(violation_lines(&violations));
            return Outcome::Fail(lines);
        }
        Err(err) => return Outcome::Fail(vec![err.to_string()]),
    };

    let mut problems = Vec::new();
    let ext = expected_path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(diff) = Comparison::for_extension(&ext).differences(&output.body, &expected) {
        let file = expected_path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        problems.push(format!("the output differs from {file}:"));
        problems.extend(diff.into_iter().map(|d| format!("  {d}")));
    }
    if direction == Direction::ToNational
        && let Err(violations) = standard.standard.validate_blocking(&output)
    {
        problems.push(format!("the national form does not meet {}:", standard.key));
        problems.extend(violation_lines(&violations));
    }
    if problems.is_empty() {
        let what = match direction {
            Direction::ToNational => format!("as expected, meets {}", standard.key),
            Direction::ToLocal => "as expected".to_owned(),
        };
        Outcome::Pass(what)
    } else {
        Outcome::Fail(problems)
    }
}

fn check_rejection(
    direction: Direction,
    result: Result<Message, CallError>,
    expected: &[u8],
    expected_path: &Path,
) -> Outcome {
    let expected: Vec<(String, String)> = match parse_expected_violations(expected) {
        Ok(list) => list,
        Err(err) => {
            return Outcome::Fail(vec![format!(
                "{} is not a JSON array of {{\"path\", \"code\"}}: {err}",
                expected_path.display()
            )]);
        }
    };
    let got = match result {
        Err(CallError::Rejected(violations)) => violations,
        Ok(output) => {
            return Outcome::Fail(vec![format!(
                "{} accepted the input, expected a rejection; it gave {} ({} bytes)",
                direction.as_str(),
                output.content_type,
                output.body.len()
            )]);
        }
        Err(err) => {
            return Outcome::Fail(vec![format!(
                "expected a rejection from {}, got: {err}",
                direction.as_str()
            )]);
        }
    };
    let got_pairs: Vec<(String, String)> = got
        .iter()
        .map(|v| (v.path.clone(), v.code.clone()))
        .collect();
    if got_pairs == expected {
        return Outcome::Pass(format!(
            "{}: {} as expected",
            direction.as_str(),
            plural(got.len(), "violation")
        ));
    }
    let mut lines = vec!["the violations differ (path, code):".to_owned()];
    let n = got_pairs.len().max(expected.len());
    for i in 0..n {
        match (got_pairs.get(i), expected.get(i)) {
            (Some(g), Some(e)) if g == e => {}
            (Some(g), Some(e)) => lines.push(format!(
                "  #{}: got {} {}, expected {} {}",
                i + 1,
                preview(&g.0),
                g.1,
                preview(&e.0),
                e.1
            )),
            (Some(g), None) => lines.push(format!(
                "  #{}: got {} {} ({}), not expected",
                i + 1,
                preview(&g.0),
                g.1,
                got.get(i).map_or("", |v| v.message.as_str())
            )),
            (None, Some(e)) => lines.push(format!(
                "  #{}: missing, expected {} {}",
                i + 1,
                preview(&e.0),
                e.1
            )),
            (None, None) => {}
        }
    }
    Outcome::Fail(lines)
}

/// `1 case`, `3 cases`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn violation_lines(violations: &[Violation]) -> Vec<String> {
    violations
        .iter()
        .map(|v| format!("  {} {}: {}", preview(&v.path), v.code, v.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_is_the_declared_one_or_named_by_the_schema_file() {
        let declared = vec![
            "citizen-record@1.0".to_owned(),
            "citizen-receipt@1.0".to_owned(),
        ];
        let key = |schema: &str, declared: &[String]| {
            standard_key(None, Path::new(schema), declared, "--standard-id")
        };
        assert_eq!(
            key("s/citizen-receipt.schema.json", &declared).expect("by name"),
            "citizen-receipt@1.0"
        );
        assert_eq!(
            key("any.xsd", &declared[..1]).expect("the only one"),
            "citizen-record@1.0"
        );
        let err = key("standard.schema.json", &declared).expect_err("ambiguous");
        assert_eq!(
            err.to_string(),
            "the adapter declares citizen-record@1.0, citizen-receipt@1.0; say which one \
             standard.schema.json is with --standard-id ID@VERSION"
        );
        assert_eq!(
            standard_key(Some("x@2"), Path::new("a.json"), &declared, "--standard-id")
                .expect("explicit"),
            "x@2"
        );
    }
}
