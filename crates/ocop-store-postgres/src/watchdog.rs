//! A client-side deadline on TLS connections: once a request is written, the server must
//! send something back within the limit (the statement timeout plus the connect timeout),
//! or the connection fails with a timeout. The statement timeout stops a statement the
//! server is running; this stops the wait for a server that does not run at all (a frozen
//! process, storage that no longer answers), whose kernel still acknowledges the packets so
//! that TCP keepalives never notice.
//!
//! It wraps the TLS stream, so it sees the protocol's bytes, not TLS records: the server's
//! session tickets do not count as an answer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use postgres::Socket;
use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;
use tokio_postgres_rustls::MakeRustlsConnect;

type Inner = <MakeRustlsConnect as MakeTlsConnect<Socket>>::TlsConnect;
type InnerStream = <Inner as TlsConnect<Socket>>::Stream;
type InnerFuture = <Inner as TlsConnect<Socket>>::Future;

/// rustls, with the deadline on each connection it makes.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) rustls: MakeRustlsConnect,
    /// `None`: no deadline (no statement timeout either).
    pub(crate) limit: Option<Duration>,
}

impl MakeTlsConnect<Socket> for Connector {
    type Stream = Watched<InnerStream>;
    type TlsConnect = Connect;
    type Error = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect {
            inner: MakeTlsConnect::<Socket>::make_tls_connect(&mut self.rustls, domain)?,
            limit: self.limit,
        })
    }
}

pub(crate) struct Connect {
    inner: Inner,
    limit: Option<Duration>,
}

impl TlsConnect<Socket> for Connect {
    type Stream = Watched<InnerStream>;
    type Error = <Inner as TlsConnect<Socket>>::Error;
    type Future = Handshake;

    fn connect(self, stream: Socket) -> Handshake {
        Handshake {
            inner: Box::pin(self.inner.connect(stream)),
            limit: self.limit,
        }
    }
}

pub(crate) struct Handshake {
    inner: Pin<Box<InnerFuture>>,
    limit: Option<Duration>,
}

impl Future for Handshake {
    type Output = Result<Watched<InnerStream>, <Inner as TlsConnect<Socket>>::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let limit = self.limit;
        self.inner.as_mut().poll(cx).map_ok(|inner| Watched {
            inner,
            limit,
            timer: None,
        })
    }
}

/// A stream whose reads fail once a written request has gone unanswered for `limit`.
pub(crate) struct Watched<S> {
    inner: S,
    limit: Option<Duration>,
    /// Armed by a write while nothing is awaited, disarmed by any byte read.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.timer = None;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match this.timer.as_mut().map(|t| t.as_mut().poll(cx)) {
                Some(Poll::Ready(())) => {
                    this.timer = None;
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the server sent nothing for {:?} after a request (statement timeout plus connect timeout)",
                            this.limit.unwrap_or_default()
                        ),
                    )))
                }
                _ => Poll::Pending,
            },
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, data);
        if let (Poll::Ready(Ok(n)), Some(limit), None) = (&written, this.limit, &this.timer)
            && *n > 0
        {
            let mut timer = Box::pin(tokio::time::sleep(limit));
            // Register the task with the timer now: the reader may already be waiting.
            let _ = timer.as_mut().poll(cx);
            this.timer = Some(timer);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: TlsStream + Unpin> TlsStream for Watched<S> {
    fn channel_binding(&self) -> ChannelBinding {
        self.inner.channel_binding()
    }
}
