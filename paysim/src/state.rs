//! The state every handler shares: configuration, payments and the notifier.

use crate::config::Config;
use crate::notify::Notifier;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The base of cashier URLs, without a trailing slash (`http://127.0.0.1:8090`).
    pub public_url: Arc<str>,
    pub store: Arc<Store>,
    pub notifier: Notifier,
}

impl AppState {
    pub fn cashier_url(&self, payment_id: &str) -> String {
        format!("{}/cashier/{payment_id}", self.public_url)
    }

    /// Starts the notification of a payment's new final state.
    pub fn notify(&self, payment: &crate::store::Payment) {
        if let Some(event) = crate::notify::Event::of(payment) {
            self.notifier.send(event);
        }
    }
}
