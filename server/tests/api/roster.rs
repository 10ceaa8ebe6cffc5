//! Roster import and export for unit admins (DESIGN.md §8): CSV as Chinese Excel writes it,
//! every bad row named with its row and column, all rows or none, the same file twice changes
//! nothing, and an export that imports back unchanged.

use crate::helpers::{
    error_of, unique_id_number, unique_phone, TestApp, DEMO_GRADED, DEMO_PASSWORD,
};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const HEAD: &str = "身份证号,姓名,手机,用工类型,工种,等级\r\n";

/// Sends the file as a browser's form does: `multipart/form-data`, field `file`.
async fn upload(
    app: &TestApp,
    client: &Client,
    bytes: Vec<u8>,
    dry_run: bool,
) -> reqwest::Response {
    let boundary = "----qinxue-test-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let path = if dry_run {
        "/api/unit/roster/import?dry_run=true"
    } else {
        "/api/unit/roster/import"
    };
    client
        .post(app.url(path))
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn report(app: &TestApp, client: &Client, bytes: Vec<u8>, dry_run: bool) -> Value {
    let res = upload(app, client, bytes, dry_run).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

async fn exported(app: &TestApp, client: &Client) -> Vec<u8> {
    let res = app.get(client, "/api/unit/roster.csv").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
}

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

fn person(name: &str, trade: &str, grade: &str) -> String {
    format!(
        "{},{name},{},在编在岗,{trade},{grade}\r\n",
        unique_id_number(),
        unique_phone()
    )
}

#[tokio::test]
async fn a_gbk_file_with_two_bad_rows_is_previewed_then_fixed_and_committed_and_round_trips() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let before = exported(&app, &admin).await;
    let good = [
        person("赵一", "电工", "初级工"),
        person("钱二", "保洁员", "未定级"),
    ];
    let bad_phone = format!(
        "{},孙三,1380595,劳务派遣,电工,中级工\r\n",
        unique_id_number()
    );
    let bad_trade = person("李四", "飞行员", "高级工");
    let text = format!("{HEAD}{}{bad_phone}{}{bad_trade}", good[0], good[1]);
    let preview = report(&app, &admin, gbk(&text), true).await;
    assert_eq!(preview["rows"], 4);
    assert_eq!(preview["valid"], 2);
    assert_eq!(preview["created"], 2);
    let errors: Vec<(i64, &str)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "phone"), (5, "trade")]);
    assert!(preview["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("第 3 行“手机”"));
    assert_eq!(
        exported(&app, &admin).await,
        before,
        "a dry run writes nothing"
    );

    // Committing the file as it is writes nothing either.
    let res = upload(&app, &admin, gbk(&text), false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(res).await["code"], "invalid_import");
    assert_eq!(exported(&app, &admin).await, before);

    let fixed_phone = bad_phone.replace(",1380595,", &format!(",{},", unique_phone()));
    let fixed = format!(
        "{HEAD}{}{fixed_phone}{}{}",
        good[0],
        good[1],
        bad_trade.replace("飞行员", "木工")
    );
    let done = report(&app, &admin, gbk(&fixed), false).await;
    assert_eq!(
        (done["created"].as_i64(), done["valid"].as_i64()),
        (Some(4), Some(4))
    );
    assert!(done["errors"].as_array().unwrap().is_empty());

    let again = report(&app, &admin, gbk(&fixed), false).await;
    assert_eq!(
        (
            again["created"].as_i64(),
            again["updated"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(4)),
        "the same file twice changes nothing"
    );
    let export = exported(&app, &admin).await;
    assert!(export.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&export[3..]).unwrap();
    assert!(text.starts_with("身份证号,姓名,手机,用工类型,工种,等级"));
    assert!(text.contains("赵一") && text.contains(",木工,高级工"));
    // The demo unit's staff, with the four new people; nothing of the earlier staff lost.
    let staff_before = std::str::from_utf8(&before[3..]).unwrap().lines().count();
    assert_eq!(text.lines().count(), staff_before + 4);
    let round = report(&app, &admin, export.clone(), false).await;
    assert_eq!(round["unchanged"].as_i64(), Some(staff_before as i64 + 3));
    assert_eq!(
        (round["created"].as_i64(), round["updated"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(exported(&app, &admin).await, export);

    // A changed grade updates the person; a file without the others deletes nobody.
    let changed = format!("{HEAD}{}", good[0].replace("初级工", "中级工"));
    let update = report(&app, &admin, changed.into_bytes(), false).await;
    assert_eq!(update["updated"], 1);
    let after = exported(&app, &admin).await;
    assert_eq!(
        std::str::from_utf8(&after[3..]).unwrap().lines().count(),
        staff_before + 4
    );
}

#[tokio::test]
async fn bad_files_get_a_clear_message_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let before = exported(&app, &admin).await;
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (Vec::new(), 422, "空"),
        (b"PK\x03\x04xlsx".to_vec(), 415, "XLSX"),
        (b"\x00\x01\x02\x7fELF".to_vec(), 415, "CSV"),
        (
            "姓名,手机\r\n王五,13805950009\r\n".as_bytes().to_vec(),
            422,
            "身份证号",
        ),
        (HEAD.as_bytes().to_vec(), 422, "没有人员"),
        (vec![b'a'; 50 * 1024 * 1024], 413, "MB"),
    ];
    for (bytes, status, says) in cases {
        let res = upload(&app, &admin, bytes, true).await;
        assert_eq!(res.status().as_u16(), status);
        let error = error_of(res).await;
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    // Cells Excel mangles, and a person of another unit: each named by row and column.
    let text = format!(
        "{HEAD}3.50502E+17,周六,{},在编在岗,电工,初级工\r\n\
         {DEMO_GRADED},王建国,13805950001,在编在岗,电工,中级工\r\n\
         {},=1+1,{},在编在岗,电工,2024/3/1\r\n",
        unique_phone(),
        unique_id_number(),
        unique_phone()
    );
    let preview = report(&app, &admin, text.clone().into_bytes(), true).await;
    let messages: Vec<String> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages[0].starts_with("第 2 行“身份证号”") && messages[0].contains("科学计数法"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("第 4 行“姓名”") && m.contains("公式")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("第 4 行“等级”")),
        "{messages:?}"
    );
    assert_eq!(
        preview["valid"], 1,
        "王建国 is staff of this unit: unchanged"
    );
    let fuzhou = crate::helpers::unit_in_region(&app, "350100").await;
    crate::helpers::insert_admin(
        &app,
        qinxue_core::Role::UnitAdmin,
        "unit-fuzhou",
        Some(fuzhou),
        "350100",
    )
    .await;
    let other = app.login_as("unit-fuzhou", DEMO_PASSWORD).await;
    let theirs = format!("{HEAD}{DEMO_GRADED},王建国,13805950001,在编在岗,电工,中级工\r\n");
    let preview = report(&app, &other, theirs.into_bytes(), true).await;
    assert_eq!(preview["errors"][0]["field"], "id_number");
    assert!(preview["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("其他单位"));
    assert_eq!(exported(&app, &admin).await, before);
    for login in ["quanzhou-admin", "province-admin", DEMO_GRADED] {
        let someone = app.login_as(login, DEMO_PASSWORD).await;
        let res = upload(&app, &someone, HEAD.as_bytes().to_vec(), true).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
        assert_eq!(
            app.get(&someone, "/api/unit/roster.csv").await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

/// A workbook with the roster's header and these rows as text cells; `extra` writes cells
/// of other kinds over them.
fn workbook(rows: &[Vec<String>], extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, label) in ["身份证号", "姓名", "手机", "用工类型", "工种", "等级"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *label).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, cell).unwrap();
        }
    }
    extra(ws);
    book.save_to_buffer().unwrap()
}

fn person_cells(name: &str) -> Vec<String> {
    [
        &unique_id_number(),
        name,
        &unique_phone(),
        "劳务派遣",
        "电工",
        "初级工",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect()
}

#[tokio::test]
async fn an_xlsx_roster_imports_and_its_xlsx_export_imports_back_unchanged() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let rows = vec![person_cells("吴七"), person_cells("郑八")];
    let done = report(&app, &admin, workbook(&rows, |_| {}), false).await;
    assert_eq!(
        (done["created"].as_i64(), done["valid"].as_i64()),
        (Some(2), Some(2))
    );

    let res = app.get(&admin, "/api/unit/roster.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[reqwest::header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let export = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(export.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let staff = exported(&app, &admin).await;
    let csv_rows = std::str::from_utf8(&staff[3..]).unwrap().lines().count();
    assert_eq!(
        sheet.height(),
        csv_rows,
        "the XLSX and CSV exports have the same rows"
    );
    // Every 身份证号 is a text cell, whole.
    let ids: Vec<&Data> = (1..sheet.height())
        .filter_map(|r| sheet.get((r, 0)))
        .collect();
    assert!(ids.contains(&&Data::String(rows[0][0].clone())));
    assert!(ids
        .iter()
        .all(|d| matches!(d, Data::String(s) if s.len() == 18)));

    let round = report(&app, &admin, export, false).await;
    assert_eq!(
        (
            round["created"].as_i64(),
            round["updated"].as_i64(),
            round["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(csv_rows as i64 - 1)),
        "{round}"
    );
    assert_eq!(exported(&app, &admin).await, staff);
}

#[tokio::test]
async fn xlsx_cells_excel_mangles_are_named_by_row_and_column_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.login_as("unit-demo", DEMO_PASSWORD).await;
    let before = exported(&app, &admin).await;
    let rows = vec![
        person_cells("冯九"),
        person_cells("陈十"),
        person_cells("褚一"),
        person_cells("卫二"),
    ];
    let file = workbook(&rows, |ws| {
        ws.write_number(2, 0, 350502198001011235.0).unwrap();
        ws.write_formula(3, 1, "=\"蒋\"&\"三\"").unwrap();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
        ws.write_number_with_format(4, 5, 45352.0, &date).unwrap();
    });
    let preview = report(&app, &admin, file.clone(), true).await;
    let errors: Vec<(i64, &str, &str)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["field"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (3, "id_number"));
    assert!(errors[0].2.contains("3.50502E+17"), "{}", errors[0].2);
    assert_eq!((errors[1].0, errors[1].1), (4, "name"));
    assert!(
        errors[1].2.starts_with("第 4 行“姓名”：是公式"),
        "{}",
        errors[1].2
    );
    assert_eq!((errors[2].0, errors[2].1), (5, "grade"));
    assert!(
        errors[2].2.starts_with("第 5 行“等级”：是日期"),
        "{}",
        errors[2].2
    );
    assert_eq!(preview["valid"], 1);
    let res = upload(&app, &admin, file, false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(exported(&app, &admin).await, before, "nothing is written");

    // Not a workbook, an old .xls, an empty workbook: refused whole.
    let mut empty = rust_xlsxwriter::Workbook::new();
    empty.add_worksheet();
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"PK\x03\x04not a workbook".to_vec(), 415, "XLSX"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1old".to_vec(), 415, ".xls"),
        (b"%PDF-1.7\n\x00\x01".to_vec(), 415, "XLSX"),
        (empty.save_to_buffer().unwrap(), 422, "空"),
    ];
    for (bytes, status, says) in cases {
        let res = upload(&app, &admin, bytes, true).await;
        assert_eq!(res.status().as_u16(), status);
        let error = error_of(res).await;
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    assert_eq!(exported(&app, &admin).await, before);
}
