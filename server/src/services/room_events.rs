//! Changes of group sessions, told to the consoles that watch them on this server instance.
//!
//! A change (a seat signing in, a heartbeat at a seat, a roll call, an answer) names its
//! session here; each console's event stream (`GET /api/group-sessions/{id}/events`) then
//! reads the session again and sends what differs. The streams also read it every second
//! whatever they hear, which covers changes made on other server instances and the passing
//! of time (a seat falls silent without anything happening).

use tokio::sync::broadcast;

/// How many changes may wait for a slow stream; one that falls further behind reads the
/// session again anyway.
const BACKLOG: usize = 1024;

/// The changes of this process; cheap to clone.
#[derive(Clone, Debug)]
pub struct RoomEvents {
    tx: broadcast::Sender<i64>,
}

impl Default for RoomEvents {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(BACKLOG).0,
        }
    }
}

impl RoomEvents {
    /// Tells the streams watching group session `id` that it changed.
    pub fn changed(&self, id: i64) {
        // No stream listening is not an error.
        let _ = self.tx.send(id);
    }

    /// The changes from now on, of every session.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }
}
