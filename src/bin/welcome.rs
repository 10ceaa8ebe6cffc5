//! The visitors' bundle (`welcome.html`, served at `/`, `/login`, `/register` and `/help` to a
//! request without a valid sign-in; see `qinxue::welcome_app`).

fn main() {
    qinxue::start(qinxue::welcome_app::WelcomeApp);
}
