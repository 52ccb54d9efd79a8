//! Reference catalogues: the administrative units in force since 1 July 2025.
//!
//! Loaded once at start and read-only afterwards, so adapters (through the host `lookup`) and
//! agencies (through `GET /v1/catalogues/...`) see the same data without locks. This module
//! owns the file format and the look-ups; it knows nothing of HTTP or Wasm.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The provinces catalogue's name.
pub const PROVINCES: &str = "provinces";
/// The communes catalogue's name.
pub const COMMUNES: &str = "communes";

/// Why the catalogues could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file could not be read.
    #[error("failed to read catalogue file {path:?}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is not the expected JSON.
    #[error("failed to parse catalogue file {path:?}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// The data contradicts itself (duplicate codes, wrong code shapes).
    #[error("invalid catalogue file {path:?}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One entry of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The code, such as `01` or `00004`.
    pub code: String,
    /// The official name.
    pub name: String,
    /// The parent entry's code (a commune's province).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// All catalogues, by name, each ordered by code.
#[derive(Debug, Default)]
pub struct Catalogues {
    by_name: BTreeMap<&'static str, BTreeMap<String, Entry>>,
}

#[derive(Deserialize)]
struct RawProvince {
    #[serde(rename = "Code")]
    code: String,
    #[serde(rename = "FullName")]
    name: String,
    #[serde(rename = "Wards")]
    wards: Vec<RawCommune>,
}

#[derive(Deserialize)]
struct RawCommune {
    #[serde(rename = "Code")]
    code: String,
    #[serde(rename = "FullName")]
    name: String,
    #[serde(rename = "ProvinceCode")]
    province: String,
}

impl Catalogues {
    /// Loads the administrative units file (a JSON list of provinces, each with its communes).
    pub fn load_admin_units(path: &Path) -> Result<Self, CatalogueError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
            path: path.to_owned(),
            source,
        })?;
        let raw: Vec<RawProvince> =
            serde_json::from_str(&text).map_err(|source| CatalogueError::Parse {
                path: path.to_owned(),
                source,
            })?;
        Self::from_raw(raw).map_err(|message| CatalogueError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    fn from_raw(raw: Vec<RawProvince>) -> Result<Self, String> {
        let mut provinces = BTreeMap::new();
        let mut communes = BTreeMap::new();
        for p in raw {
            if p.code.len() != 2 || !p.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("province code {:?} is not 2 digits", p.code));
            }
            for c in p.wards {
                if c.code.len() != 5 || !c.code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("commune code {:?} is not 5 digits", c.code));
                }
                if c.province != p.code {
                    return Err(format!(
                        "commune {:?} is listed under province {:?} but names {:?}",
                        c.code, p.code, c.province
                    ));
                }
                let entry = Entry {
                    code: c.code.clone(),
                    name: c.name,
                    parent: Some(p.code.clone()),
                };
                if communes.insert(c.code.clone(), entry).is_some() {
                    return Err(format!("commune code {:?} appears twice", c.code));
                }
            }
            let entry = Entry {
                code: p.code.clone(),
                name: p.name,
                parent: None,
            };
            if provinces.insert(p.code.clone(), entry).is_some() {
                return Err(format!("province code {:?} appears twice", p.code));
            }
        }
        let mut by_name = BTreeMap::new();
        by_name.insert(PROVINCES, provinces);
        by_name.insert(COMMUNES, communes);
        Ok(Self { by_name })
    }

    /// The names of the catalogues.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_name.keys().copied()
    }

    /// One entry, or none for an unknown catalogue or code.
    pub fn lookup(&self, catalogue: &str, code: &str) -> Option<&Entry> {
        self.by_name.get(catalogue)?.get(code)
    }

    /// Every entry of a catalogue in code order, or none for an unknown catalogue.
    pub fn list(&self, catalogue: &str) -> Option<impl Iterator<Item = &Entry> + '_> {
        self.by_name.get(catalogue).map(|m| m.values())
    }

    /// How many entries a catalogue has (zero for an unknown one).
    pub fn len(&self, catalogue: &str) -> usize {
        self.by_name.get(catalogue).map_or(0, BTreeMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Catalogues {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalogues/admin-units-vn-2025.json");
        Catalogues::load_admin_units(&path).expect("the shipped catalogue loads")
    }

    #[test]
    fn shipped_file_has_the_units_in_force_since_july_2025() {
        let c = shipped();
        assert_eq!(c.len(PROVINCES), 34);
        assert_eq!(c.len(COMMUNES), 3321);
        assert_eq!(
            c.lookup(PROVINCES, "01").map(|e| e.name.as_str()),
            Some("Thành phố Hà Nội")
        );
        let ba_dinh = c.lookup(COMMUNES, "00004").expect("Ba Đình is listed");
        assert_eq!(ba_dinh.name, "Phường Ba Đình");
        assert_eq!(ba_dinh.parent.as_deref(), Some("01"));
    }

    #[test]
    fn unknown_names_and_codes_find_nothing() {
        let c = shipped();
        assert!(c.lookup(PROVINCES, "99").is_none());
        assert!(c.lookup("districts", "001").is_none());
        assert!(c.list("districts").is_none());
    }

    #[test]
    fn contradictory_data_is_refused() {
        let raw = vec![RawProvince {
            code: "01".into(),
            name: "A".into(),
            wards: vec![RawCommune {
                code: "00004".into(),
                name: "B".into(),
                province: "02".into(),
            }],
        }];
        let err = Catalogues::from_raw(raw).expect_err("a commune under the wrong province");
        assert!(err.contains("listed under province \"01\""), "{err}");
    }
}
