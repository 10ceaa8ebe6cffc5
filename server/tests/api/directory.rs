//! The region tree and units that registration picks from.

use crate::helpers::{error_of, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn the_region_tree_has_every_city_and_all_of_quanzhou() {
    let app = TestApp::spawn().await;
    let regions: Vec<Value> = app
        .get(&app.client(), "/api/regions")
        .await
        .json()
        .await
        .unwrap();
    let names_under = |parent: &str| -> Vec<String> {
        regions
            .iter()
            .filter(|r| r["parent_code"] == parent)
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let cities = names_under("350000");
    for city in [
        "福州市",
        "厦门市",
        "莆田市",
        "三明市",
        "泉州市",
        "漳州市",
        "南平市",
        "龙岩市",
        "宁德市",
        "平潭综合实验区",
    ] {
        assert!(cities.contains(&city.to_string()), "{city} missing");
    }
    assert_eq!(cities.len(), 10);
    let quanzhou = names_under("350500");
    assert_eq!(quanzhou.len(), 14, "{quanzhou:?}");
    for district in [
        "鲤城区",
        "晋江市",
        "金门县",
        "泉州台商投资区",
        "泉州经济技术开发区",
    ] {
        assert!(
            quanzhou.contains(&district.to_string()),
            "{district} missing"
        );
    }
}

#[tokio::test]
async fn units_can_be_narrowed_to_a_region_subtree() {
    let app = TestApp::spawn().await;
    let all: Vec<Value> = app
        .get(&app.client(), "/api/units")
        .await
        .json()
        .await
        .unwrap();
    let quanzhou: Vec<Value> = app
        .get(&app.client(), "/api/units?region=350500")
        .await
        .json()
        .await
        .unwrap();
    assert!(all.len() > quanzhou.len() && !quanzhou.is_empty());
    for u in &quanzhou {
        assert!(
            u["region_code"].as_str().unwrap().starts_with("3505"),
            "{u}"
        );
        assert!(
            u["region_name"]
                .as_str()
                .unwrap()
                .starts_with("福建省 泉州市"),
            "{u}"
        );
    }
}

#[tokio::test]
async fn an_unknown_region_or_parameter_is_a_clear_error() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/api/units?region=999999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    error_of(res).await;
    let res = app.get(&app.client(), "/api/units?colour=red").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await["code"], "invalid_query");
}
