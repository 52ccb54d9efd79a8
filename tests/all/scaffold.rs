//! The adapter author's commands, run as an author runs them: the real `lgsp` binary.
//!
//! For each of the four languages (a missing toolchain fails the test with the setup script
//! to run): `lgsp adapter new`, the project's native tests as its README gives them,
//! `lgsp adapter build`, then `lgsp adapter test` on the scaffold's own fixtures. Then `lgsp adapter test` on the
//! sample adapters' fixtures, and on a fixture whose expected output is wrong.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `lgsp` binary, built once per test run with the same cargo and profile as the tests,
/// so that it is never stale.
pub(crate) fn lgsp() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("LGSP_BIN") {
            return PathBuf::from(bin);
        }
        // <target>/<profile>/deps/all-<hash>
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test binary sits in <target>/<profile>/deps");
        let target = profile_dir.parent().expect("a target directory");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "lgsp",
                "--bin",
                "lgsp",
                "--manifest-path",
            ])
            .arg(lgsp_tests::root().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target);
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "failed to build the lgsp binary");
        profile_dir.join("lgsp")
    })
}

/// Runs `lgsp` with `args`, with the checkout (for the catalogue and the Rust SDK) and
/// without an admin token.
fn run(args: &[&str]) -> Output {
    let output = Command::new(lgsp())
        .args(args)
        .env("LGSP_CHECKOUT", lgsp_tests::root())
        .env_remove("LGSP_ADMIN_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .expect("lgsp runs");
    eprintln!(
        "$ lgsp {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The last non-empty line of standard output: `adapter test`'s summary.
fn summary(output: &Output) -> String {
    stdout(output)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// How many `<case>.input.*` files the fixture folder holds.
fn count_inputs(fixtures: &Path) -> usize {
    let mut n = 0;
    for folder in std::fs::read_dir(fixtures).expect("fixtures").flatten() {
        for file in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if file.file_name().to_string_lossy().contains(".input.") {
                n += 1;
            }
        }
    }
    n
}

/// Why a language's toolchain is not there, or `None` when it is.
fn missing_toolchain(lang: &str) -> Option<String> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    match lang {
        "python" => {
            let venv = std::env::var_os("LGSP_PYTHON_TOOLCHAIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".cache/lgsp-toolchains/python"));
            let tool = venv.join("bin/componentize-py");
            (!tool.is_file())
                .then(|| format!("{} is missing (scripts/setup-python.sh)", tool.display()))
        }
        "js" => {
            let dir = std::env::var_os("LGSP_JS_TOOLCHAIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".cache/lgsp-toolchains/js"));
            (!dir.join("node_modules").is_dir())
                .then(|| format!("{} is missing (scripts/setup-js.sh)", dir.display()))
        }
        "c" => {
            let installed = |pkg: &str| {
                Command::new("dpkg-query")
                    .args(["-W", "-f=${Status}", pkg])
                    .output()
                    .is_ok_and(|o| {
                        String::from_utf8_lossy(&o.stdout).contains("install ok installed")
                    })
            };
            let missing: Vec<&str> = [
                "clang-14",
                "lld-14",
                "wasi-libc",
                "libclang-rt-14-dev-wasm32",
            ]
            .into_iter()
            .filter(|p| !installed(p))
            .collect();
            (!missing.is_empty())
                .then(|| format!("{} not installed (scripts/setup-c.sh)", missing.join(", ")))
        }
        _ => None,
    }
}

/// A Wasm target directory shared by every run, so that the Rust scaffold's dependencies
/// are built once.
fn wasm_target() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .map(|p| p.join("scaffold-wasm"))
        .expect("a target directory")
}

/// The command the project's README gives its author for the native tests, run in `project`
/// (which `adapter new` put in `scratch`): each template's tests must pass as generated.
fn native_tests(lang: &str, project: &Path, scratch: &Path) {
    let mut cmd = match lang {
        "rust" => {
            let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cmd.args(["test", "--quiet", "--target-dir"])
                .arg(wasm_target().with_file_name("scaffold-native"));
            cmd
        }
        "js" => {
            let mut cmd = Command::new("npm");
            cmd.args(["test", "--silent"]);
            cmd
        }
        "python" => {
            let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
            let venv = std::env::var_os("LGSP_PYTHON_TOOLCHAIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".cache/lgsp-toolchains/python"));
            let mut cmd = Command::new(venv.join("bin/python"));
            cmd.args(["-m", "unittest", "discover", "-s", "tests"]);
            cmd
        }
        "c" => {
            let mut cmd = Command::new("make");
            cmd.arg("test")
                .arg(format!("BUILD={}", scratch.join("native-build").display()));
            cmd
        }
        other => panic!("no native tests for {other}"),
    };
    let output = cmd
        .current_dir(project)
        .output()
        .unwrap_or_else(|err| panic!("the {lang} template's native tests could not run: {err}"));
    assert!(
        output.status.success(),
        "the {lang} template's native tests failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// new, build and test for one language; skipped (or failed on CI) without its toolchain.
fn new_build_test(lang: &str) {
    if let Some(why) = missing_toolchain(lang) {
        panic!("the {lang} toolchain is not installed: {why} (scripts/setup.sh installs all)");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("scaffold-{lang}");
    let out = run(&[
        "adapter",
        "new",
        &name,
        "--lang",
        lang,
        "--dir",
        path_arg(dir.path()),
    ]);
    assert!(
        out.status.success(),
        "adapter new --lang {lang}: {}",
        stderr(&out)
    );
    let project = dir.path().join(&name);
    assert!(stdout(&out).starts_with(&format!("created {}", project.display())));
    assert!(project.join("standard.schema.json").is_file());

    native_tests(lang, &project, dir.path());

    let out_dir = dir.path().join("out");
    let out = run(&[
        "adapter",
        "build",
        path_arg(&project),
        "--out",
        path_arg(&out_dir),
        "--target-dir",
        path_arg(&wasm_target()),
    ]);
    assert!(
        out.status.success(),
        "adapter build ({lang}): {}",
        stderr(&out)
    );
    let built = stdout(&out);
    let component = built
        .strip_prefix("built ")
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("`built <path> (<size> bytes)`: {built}"))
        .to_owned();
    assert!(Path::new(&component).starts_with(&out_dir), "{component}");
    assert!(Path::new(&component).is_file(), "{component}");

    let fixtures = project.join("fixtures");
    let cases = count_inputs(&fixtures);
    assert!(
        cases >= 2,
        "the {lang} template has a to-national and a rejected case"
    );
    let out = run(&[
        "adapter",
        "test",
        &component,
        "--fixtures",
        path_arg(&fixtures),
        "--standard",
        path_arg(&project.join("standard.schema.json")),
    ]);
    assert!(out.status.success(), "adapter test ({lang}) failed");
    assert_eq!(summary(&out), format!("{cases} passed, 0 failed"), "{lang}");
}

#[test]
fn a_new_rust_adapter_builds_and_passes_its_own_fixtures() {
    new_build_test("rust");
}

#[test]
fn a_new_javascript_adapter_builds_and_passes_its_own_fixtures() {
    new_build_test("js");
}

#[test]
fn a_new_python_adapter_builds_and_passes_its_own_fixtures() {
    new_build_test("python");
}

#[test]
fn a_new_c_adapter_builds_and_passes_its_own_fixtures() {
    new_build_test("c");
}

/// `adapter test` of the civil-registry sample on a copy of its fixtures, with both of its
/// standards.
fn test_civil_registry(fixtures: &Path) -> Output {
    let standards = lgsp_tests::root().join("standards/citizen-record");
    run(&[
        "adapter",
        "test",
        lgsp_tests::components::CIVIL_REGISTRY_CSV,
        "--fixtures",
        path_arg(fixtures),
        "--standard",
        path_arg(&standards.join("citizen-record.schema.json")),
        "--reply-standard",
        path_arg(&standards.join("citizen-receipt.schema.json")),
    ])
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn adapter_test_passes_every_fixture_of_the_sample_adapters() {
    let civil = lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures");
    let out = test_civil_registry(&civil);
    assert!(out.status.success(), "civil-registry-csv");
    assert_eq!(
        summary(&out),
        format!("{} passed, 0 failed", count_inputs(&civil))
    );

    // edXML: an XSD standard, XML compared as XML, and rejected national inputs that go
    // through to-local.
    let edxml = lgsp_tests::root().join("sample-adapters/edxml-documents/fixtures");
    let out = run(&[
        "adapter",
        "test",
        lgsp_tests::components::EDXML_DOCUMENTS,
        "--fixtures",
        path_arg(&edxml),
        "--standard",
        path_arg(&lgsp_tests::root().join("standards/edxml/qcvn-102-2016.xsd")),
    ]);
    assert!(out.status.success(), "edxml-documents");
    assert_eq!(
        summary(&out),
        format!("{} passed, 0 failed", count_inputs(&edxml))
    );
    assert!(
        stdout(&out).contains("ok    rejected/doctype (to-local: "),
        "an edXML input is refused by to-local"
    );
}

#[test]
fn adapter_test_fails_on_a_wrong_expected_output_and_says_where() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = dir.path().join("fixtures");
    copy_dir(
        &lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures"),
        &fixtures,
    );
    let expected = fixtures.join("to-national/ba-dinh-batch.expected.json");
    let text = std::fs::read_to_string(&expected).expect("expected output");
    let wrong = text.replacen("\"Trần Thị Bích Ngọc\"", "\"Trần Thị Bích Ngà\"", 1);
    assert_ne!(wrong, text, "the fixture names Trần Thị Bích Ngọc");
    std::fs::write(&expected, wrong).expect("write");

    // A rejected case whose expected violations miss one.
    let violations = fixtures.join("rejected/unknown-commune.expected-violations.json");
    std::fs::write(&violations, "[]").expect("write");

    let out = test_civil_registry(&fixtures);
    assert!(!out.status.success(), "a wrong fixture fails the run");
    let text = stdout(&out);
    let total = count_inputs(&fixtures);
    assert_eq!(summary(&out), format!("{} passed, 2 failed", total - 2));
    assert!(text.contains("FAIL  to-national/ba-dinh-batch ("), "{text}");
    assert!(
        text.contains("the output differs from ba-dinh-batch.expected.json:"),
        "{text}"
    );
    assert!(
        text.contains(
            "/records/0/fullName: got \"Trần Thị Bích Ngọc\", expected \"Trần Thị Bích Ngà\""
        ),
        "{text}"
    );
    assert!(text.contains("FAIL  rejected/unknown-commune ("), "{text}");
    assert!(
        text.contains("got \"row 2, column ma_xa\" unknown-commune"),
        "{text}"
    );
}

#[test]
fn adapter_new_refuses_a_bad_name_and_an_existing_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parent = path_arg(dir.path());
    let out = run(&[
        "adapter", "new", "Bad_Name", "--lang", "rust", "--dir", parent,
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("error: \"Bad_Name\" is not a valid adapter name"),
        "{}",
        stderr(&out)
    );

    std::fs::create_dir(dir.path().join("taken")).expect("mkdir");
    let out = run(&["adapter", "new", "taken", "--lang", "rust", "--dir", parent]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(dir.path().join("taken"))
            .expect("dir")
            .count(),
        0,
        "nothing written into an existing folder"
    );
}

#[test]
fn admin_commands_refuse_to_run_without_a_token() {
    let out = run(&["adapter", "list", "--hub", "http://127.0.0.1:9"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).starts_with("error: LGSP_ADMIN_TOKEN is not set"),
        "{}",
        stderr(&out)
    );
}
