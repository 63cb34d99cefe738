//! Kerberos (SASL GSSAPI) to ZooKeeper, through kraftcheck's own GSSAPI (the system's
//! `libgssapi_krb5.so.2`, loaded at run time: `collect::kafka::gssapi`), plugged into the
//! ZooKeeper client as a custom SASL mechanism (`vendor/zookeeper-client/VENDORED.md` says why
//! the crate's own `sasl-gssapi` feature is not used: it links libgssapi at build time).
//!
//! The exchange is the one Java's ZooKeeper client makes (`ZooKeeperSaslClient` with Java's
//! GSS-API SASL client), in ZooKeeper's SASL packets: the tokens of `gss_init_sec_context` with
//! mutual authentication (the server's AP-REP is the last; an empty token is sent when the
//! context completes with nothing to send, as Java's client does), then RFC 4752 §3.1: the
//! server's wrapped security-layer offer is answered with "no security layer" and the client
//! principal as authorization id. The server principal is `SERVICE/HOST@REALM`: SERVICE is
//! `zookeeper.sasl.client.username` (default `zookeeper`), HOST the host as written in
//! `--zookeeper` (Java canonicalizes it by default; give the name the principal carries).
//!
//! The login (keytab or ticket cache) and the first context per host are made before the client
//! connects, bounded by the time-out: the client's SASL hook cannot wait, and a failed login
//! or an unknown server principal is reported in words instead of as a refused connection. The
//! hook then only runs local GSS calls (the service ticket is cached by then).

use crate::collect::kafka::gssapi::{Context, Kerberos};
use anyhow::{anyhow, Result};
use std::sync::Arc;
use std::time::Duration;
use zookeeper_client as zk;

/// The mechanism handed to the ZooKeeper client.
#[derive(Debug)]
pub struct ZkKerberos(pub Arc<Kerberos>);

/// Hosts of a connect string `HOST:PORT[,…][/chroot]`.
fn hosts(connect: &str) -> Vec<String> {
    connect
        .split('/')
        .next()
        .unwrap_or_default()
        .split(',')
        .filter_map(|h| {
            let h = h.trim();
            let host = match h.rsplit_once(':') {
                Some((host, _)) => host,
                None => h,
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            (!host.is_empty()).then(|| host.to_string())
        })
        .collect()
}

/// Log in and make the first context with each host of `connect`, bounded by `timeout`.
pub async fn prepare(krb: &Arc<Kerberos>, connect: &str, timeout: Duration) -> Result<()> {
    krb.login(timeout).await?;
    for host in hosts(connect) {
        let first = async {
            let ctx = krb.start(&host).await?;
            ctx.step(None).await.map(|_| ())
        };
        tokio::time::timeout(timeout, first).await.map_err(|_| {
            anyhow!(
                "{}: Kerberos service ticket for {}/{host}: no answer from the KDC within {} ms",
                krb.at,
                krb.service,
                timeout.as_millis()
            )
        })??;
    }
    Ok(())
}

impl zk::CustomSasl for ZkKerberos {
    fn start(&self, host: &str) -> Result<Box<dyn zk::CustomSaslSession>, String> {
        let fail = |e: anyhow::Error| format!("{e:#}");
        let mut ctx = self.0.start_blocking(host).map_err(fail)?;
        let (first, established) = ctx.step_blocking(None).map_err(fail)?;
        Ok(Box::new(Exchange {
            ctx,
            first,
            established,
            answered: false,
        }))
    }
}

/// One SASL exchange with one server.
struct Exchange {
    ctx: Context,
    first: Vec<u8>,
    established: bool,
    answered: bool,
}

impl zk::CustomSaslSession for Exchange {
    fn initial(&self) -> &[u8] {
        &self.first
    }

    fn step(&mut self, challenge: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let fail = |e: anyhow::Error| format!("{e:#}");
        if !self.established {
            let (token, done) = self.ctx.step_blocking(Some(challenge)).map_err(fail)?;
            self.established = done;
            // Complete with nothing to send: an empty token, answered with the offer.
            return Ok(Some(token));
        }
        if !self.answered {
            self.answered = true;
            return self
                .ctx
                .security_layer_blocking(challenge)
                .map(Some)
                .map_err(fail);
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::hosts;

    #[test]
    fn hosts_of_a_connect_string() {
        assert_eq!(
            hosts("zk-1:2181,zk-2.example.com:2181/kafka"),
            vec!["zk-1", "zk-2.example.com"]
        );
        assert_eq!(hosts("[::1]:2181"), vec!["::1"]);
        assert_eq!(hosts("localhost"), vec!["localhost"]);
    }
}
