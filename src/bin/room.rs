//! The computer room's kiosk (`room.html`, served at `/room/<code>`).

fn main() {
    qinxue::start(qinxue::room::RoomApp);
}
