//! The browser's idea of now. chrono's clock does not work on `wasm32-unknown-unknown`, so the
//! time comes from JavaScript's `Date`.

use chrono::{DateTime, NaiveDate, Utc};
use web_sys::js_sys::Date;

/// Now, to the millisecond.
pub fn now() -> DateTime<Utc> {
    // Date.now() is whole milliseconds well inside i64, so the cast is exact.
    DateTime::<Utc>::from_timestamp_millis(Date::now() as i64).unwrap_or_default()
}

/// Today's date in Shanghai, which is what the 身份证号 birth-date check compares against.
pub fn today_in_shanghai() -> NaiveDate {
    qinxue_core::time::local_date(now())
}
