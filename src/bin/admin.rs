//! The administrators' bundle (`admin.html`, served under `/admin/`).

fn main() {
    qinxue::start(qinxue::admin::AdminApp);
}
