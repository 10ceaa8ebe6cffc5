//! The study player: the timing rules and the Markdown subset (host-tested), the page's
//! elements, and the session that drives them in the browser.

pub mod heartbeat;
pub mod markdown;
pub mod player;
pub mod screen;
