//! Choosing one's employer among hundreds of units: pick the city, optionally the county, then
//! the unit from a list that has shrunk to that area; or type a few characters of the unit's
//! name, which shrinks the list the same way. The choice itself stays a drop-down, so that only
//! a unit the server knows can be sent.

use crate::components::field::SelectField;
use crate::i18n::t;
use leptos::prelude::*;
use qinxue_core::api::{Region, Unit};

/// City and county filters, and the `unit_id` select they narrow down.
#[component]
pub fn UnitPicker(
    /// Every unit, from `GET /api/units`.
    units: Vec<Unit>,
    /// The region tree, from `GET /api/regions`.
    regions: Vec<Region>,
    /// The chosen unit's id as text; empty while none is chosen.
    unit_id: RwSignal<String>,
    /// The message to show under the unit list.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Called when the person leaves the unit list.
    on_blur: Callback<()>,
) -> impl IntoView {
    let text = t();
    let city = RwSignal::new(String::new());
    let county = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let regions = StoredValue::new(regions);
    let units = StoredValue::new(units);

    // 省直 units (registered at the province itself) come first, then the cities.
    let cities = regions.with_value(|all| {
        let provinces = options_of_level(all, 1, None)
            .into_iter()
            .map(|(code, name)| (code, (text.province_units)(&name)));
        provinces
            .chain(options_of_level(all, 2, None))
            .collect::<Vec<_>>()
    });
    let counties = Signal::derive(move || {
        let city = city.get();
        if city.is_empty() {
            Vec::new()
        } else {
            regions.with_value(|all| options_of_level(all, 3, Some(&city)))
        }
    });
    let scope = move || {
        let county = county.get();
        if county.is_empty() {
            city.get()
        } else {
            county
        }
    };
    let unit_options = Signal::derive(move || {
        let scope = scope();
        let words = search.get();
        regions.with_value(|regions| {
            units.with_value(|units| {
                units_in_region(units, regions, &scope)
                    .filter(|u| name_matches(&u.name, &words))
                    .map(|u| (u.id.to_string(), (text.unit_option)(&u.name, place(u))))
                    .collect::<Vec<_>>()
            })
        })
    });
    // A unit chosen earlier stays chosen only if it is still in the narrowed list.
    let keep_unit_if_in_scope = Callback::new(move |_: String| {
        let still_listed = unit_options
            .with_untracked(|o| o.iter().any(|(id, _)| unit_id.with_untracked(|u| u == id)));
        if !still_listed {
            unit_id.set(String::new());
        }
    });
    let on_city = Callback::new(move |picked: String| {
        county.set(String::new());
        keep_unit_if_in_scope.run(picked);
    });
    let on_search = move |ev: leptos::ev::Event| {
        search.set(event_target_value(&ev));
        keep_unit_if_in_scope.run(String::new());
    };
    let nothing_here = move || {
        !(city.with(String::is_empty) && search.with(|s| s.trim().is_empty()))
            && unit_options.with(Vec::is_empty)
    };

    view! {
        <fieldset class="unit-picker">
            <legend>{text.unit_legend}</legend>
            <div class="field">
                <label for="unit_search">{text.unit_search}</label>
                <p class="field-hint" id="hint-unit_search">{text.unit_search_hint}</p>
                <input
                    id="unit_search"
                    type="search"
                    autocomplete="off"
                    aria-describedby="hint-unit_search"
                    aria-controls="unit_id"
                    prop:value=search
                    on:input=on_search
                />
            </div>
            <SelectField
                name="city"
                label=text.city
                value=city
                options=cities
                placeholder=text.any_city
                on_pick=on_city
            />
            <Show when=move || counties.with(|c| !c.is_empty())>
                <SelectField
                    name="county"
                    label=text.county
                    value=county
                    options=counties
                    placeholder=text.any_county
                    on_pick=keep_unit_if_in_scope
                />
            </Show>
            <SelectField
                name="unit_id"
                label=text.unit
                value=unit_id
                options=unit_options
                placeholder=text.choose
                error
                on_blur
                hint=text.unit_hint
            />
            <Show when=nothing_here>
                <p class="notice">{text.no_units_here}</p>
            </Show>
        </fieldset>
    }
}

/// Whether a unit's name holds every word typed in the search (separated by spaces); no words
/// match every unit.
fn name_matches(name: &str, search: &str) -> bool {
    search.split_whitespace().all(|word| name.contains(word))
}

/// `(code, name)` of the regions of one level, optionally under one parent, in the server's
/// order (by code).
fn options_of_level(regions: &[Region], level: i32, parent: Option<&str>) -> Vec<(String, String)> {
    regions
        .iter()
        .filter(|r| r.level == level && parent.is_none_or(|p| r.parent_code.as_deref() == Some(p)))
        .map(|r| (r.code.clone(), r.name.clone()))
        .collect()
}

/// The units inside the region `scope` or any region below it; every unit for an empty scope.
/// The province stands for its 省直 units only (those registered at the province itself),
/// since "the whole province" is what an empty scope already means. Walks the tree by
/// `parent_code` rather than trusting code prefixes, since special zones (e.g. 泉州台商区)
/// have codes outside their city's prefix.
pub fn units_in_region<'a>(
    units: &'a [Unit],
    regions: &[Region],
    scope: &str,
) -> impl Iterator<Item = &'a Unit> {
    let mut inside: Vec<String> = Vec::new();
    if !scope.is_empty() {
        inside.push(scope.to_owned());
        let is_province = regions.iter().any(|r| r.code == scope && r.level == 1);
        // A parent always comes before its children in the server's order (by level), so one
        // pass collects the whole subtree.
        for r in regions.iter().filter(|_| !is_province) {
            if r.parent_code.as_ref().is_some_and(|p| inside.contains(p)) {
                inside.push(r.code.clone());
            }
        }
    }
    units
        .iter()
        .filter(move |u| inside.is_empty() || inside.contains(&u.region_code))
}

/// The most precise part of a unit's region path, e.g. `鲤城区` of `福建省 泉州市 鲤城区`.
fn place(unit: &Unit) -> &str {
    unit.region_name
        .split_whitespace()
        .last()
        .unwrap_or(&unit.region_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, name: &str, parent: Option<&str>, level: i32) -> Region {
        Region {
            code: code.into(),
            name: name.into(),
            parent_code: parent.map(Into::into),
            level,
        }
    }

    fn unit(id: i64, region_code: &str) -> Unit {
        Unit {
            id,
            name: format!("单位{id}"),
            region_code: region_code.into(),
            region_name: "福建省 泉州市 鲤城区".into(),
        }
    }

    /// As the server sends it: by level, then code.
    fn tree() -> Vec<Region> {
        vec![
            region("350000", "福建省", None, 1),
            region("350100", "福州市", Some("350000"), 2),
            region("350500", "泉州市", Some("350000"), 2),
            region("350102", "鼓楼区", Some("350100"), 3),
            region("350502", "鲤城区", Some("350500"), 3),
            region("350599", "泉州台商投资区", Some("350500"), 3),
        ]
    }

    fn ids<'a>(units: impl Iterator<Item = &'a Unit>) -> Vec<i64> {
        units.map(|u| u.id).collect()
    }

    #[test]
    fn a_city_holds_the_units_of_its_counties_and_its_own() {
        let units = [
            unit(1, "350502"),
            unit(2, "350599"),
            unit(3, "350500"),
            unit(4, "350102"),
        ];
        assert_eq!(ids(units_in_region(&units, &tree(), "350500")), [1, 2, 3]);
        assert_eq!(ids(units_in_region(&units, &tree(), "350502")), [1]);
        assert_eq!(ids(units_in_region(&units, &tree(), "")), [1, 2, 3, 4]);
    }

    #[test]
    fn the_province_holds_only_the_units_registered_at_the_province() {
        let units = [unit(1, "350000"), unit(2, "350502")];
        assert_eq!(ids(units_in_region(&units, &tree(), "350000")), [1]);
    }

    #[test]
    fn cities_and_counties_are_listed_under_their_parent_in_the_servers_order() {
        let cities = options_of_level(&tree(), 2, None);
        assert_eq!(cities[0], ("350100".to_owned(), "福州市".to_owned()));
        let counties = options_of_level(&tree(), 3, Some("350500"));
        assert_eq!(counties.len(), 2);
    }

    #[test]
    fn the_search_keeps_the_units_whose_name_holds_every_word() {
        let name = "泉州市鲤城区机关事务服务中心";
        assert!(name_matches(name, ""));
        assert!(name_matches(name, "  机关事务 "));
        assert!(name_matches(name, "鲤城 服务中心"));
        assert!(!name_matches(name, "鲤城 医院"));
    }

    #[test]
    fn a_unit_is_placed_by_the_last_part_of_its_region_path() {
        assert_eq!(place(&unit(1, "350502")), "鲤城区");
    }
}
