//! What every handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use ocop_engine::Clock;

use crate::api::problem::Problem;
use crate::auth::{Authenticator, Principal};
use crate::catalogue::Catalogue;
use crate::limits::RateLimiter;
use crate::metrics::Metrics;
use crate::province::Province;

/// The server's shared state (cheap to clone).
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<Shared>);

pub(crate) struct Shared {
    pub(crate) catalogue: Catalogue,
    pub(crate) provinces: BTreeMap<String, Arc<Province>>,
    pub(crate) auth: Authenticator,
    pub(crate) limiter: RateLimiter,
    pub(crate) metrics: Metrics,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_body: usize,
    pub(crate) timeout: std::time::Duration,
    pub(crate) web: crate::web::Web,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// The province of a principal.
    pub(crate) fn province(&self, p: &Principal) -> Result<Arc<Province>, Problem> {
        self.provinces
            .get(&p.province)
            .cloned()
            .ok_or_else(Problem::internal)
    }
}
