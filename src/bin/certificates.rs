//! The certificates bundle (`certificates.html`, served at `/certificates/` and `/verify/`).

fn main() {
    qinxue::start(qinxue::certificates_app::CertificatesApp);
}
