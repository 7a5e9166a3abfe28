//! A compiled program: a module linked against our WASI host, with the arguments it runs
//! with and the content hash that names it in caches.

use crate::Language;
use crate::guest::Guest;
use std::sync::Arc;
use wasmtime::InstancePre;

/// A compiled program, ready to run any number of times (cheap to clone).
#[derive(Clone)]
pub struct Program {
    pub(crate) lang: Language,
    pub(crate) loaded: Arc<Loaded>,
    pub(crate) argv: Arc<Vec<String>>,
    pub(crate) key: Arc<str>,
}

impl Program {
    /// The source language.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// The content hash identifying this program in caches.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("lang", &self.lang)
            .field("key", &self.key)
            .finish()
    }
}

/// A module linked against our WASI host, ready to instantiate.
pub(crate) struct Loaded {
    pub(crate) pre: InstancePre<Guest>,
}
