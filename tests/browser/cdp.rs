//! A minimal Chrome DevTools Protocol client for tests: starts the system Chromium
//! (Debian package `chromium`; never downloads a browser) headless with a throw-away
//! profile, talks CDP over its local WebSocket, and records every event so a test can look
//! for console errors and network requests.
//!
//! Why not the `headless_chrome` crate: this is ~200 lines on `tungstenite`, has no
//! background threads of its own besides the stderr reader, and every wait is bounded, which
//! keeps the test predictable on a 2-core CI machine.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Every event received so far (method + params + sessionId).
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome-stable",
        "google-chrome",
    ];
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

const STEP: Duration = Duration::from_secs(20);

impl Browser {
    pub fn launch(binary: &std::path::Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--metrics-recording-only",
                "--mute-audio",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--window-size=1280,800",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(i) = line.find("ws://") {
                        let _ = tx.send(line[i..].trim().to_string());
                        sent = true;
                    }
                }
                // Keep draining so the browser never blocks on a full pipe.
            }
        });
        let url = match rx.recv_timeout(STEP) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("Chromium did not print its DevTools address in 20 s".into());
            }
        };
        let (ws, _) = tungstenite::connect(&url).map_err(|e| format!("connect {url}: {e}"))?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .map_err(|e| e.to_string())?;
        }
        Ok(Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        })
    }

    /// One message, or None after the read timeout.
    fn read(&mut self) -> Result<Option<Value>, String> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str())
                .map(Some)
                .map_err(|e| e.to_string()),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(format!("CDP connection: {e}")),
        }
    }

    /// Send a command (to a page session when `session` is given) and wait for its result.
    pub fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("send {method}: {e}"))?;
        let deadline = Instant::now() + STEP;
        while Instant::now() < deadline {
            let Some(v) = self.read()? else { continue };
            if v.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(err) = v.get("error") {
                    return Err(format!("{method}: {err}"));
                }
                return Ok(v.get("result").cloned().unwrap_or(Value::Null));
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
        Err(format!("{method}: no answer in {STEP:?}"))
    }

    /// Wait until an event named `method` has arrived (also one that arrived earlier).
    pub fn wait_event(&mut self, method: &str, since: usize) -> Result<Value, String> {
        let deadline = Instant::now() + STEP;
        loop {
            if let Some(e) = self.events[since..].iter().find(|e| e["method"] == method) {
                return Ok(e.clone());
            }
            if Instant::now() > deadline {
                return Err(format!("no {method} event in {STEP:?}"));
            }
            if let Some(v) = self.read()? {
                if v.get("method").is_some() {
                    self.events.push(v);
                }
            }
        }
    }

    /// Collect events for a while (late console messages, late requests).
    pub fn settle(&mut self, d: Duration) -> Result<(), String> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if let Some(v) = self.read()? {
                if v.get("method").is_some() {
                    self.events.push(v);
                }
            }
        }
        Ok(())
    }

    /// Evaluate a JavaScript expression in the page and return its value (by value).
    pub fn eval(&mut self, session: &str, expr: &str) -> Result<Value, String> {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("script failed: {ex}"));
        }
        Ok(r["result"]["value"].clone())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
