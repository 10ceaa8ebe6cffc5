//! Decoder of the trainee's coming group sessions (`GET /api/me/group-sessions`), shown on
//! the home page; the admin app and the room's kiosk read the other group answers with serde.

use super::{boolean, int, string, time, uint, FromJson, Json};
use qinxue_core::group::{GroupFormat, GroupSessionSummary, GroupStatus};

impl FromJson for GroupSessionSummary {
    fn from_json<J: Json>(o: &J) -> Option<Self> {
        Some(Self {
            id: int(o, "id")?,
            code: string(o, "code")?,
            title: string(o, "title")?,
            room: string(o, "room")?,
            region_code: string(o, "region_code")?,
            region_name: string(o, "region_name")?,
            starts_at: time(o, "starts_at")?,
            ends_at: time(o, "ends_at")?,
            capacity: uint(o, "capacity")?,
            course_id: int(o, "course_id")?,
            course_title: string(o, "course_title")?,
            proctor_login: string(o, "proctor_login")?,
            proctor_name: string(o, "proctor_name")?,
            format: GroupFormat::from_wire(&string(o, "format")?)?,
            status: GroupStatus::from_wire(&string(o, "status")?)?,
            open_to_region: boolean(o, "open_to_region")?,
            assigned: uint(o, "assigned")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::FromJson;
    use chrono::DateTime;
    use qinxue_core::group::{GroupFormat, GroupSessionSummary, GroupStatus};
    use serde_json::Value;

    fn summary(format: GroupFormat, status: GroupStatus, open: bool) -> GroupSessionSummary {
        GroupSessionSummary {
            id: 3,
            code: "QZJZ2626".into(),
            title: "鲤城区工勤人员集中学习".into(),
            room: "三楼机房".into(),
            region_code: "350502".into(),
            region_name: "福建省 泉州市 鲤城区".into(),
            starts_at: DateTime::from_timestamp_millis(1_764_900_000_123).unwrap(),
            ends_at: DateTime::from_timestamp_millis(1_764_910_800_456).unwrap(),
            capacity: 60,
            course_id: 7,
            course_title: "职业道德与工勤人员行为规范".into(),
            proctor_login: "proctor-demo".into(),
            proctor_name: "黄志明".into(),
            format,
            status,
            open_to_region: open,
            assigned: if open { 0 } else { 12 },
        }
    }

    #[test]
    fn coming_group_sessions_read_back_as_the_server_wrote_them() {
        let formats = [GroupFormat::Seats, GroupFormat::Lecture];
        let statuses = [
            GroupStatus::Scheduled,
            GroupStatus::Open,
            GroupStatus::Closed,
            GroupStatus::Cancelled,
        ];
        for (i, status) in statuses.into_iter().enumerate() {
            let s = summary(formats[i % 2], status, i % 2 == 0);
            let parsed: Value = serde_json::to_value(vec![s.clone()]).unwrap();
            assert_eq!(
                Vec::<GroupSessionSummary>::from_json(&&parsed),
                Some(vec![s])
            );
        }
    }
}
