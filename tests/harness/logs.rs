//! Captures the hub's `tracing` events in process, each with the `exchange.id` of the span it
//! happened in, so tests can assert what an operator would read in the log.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// One captured event.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Its level.
    pub level: Level,
    /// The exchange id of the span it happened in, if any.
    pub exchange_id: Option<String>,
    /// The event's own fields, `message` included, as text.
    pub fields: HashMap<String, String>,
}

static EVENTS: Mutex<Vec<Captured>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

/// Installs the capturing layer as the process's subscriber (once).
pub fn install() {
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(Capture);
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// The events at `level` that happened during exchange `id`.
pub fn events(id: &str, level: Level) -> Vec<Captured> {
    EVENTS
        .lock()
        .expect("log capture lock")
        .iter()
        .filter(|e| e.level == level && e.exchange_id.as_deref() == Some(id))
        .cloned()
        .collect()
}

#[derive(Default)]
struct Fields(HashMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

struct Capture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let exchange_id = ctx.event_scope(event).and_then(|scope| {
            scope.from_root().find_map(|span| {
                span.extensions()
                    .get::<Fields>()
                    .and_then(|f| f.0.get("exchange.id").cloned())
            })
        });
        let exchange_id = exchange_id.or_else(|| fields.0.get("exchange.id").cloned());
        EVENTS.lock().expect("log capture lock").push(Captured {
            level: *event.metadata().level(),
            exchange_id,
            fields: fields.0,
        });
    }
}
