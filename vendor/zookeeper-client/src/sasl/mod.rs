#[allow(unused_imports)]
use std::borrow::Cow;

#[cfg(feature = "sasl-gssapi")]
mod gssapi;
#[cfg(feature = "sasl-gssapi")]
pub use gssapi::*;

#[cfg(feature = "sasl-digest-md5")]
mod digest_md5;
#[cfg(feature = "sasl-digest-md5")]
pub use digest_md5::*;

#[cfg(feature = "sasl-digest-md5")]
mod mechanisms {
    mod digest_md5;
}

use rsasl::prelude::*;

use crate::error::Error;

pub(crate) type Result<T, E = crate::error::Error> = std::result::Result<T, E>;

pub(crate) trait SaslInitiator {
    fn new_session(&self, hostname: &str) -> Result<SaslSession>;
}

/// Client side SASL options.
#[derive(Clone, Debug)]
pub struct SaslOptions(SaslInnerOptions);

#[derive(Clone, Debug)]
enum SaslInnerOptions {
    // kraftcheck: a mechanism the application implements (see `CustomSasl`).
    Custom(std::sync::Arc<dyn CustomSasl>),
    #[cfg(feature = "sasl-gssapi")]
    Gssapi(GssapiSaslOptions),
    #[cfg(feature = "sasl-digest-md5")]
    DigestMd5(DigestMd5SaslOptions),
}

impl SaslOptions {
    /// Constructs a default [GssapiSaslOptions] for further customization.
    ///
    /// Make sure localhost is granted by Kerberos KDC, unlike Java counterpart this library
    /// provides no mean to grant ticket from KDC but simply utilizes whatever the ticket cache
    /// have.
    #[cfg(feature = "sasl-gssapi")]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "sasl", feature = "sasl-gssapi"))))]
    pub fn gssapi() -> GssapiSaslOptions {
        GssapiSaslOptions::new()
    }

    /// Construct a [DigestMd5SaslOptions] for further customization.
    #[cfg(feature = "sasl-digest-md5")]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "sasl", feature = "sasl-digest-md5"))))]
    pub fn digest_md5(
        username: impl Into<Cow<'static, str>>,
        password: impl Into<Cow<'static, str>>,
    ) -> DigestMd5SaslOptions {
        DigestMd5SaslOptions::new(username, password)
    }
}

// kraftcheck: the hook for a SASL mechanism of the application's own, added so that kraftcheck
// can log in with Kerberos (GSSAPI) through the GSSAPI library it loads at run time instead of
// the `sasl-gssapi` feature, which links libgssapi at build time. ZooKeeper's SASL exchange
// carries only tokens (no mechanism name): the mechanism gives the first token, then answers
// each challenge until it has nothing more to send.

/// A client SASL mechanism supplied by the application (kraftcheck's addition).
pub trait CustomSasl: Send + Sync + std::fmt::Debug {
    /// Start an exchange with the server at `hostname` (as in the connect string).
    fn start(&self, hostname: &str) -> std::result::Result<Box<dyn CustomSaslSession>, String>;
}

/// One exchange of a [CustomSasl] mechanism.
pub trait CustomSaslSession: Send {
    /// The first token sent to the server.
    fn initial(&self) -> &[u8];
    /// The answer to a server challenge, or `None` when the exchange is complete on this side.
    fn step(&mut self, challenge: &[u8]) -> std::result::Result<Option<Vec<u8>>, String>;
}

impl SaslOptions {
    /// A mechanism of the application's own (kraftcheck's addition).
    pub fn custom(mechanism: std::sync::Arc<dyn CustomSasl>) -> Self {
        Self(SaslInnerOptions::Custom(mechanism))
    }
}

impl SaslInitiator for SaslOptions {
    fn new_session(&self, hostname: &str) -> Result<SaslSession> {
        match &self.0 {
            SaslInnerOptions::Custom(mechanism) => {
                let session = mechanism.start(hostname).map_err(Error::UnexpectedError)?;
                Ok(SaslSession { output: Vec::new(), inner: Inner::Custom(session), finished: false })
            },
            #[cfg(feature = "sasl-digest-md5")]
            SaslInnerOptions::DigestMd5(options) => options.new_session(hostname),
            #[cfg(feature = "sasl-gssapi")]
            SaslInnerOptions::Gssapi(options) => options.new_session(hostname),
        }
    }
}

pub struct SaslSession {
    output: Vec<u8>,
    inner: Inner,
    finished: bool,
}

enum Inner {
    Rsasl(Session),
    Custom(Box<dyn CustomSaslSession>),
}

impl SaslSession {
    #[allow(dead_code)]
    fn new(session: Session) -> Result<Self> {
        let mut session = Self { inner: Inner::Rsasl(session), output: Default::default(), finished: false };
        if let Inner::Rsasl(s) = &session.inner {
            if s.are_we_first() {
                session.step(Default::default())?;
            }
        }
        Ok(session)
    }

    pub fn name(&self) -> &str {
        match &self.inner {
            Inner::Rsasl(s) => s.get_mechname().as_str(),
            Inner::Custom(_) => "custom",
        }
    }

    pub fn initial(&self) -> &[u8] {
        match &self.inner {
            Inner::Rsasl(_) => &self.output,
            Inner::Custom(s) => s.initial(),
        }
    }

    pub fn step(&mut self, challenge: &[u8]) -> Result<Option<&[u8]>> {
        if self.finished {
            return Err(Error::UnexpectedError(format!("SASL {} session already finished", self.name())));
        }
        self.output.clear();
        let session = match &mut self.inner {
            Inner::Rsasl(s) => s,
            Inner::Custom(s) => {
                return match s.step(challenge).map_err(Error::UnexpectedError)? {
                    Some(answer) => {
                        self.output = answer;
                        Ok(Some(&self.output))
                    },
                    None => {
                        self.finished = true;
                        Ok(None)
                    },
                };
            },
        };
        match session.step(Some(challenge), &mut self.output).map_err(Error::other)? {
            State::Running => Ok(Some(&self.output)),
            State::Finished(MessageSent::Yes) => {
                self.finished = true;
                Ok(Some(&self.output))
            },
            State::Finished(MessageSent::No) => {
                self.finished = true;
                Ok(None)
            },
        }
    }
}
