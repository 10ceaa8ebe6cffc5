//! The trainee app's bundle (`index.html`): everything at `/` but `/admin/`.

fn main() {
    qinxue::start(qinxue::app::App);
}
