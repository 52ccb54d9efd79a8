//! `GET /v1/catalogues`: the administrative units, for agencies.

use lgsp_tests::{TestHub, keys};

#[tokio::test]
async fn provinces_and_communes_are_served() {
    let hub = TestHub::shared();
    let index = hub.get("/v1/catalogues", Some(keys::DMS_A)).await.json();
    let names: Vec<_> = index["catalogues"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| (c["name"].clone(), c["entries"].clone()))
        .collect();
    assert!(names.contains(&("provinces".into(), 34.into())), "{index}");
    assert!(names.contains(&("communes".into(), 3321.into())), "{index}");

    let provinces = hub
        .get("/v1/catalogues/provinces", Some(keys::DMS_A))
        .await
        .json();
    assert_eq!(provinces["entries"].as_array().expect("entries").len(), 34);

    let hanoi = hub
        .get("/v1/catalogues/communes?parent=01", Some(keys::REGISTRY_A))
        .await
        .json();
    let hanoi = hanoi["entries"].as_array().expect("entries");
    assert!(!hanoi.is_empty() && hanoi.iter().all(|e| e["parent"] == "01"));

    let ba_dinh = hub
        .get("/v1/catalogues/communes/00004", Some(keys::OPERATOR))
        .await
        .json();
    assert_eq!(ba_dinh["name"], "Phường Ba Đình");
    assert_eq!(ba_dinh["parent"], "01");
}

#[tokio::test]
async fn catalogue_errors_are_problem_documents() {
    let hub = TestHub::shared();
    hub.get("/v1/catalogues?limit=5", Some(keys::DMS_A))
        .await
        .problem(400, "bad-request");
    hub.get("/v1/catalogues/provinces", None)
        .await
        .problem(401, "unauthenticated");
    hub.get("/v1/catalogues/districts", Some(keys::DMS_A))
        .await
        .problem(404, "unknown-catalogue");
    hub.get("/v1/catalogues/communes/99999", Some(keys::DMS_A))
        .await
        .problem(404, "unknown-code");
    hub.get("/v1/catalogues/communes?province=01", Some(keys::DMS_A))
        .await
        .problem(400, "bad-request");
}
