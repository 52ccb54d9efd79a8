//! The fixtures of `lgsp adapter test` on disk: the folders it knows, finding each case with
//! its expected file, the content type a file is sent with, and the expected-violations
//! format. Running the cases belongs to [`super::fixtures`].

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::runtime::Phase;

/// The fixture folders this command knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `to-national/`.
    ToNational,
    /// `to-local/`.
    ToLocal,
    /// `reply-to-national/`.
    ReplyToNational,
    /// `reply-to-local/`.
    ReplyToLocal,
    /// `rejected/`.
    Rejected,
}

impl Folder {
    /// Every folder, in the order cases run.
    pub const ALL: [Folder; 5] = [
        Folder::ToNational,
        Folder::ToLocal,
        Folder::ReplyToNational,
        Folder::ReplyToLocal,
        Folder::Rejected,
    ];

    /// The folder's name.
    pub fn name(self) -> &'static str {
        match self {
            Folder::ToNational => "to-national",
            Folder::ToLocal => "to-local",
            Folder::ReplyToNational => "reply-to-national",
            Folder::ReplyToLocal => "reply-to-local",
            Folder::Rejected => "rejected",
        }
    }

    pub(super) fn phase(self) -> Phase {
        match self {
            Folder::ReplyToNational | Folder::ReplyToLocal => Phase::Reply,
            _ => Phase::Request,
        }
    }
}

/// One fixture: an input and what it must give.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its folder.
    pub folder: Folder,
    /// `<case>` of `<case>.input.<ext>`.
    pub name: String,
    /// The input file.
    pub input: PathBuf,
    /// The expected output or violations, when the file exists.
    pub expected: Option<PathBuf>,
}

/// Every case of every known folder under `dir`, by folder then name, and the names of
/// subfolders this command does not know.
pub fn discover(dir: &Path) -> anyhow::Result<(Vec<Case>, Vec<String>)> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("failed to list the fixtures in {dir:?}"))?;
    let mut unknown = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !Folder::ALL.iter().any(|f| f.name() == name) {
            unknown.push(name);
        }
    }
    unknown.sort();

    let mut cases = Vec::new();
    for folder in Folder::ALL {
        let path = dir.join(folder.name());
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        let mut files: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        for file in &files {
            let Some((name, _ext)) = split_input(file) else {
                continue;
            };
            let expected = if folder == Folder::Rejected {
                let f = format!("{name}.expected-violations.json");
                files.contains(&f).then(|| path.join(f))
            } else {
                let prefix = format!("{name}.expected.");
                files
                    .iter()
                    .find(|f| f.starts_with(&prefix))
                    .map(|f| path.join(f))
            };
            cases.push(Case {
                folder,
                name: name.to_owned(),
                input: path.join(file),
                expected,
            });
        }
    }
    Ok((cases, unknown))
}

/// `("case", "ext")` for `case.input.ext`.
fn split_input(file: &str) -> Option<(&str, &str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let name = stem.strip_suffix(".input")?;
    (!name.is_empty()).then_some((name, ext))
}

/// The content type a fixture file is sent with, from its extension.
pub fn content_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" | "edxml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `[{"path", "code"}]` of an expected-violations file, in order.
pub fn parse_expected_violations(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    #[derive(serde::Deserialize)]
    struct PathCode {
        path: String,
        code: String,
    }
    let list: Vec<PathCode> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(list.into_iter().map(|v| (v.path, v.code)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_found_with_their_expected_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for (path, body) in [
            ("to-national/a.input.csv", "x"),
            ("to-national/a.expected.json", "{}"),
            ("to-national/b.input.json", "{}"),
            ("to-local/c.input.xml", "<a/>"),
            ("to-local/c.expected.csv", "x"),
            ("rejected/bad.input.csv", "x"),
            ("rejected/bad.expected-violations.json", "[]"),
            ("rejected/notes.md", "ignored"),
            ("to_national/typo.input.csv", "x"),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, body).expect("write");
        }
        let (cases, unknown) = discover(root).expect("discover");
        let seen: Vec<(&str, &str, Option<String>)> = cases
            .iter()
            .map(|c| {
                (
                    c.folder.name(),
                    c.name.as_str(),
                    c.expected
                        .as_ref()
                        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned()),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("to-national", "a", Some("a.expected.json".to_owned())),
                ("to-national", "b", None),
                ("to-local", "c", Some("c.expected.csv".to_owned())),
                (
                    "rejected",
                    "bad",
                    Some("bad.expected-violations.json".to_owned())
                ),
            ]
        );
        assert_eq!(unknown, ["to_national"]);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type_for(Path::new("a.input.json")),
            "application/json"
        );
        assert_eq!(
            content_type_for(Path::new("a.input.CSV")),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            content_type_for(Path::new("a.input.xml")),
            "application/xml"
        );
        assert_eq!(
            content_type_for(Path::new("a.input.edxml")),
            "application/xml"
        );
    }

    #[test]
    fn expected_violations_keep_their_order() {
        let list = parse_expected_violations(
            br#"[{"path":"row 2, column a","code":"required","message":"ignored"},{"code":"format","path":"/x"}]"#,
        )
        .expect("parses");
        assert_eq!(
            list,
            [
                ("row 2, column a".to_owned(), "required".to_owned()),
                ("/x".to_owned(), "format".to_owned())
            ]
        );
        assert!(parse_expected_violations(br#"{"path":"a"}"#).is_err());
    }
}
