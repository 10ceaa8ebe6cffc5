//! What a certificate states, as the print page and the verification page show it: the same
//! facts in the same order as the PDF (`server/src/certificates/pdf.rs`).

use crate::components::dom::{attr, el, text};
use qinxue_core::certificate::{format_date, format_tenths, CertificateFacts};
use qinxue_core::completion::Source;
use web_sys::{Element, Node};

/// The statement line: who completed which year with how many 学时.
pub fn statement(f: &CertificateFacts) -> String {
    format!(
        "兹证明 {} 已完成 {} 年度岗位继续教育培训，累计 {} 学时（要求 {} 学时）。",
        f.name,
        f.year,
        format_tenths(f.tenths.total()),
        f.required_hours
    )
}

/// The facts as a definition list; each value carries `data-fact` for tests.
pub fn facts_list(parent: &Node, f: &CertificateFacts, unit_name: &str) -> Element {
    let list = el(parent, "dl", "facts certificate-facts");
    let mut rows: Vec<(&str, &str, String)> = vec![
        ("name", "姓名", f.name.clone()),
        ("id_number", "身份证号", f.id_number.clone()),
        ("unit", "工作单位", unit_name.to_owned()),
        ("year", "培训年度", format!("{} 年度", f.year)),
        ("grade", "技能等级", f.grade.label().to_owned()),
        ("required", "要求学时", format!("{} 学时", f.required_hours)),
    ];
    for source in Source::ALL {
        let tenths = f.tenths.get(source);
        if tenths > 0 {
            rows.push((
                source.as_str(),
                source.label(),
                format!("{} 学时", format_tenths(u32::from(tenths))),
            ));
        }
    }
    rows.push((
        "total",
        "合计学时",
        format!("{} 学时", format_tenths(f.tenths.total())),
    ));
    rows.push(("completed_on", "完成日期", format_date(f.completed_on)));
    rows.push(("code", "证明编号", f.code.clone()));
    for (key, label, value) in rows {
        let row = el(&list, "div", "");
        text(&row, "dt", "", label);
        attr(&text(&row, "dd", "", &value), "data-fact", key);
    }
    list
}
