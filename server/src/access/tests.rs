use super::{is_admin, AccessError, Actor, AuditReach, Scope, Within};
use crate::storage::users::User;
use qinxue_core::order::OrderKind;
use qinxue_core::Role;

fn person(role: Role, unit_id: Option<i64>) -> User {
    User {
        id: 7,
        role,
        username: None,
        id_number: None,
        phone: None,
        name: "测试".into(),
        password_hash: String::new(),
        unit_id,
        region_code: None,
        employment_type: None,
        trade: None,
        grade: None,
        must_change_password: false,
    }
}

const QUANZHOU: &str = "/350000/350500/";

fn actor(role: Role, unit_id: Option<i64>) -> Actor {
    Actor::for_test(person(role, unit_id), Some(QUANZHOU))
}

#[test]
fn each_capability_is_granted_to_its_roles_only() {
    for role in Role::ALL {
        let a = actor(role, Some(3));
        assert_eq!(a.trainee().is_ok(), role == Role::Trainee, "{role:?}");
        assert_eq!(a.unit_admin().is_ok(), role == Role::UnitAdmin, "{role:?}");
        assert_eq!(
            a.course_manager().is_ok(),
            role == Role::ProvincialAdmin,
            "{role:?}"
        );
        assert_eq!(
            a.token_manager().is_ok(),
            role == Role::ProvincialAdmin,
            "{role:?}"
        );
        assert_eq!(
            a.payer().is_ok(),
            matches!(role, Role::Trainee | Role::UnitAdmin),
            "{role:?}"
        );
        assert_eq!(
            a.policy_manager().is_ok(),
            role == Role::ProvincialAdmin,
            "{role:?}"
        );
        assert_eq!(
            a.office().is_ok(),
            matches!(role, Role::OfficeAdmin | Role::ProvincialAdmin),
            "{role:?}"
        );
        assert_eq!(
            a.audit_reader().is_ok(),
            matches!(role, Role::OfficeAdmin | Role::ProvincialAdmin),
            "{role:?}"
        );
        assert_eq!(a.is_admin(), role != Role::Trainee);
        assert_eq!(is_admin(role), a.is_admin());
    }
}

#[test]
fn a_unit_admin_without_a_unit_has_no_unit_capability() {
    let a = actor(Role::UnitAdmin, None);
    assert_eq!(a.unit_admin().unwrap_err(), AccessError::Forbidden);
    assert_eq!(a.payer().unwrap_err(), AccessError::Forbidden);
    assert_eq!(a.people().unwrap_err(), AccessError::Forbidden);
}

#[test]
fn people_scopes_follow_the_role() {
    assert_eq!(
        actor(Role::Trainee, Some(3)).people().unwrap().within(),
        Within::Person(7)
    );
    assert_eq!(
        actor(Role::UnitAdmin, Some(3)).people().unwrap().within(),
        Within::Unit(3)
    );
    for role in [Role::OfficeAdmin, Role::ProvincialAdmin] {
        assert_eq!(
            actor(role, None).people().unwrap().within(),
            Within::Region(QUANZHOU)
        );
    }
    assert!(actor(Role::Proctor, None).people().is_err());
    let homeless = Actor::for_test(person(Role::OfficeAdmin, None), None);
    assert!(homeless.people().is_err());
}

#[test]
fn offices_answer_for_their_subtree_and_the_province_reads_every_audit_entry() {
    let office = actor(Role::OfficeAdmin, None);
    let (_, scope) = office.office().unwrap();
    assert_eq!(scope.within(), Within::Region(QUANZHOU));
    assert_eq!(scope.region_pattern(), Some("/350000/350500/%"));
    assert_eq!(
        office.audit_reader().unwrap(),
        AuditReach::Within(Scope::region(QUANZHOU))
    );
    assert_eq!(
        actor(Role::ProvincialAdmin, None).audit_reader().unwrap(),
        AuditReach::All
    );
    let homeless = Actor::for_test(person(Role::OfficeAdmin, None), None);
    assert!(homeless.office().is_err() && homeless.audit_reader().is_err());
    assert_eq!(Scope::unit(3).region_pattern(), None);
}

#[test]
fn a_region_scope_contains_its_subtree_only() {
    let quanzhou = actor(Role::OfficeAdmin, None).people().unwrap();
    assert!(quanzhou.contains_region("/350000/350500/"));
    assert!(quanzhou.contains_region("/350000/350500/350502/"));
    assert!(!quanzhou.contains_region("/350000/"));
    assert!(!quanzhou.contains_region("/350000/350100/"));
    // A sibling whose code starts with the same digits is not inside.
    let licheng = Scope::region("/350000/350500/350502/");
    assert!(!licheng.contains_region("/350000/350500/350503/"));
    assert!(!Scope::unit(3).contains_region("/350000/350500/"));
}

#[test]
fn scope_sql_names_the_column_and_its_parameter() {
    assert_eq!(Scope::person(1).people_sql("u", 2), "u.id = $2");
    assert_eq!(Scope::unit(1).people_sql("x", 1), "x.unit_id = $1");
    let region = Scope::region("/350000/").people_sql("u", 3);
    assert!(region.starts_with("u.unit_id IN (SELECT") && region.contains("LIKE $3"));
}

#[test]
fn payers_pay_their_own_orders_only() {
    let trainee = actor(Role::Trainee, Some(3));
    let p = trainee.payer().unwrap();
    assert!(p.may_pay(OrderKind::Individual, 7, Some(3)));
    assert!(!p.may_pay(OrderKind::Individual, 8, Some(3)));
    assert!(!p.may_pay(OrderKind::Unit, 7, Some(3)));
    let admin = actor(Role::UnitAdmin, Some(3));
    let p = admin.payer().unwrap();
    assert!(p.may_pay(OrderKind::Unit, 99, Some(3)));
    assert!(!p.may_pay(OrderKind::Unit, 99, Some(4)));
    assert!(!p.may_pay(OrderKind::Individual, 7, Some(3)));
}

/// The access module is the one place that compares roles: a role comparison anywhere else
/// in the server's code fails this test.
#[test]
fn no_role_is_compared_outside_the_access_module() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let patterns = [
        // (The regex crate is built without Unicode classes here, so no \s, \w or \b.)
        r"(^|[^A-Za-z_])role[ \t]*[!=]=",
        r"[!=]=[ \t]*Role::",
        r"Role::[A-Za-z]+[ \t]*(=>|\|)",
        r"matches!\([^)]*Role::",
        r"\.require\(",
    ];
    let patterns: Vec<_> = patterns
        .iter()
        .map(|p| regex::Regex::new(p).unwrap())
        .collect();
    let mut offenders = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != src.join("access") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if patterns.iter().any(|p| p.is_match(line)) {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "role checks outside server/src/access:\n{}",
        offenders.join("\n")
    );
}
