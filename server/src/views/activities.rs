//! Supplementary activities as their office and the province see them.

use crate::storage::activities::ActivityRow;
use qinxue_core::activity::Activity;

pub fn activity(a: &ActivityRow) -> Activity {
    Activity {
        id: a.id,
        region: a.region_code.clone(),
        region_name: a.region_name.clone(),
        title: a.title.clone(),
        kind: a.kind,
        date: a.date,
        year: a.year,
        place: a.place.clone(),
        hours: a.hours,
        expected: a.expected,
        status: a.status,
        reason: a.reason.clone(),
        filed_at: a.filed_at,
        decided_at: a.decided_at,
        attendees: a.attendees,
    }
}
