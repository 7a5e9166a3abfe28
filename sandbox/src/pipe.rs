//! In-memory stdout/stderr for guests, with a byte cap that stops the program.
//!
//! wasmtime-wasi's stock `MemoryOutputPipe` reports "closed" once full, so a program that floods
//! its output keeps running and the flood is silently dropped. Here a write past the cap traps the
//! guest with [`OutputLimitHit`], which the runner turns into `OutputLimitExceeded`.

use bytes::{Bytes, BytesMut};
use std::sync::{Arc, Mutex};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Marker error carried by the trap raised when a guest writes past its output cap.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("output limit of {limit} bytes exceeded")]
pub struct OutputLimitHit {
    /// The cap in bytes.
    pub limit: usize,
}

/// A capped, shareable in-memory output buffer. Clones share the same buffer.
#[derive(Clone)]
pub struct CappedPipe {
    limit: usize,
    buffer: Arc<Mutex<BytesMut>>,
}

impl CappedPipe {
    /// A new empty pipe that accepts at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        CappedPipe {
            limit,
            buffer: Arc::new(Mutex::new(BytesMut::new())),
        }
    }

    /// Everything written so far (at most `limit` bytes).
    pub fn contents(&self) -> Vec<u8> {
        lock(&self.buffer).to_vec()
    }

    /// Appends `bytes`, keeping what fits, and reports whether the cap was crossed.
    fn append(&self, bytes: &[u8]) -> Result<(), OutputLimitHit> {
        let mut buf = lock(&self.buffer);
        let room = self.limit.saturating_sub(buf.len());
        if bytes.len() > room {
            buf.extend_from_slice(&bytes[..room]);
            return Err(OutputLimitHit { limit: self.limit });
        }
        buf.extend_from_slice(bytes);
        Ok(())
    }
}

/// Locks a buffer, recovering it even if a previous holder panicked (the data stays valid).
fn lock(buffer: &Mutex<BytesMut>) -> std::sync::MutexGuard<'_, BytesMut> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait::async_trait]
impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.append(&bytes)
            .map_err(|hit| StreamError::Trap(wasmtime::Error::new(hit)))
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        // Always grant a full chunk: a write past the cap must reach `write` and trap there,
        // rather than being refused here (which a guest would treat as a closed pipe and ignore).
        Ok(64 * 1024)
    }
}

#[async_trait::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl tokio::io::AsyncWrite for CappedPipe {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let result = self
            .append(buf)
            .map(|()| buf.len())
            .map_err(std::io::Error::other);
        std::task::Poll::Ready(result)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_fits_and_reports_the_overflow() {
        let pipe = CappedPipe::new(5);
        assert!(pipe.append(b"abc").is_ok());
        assert!(pipe.append(b"defg").is_err());
        assert_eq!(pipe.contents(), b"abcde");
    }
}
