//! Kerberos for Kafka's SASL/GSSAPI, through the system's MIT GSSAPI library
//! (`libgssapi_krb5.so.2`), loaded when a GSSAPI login is first needed. kraftcheck links nothing
//! of Kerberos at build time: a machine without Kerberos builds and runs it, and only a GSSAPI
//! login asks for the library (and says which package has it when it is missing).
//!
//! The exchange is Kafka's (its `SaslClientAuthenticator` with Java's GSS-API SASL client):
//! SaslHandshake(GSSAPI), then the raw GSS tokens of `gss_init_sec_context` in SaslAuthenticate
//! requests (mutual authentication), then the RFC 4752 §3.1 security-layer step: the broker's
//! wrapped 4-byte offer is unwrapped and answered with a wrapped `[0x01, 0, 0, 0]` (no security
//! layer, as Kafka uses none) followed by the authorization id, the client principal, as Java's
//! client sends it.
//!
//! Credentials follow Java's `Krb5LoginModule` options: `useKeyTab=true keyTab=… principal=…`
//! logs in from the keytab into a `MEMORY:` credential cache of this process (MIT's
//! `gss_acquire_cred_from` with `client_keytab` and `ccache`), so no ticket is written to disk;
//! `useTicketCache=true` uses the ticket cache (`ticketCache=…`, else `KRB5CCNAME`, else the
//! default). `KRB5_CONFIG` is read by the library itself. Credentials are acquired once per run
//! and shared by every connection. GSS calls can block on the KDC, so each runs on its own
//! thread; the connection's timeout bounds them. Key material never passes through kraftcheck:
//! only paths, principal names and the library's status messages appear in messages.

use anyhow::{anyhow, bail, Result};
use std::ffi::{c_char, c_int, c_void, CString};
use std::fmt;
use std::sync::{Arc, OnceLock};

// --- RFC 2744 C bindings (MIT krb5's gssapi.h on LP64 systems), declared by hand --------------

type OmUint32 = u32;
type GssName = *mut c_void;
type GssCred = *mut c_void;
type GssCtx = *mut c_void;

#[repr(C)]
struct Buffer {
    length: usize,
    value: *mut c_void,
}

impl Buffer {
    fn empty() -> Buffer {
        Buffer {
            length: 0,
            value: std::ptr::null_mut(),
        }
    }
    fn of(data: &[u8]) -> Buffer {
        Buffer {
            length: data.len(),
            value: data.as_ptr() as *mut c_void,
        }
    }
}

#[repr(C)]
struct Oid {
    length: OmUint32,
    elements: *const c_void,
}

#[repr(C)]
struct OidSet {
    count: usize,
    elements: *const Oid,
}

#[repr(C)]
struct KeyValue {
    key: *const c_char,
    value: *const c_char,
}

#[repr(C)]
struct KeyValueSet {
    count: OmUint32,
    elements: *const KeyValue,
}

// OIDs (DER contents octets): the Kerberos 5 mechanism (1.2.840.113554.1.2.2), its principal
// name type (1.2.840.113554.1.2.2.1), and the host-based service name type (1.2.840.113554.1.2.1.4).
const KRB5_MECH: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
const NT_KRB5_PRINCIPAL: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01";
const NT_HOSTBASED_SERVICE: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04";

fn oid(bytes: &'static [u8]) -> Oid {
    Oid {
        length: bytes.len() as OmUint32,
        elements: bytes.as_ptr() as *const c_void,
    }
}

const GSS_C_MUTUAL_FLAG: OmUint32 = 2;
const GSS_C_CONF_FLAG: OmUint32 = 16;
const GSS_C_INTEG_FLAG: OmUint32 = 32;
const GSS_C_INITIATE: c_int = 1;
const GSS_C_GSS_CODE: c_int = 1;
const GSS_C_MECH_CODE: c_int = 2;
const GSS_S_CONTINUE_NEEDED: OmUint32 = 1;
const GSS_S_NO_CRED: OmUint32 = 7 << 16;
const GSS_S_CREDENTIALS_EXPIRED: OmUint32 = 11 << 16;
const GSS_S_FAILURE: OmUint32 = 13 << 16;

fn gss_error(major: OmUint32) -> bool {
    major & 0xffff_0000 != 0
}

// MIT krb5 error codes (krb5_err.et, base -1765328384) that decide the hint of a message.
const KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: i32 = -1765328377;
const KRB5KDC_ERR_PREAUTH_FAILED: i32 = -1765328360;
const KRB5KRB_AP_ERR_BAD_INTEGRITY: i32 = -1765328353;
const KRB5KRB_AP_ERR_TKT_EXPIRED: i32 = -1765328352;
const KRB5_KT_NOTFOUND: i32 = -1765328203;
const KRB5_FCC_NOFILE: i32 = -1765328189;
const KRB5_CC_NOTFOUND: i32 = -1765328243;

type ImportName =
    unsafe extern "C" fn(*mut OmUint32, *const Buffer, *const Oid, *mut GssName) -> OmUint32;
type DisplayName =
    unsafe extern "C" fn(*mut OmUint32, GssName, *mut Buffer, *mut *const Oid) -> OmUint32;
type ReleaseName = unsafe extern "C" fn(*mut OmUint32, *mut GssName) -> OmUint32;
type AcquireCredFrom = unsafe extern "C" fn(
    *mut OmUint32,
    GssName,
    OmUint32,
    *const OidSet,
    c_int,
    *const KeyValueSet,
    *mut GssCred,
    *mut c_void,
    *mut OmUint32,
) -> OmUint32;
type InquireCred = unsafe extern "C" fn(
    *mut OmUint32,
    GssCred,
    *mut GssName,
    *mut OmUint32,
    *mut c_int,
    *mut c_void,
) -> OmUint32;
type ReleaseCred = unsafe extern "C" fn(*mut OmUint32, *mut GssCred) -> OmUint32;
type InitSecContext = unsafe extern "C" fn(
    *mut OmUint32,
    GssCred,
    *mut GssCtx,
    GssName,
    *const Oid,
    OmUint32,
    OmUint32,
    *const c_void,
    *const Buffer,
    *mut *const Oid,
    *mut Buffer,
    *mut OmUint32,
    *mut OmUint32,
) -> OmUint32;
type DeleteSecContext = unsafe extern "C" fn(*mut OmUint32, *mut GssCtx, *mut Buffer) -> OmUint32;
type Wrap = unsafe extern "C" fn(
    *mut OmUint32,
    GssCtx,
    c_int,
    OmUint32,
    *const Buffer,
    *mut c_int,
    *mut Buffer,
) -> OmUint32;
type Unwrap = unsafe extern "C" fn(
    *mut OmUint32,
    GssCtx,
    *const Buffer,
    *mut Buffer,
    *mut c_int,
    *mut OmUint32,
) -> OmUint32;
type ReleaseBuffer = unsafe extern "C" fn(*mut OmUint32, *mut Buffer) -> OmUint32;
type DisplayStatus = unsafe extern "C" fn(
    *mut OmUint32,
    OmUint32,
    c_int,
    *const Oid,
    *mut OmUint32,
    *mut Buffer,
) -> OmUint32;

/// The library's functions, resolved once. The library stays loaded for the life of the process.
struct Api {
    import_name: ImportName,
    display_name: DisplayName,
    release_name: ReleaseName,
    acquire_cred_from: AcquireCredFrom,
    inquire_cred: InquireCred,
    release_cred: ReleaseCred,
    init_sec_context: InitSecContext,
    delete_sec_context: DeleteSecContext,
    wrap: Wrap,
    unwrap: Unwrap,
    release_buffer: ReleaseBuffer,
    display_status: DisplayStatus,
}

/// The library loaded: `KRAFTCHECK_GSSAPI_LIBRARY` (a file name or path), else MIT's
/// `libgssapi_krb5.so.2`.
pub const DEFAULT_LIBRARY: &str = "libgssapi_krb5.so.2";

fn api() -> Result<&'static Api> {
    static API: OnceLock<std::result::Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(|e| anyhow!("{e}"))
}

fn load() -> std::result::Result<Api, String> {
    let name = std::env::var("KRAFTCHECK_GSSAPI_LIBRARY")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_LIBRARY.to_string());
    load_from(&name)
}

fn load_from(name: &str) -> std::result::Result<Api, String> {
    // SAFETY: loading the system's GSSAPI library runs its initialisers, as linking it would.
    let lib = unsafe { libloading::Library::new(name) }.map_err(|e| {
        format!(
            "sasl.mechanism GSSAPI needs the MIT Kerberos GSSAPI library {name}, which could not be loaded ({e}); \
             install it (Debian/Ubuntu: apt-get install libgssapi-krb5-2; RHEL/Fedora: dnf install krb5-libs)"
        )
    })?;
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    Ok(Api {
        import_name: sym(lib, name, "gss_import_name")?,
        display_name: sym(lib, name, "gss_display_name")?,
        release_name: sym(lib, name, "gss_release_name")?,
        acquire_cred_from: sym(lib, name, "gss_acquire_cred_from")?,
        inquire_cred: sym(lib, name, "gss_inquire_cred")?,
        release_cred: sym(lib, name, "gss_release_cred")?,
        init_sec_context: sym(lib, name, "gss_init_sec_context")?,
        delete_sec_context: sym(lib, name, "gss_delete_sec_context")?,
        wrap: sym(lib, name, "gss_wrap")?,
        unwrap: sym(lib, name, "gss_unwrap")?,
        release_buffer: sym(lib, name, "gss_release_buffer")?,
        display_status: sym(lib, name, "gss_display_status")?,
    })
}

/// One function of the library, as the (fn pointer) type `T` the caller declares.
fn sym<T: Copy>(
    lib: &'static libloading::Library,
    file: &str,
    f: &str,
) -> std::result::Result<T, String> {
    // SAFETY: every `T` used above is the function's RFC 2744 / MIT krb5 prototype.
    let s = unsafe { lib.get::<T>(f) }.map_err(|e| {
        format!("{file} has no {f} ({e}): kraftcheck's GSSAPI needs MIT Kerberos 1.11 or later")
    })?;
    Ok(*s)
}

impl Api {
    /// A buffer the library allocated, copied out and released.
    fn take(&self, buf: &mut Buffer) -> Vec<u8> {
        let out = if buf.value.is_null() || buf.length == 0 {
            Vec::new()
        } else {
            // SAFETY: the library filled `buf` with `length` bytes at `value`.
            unsafe { std::slice::from_raw_parts(buf.value as *const u8, buf.length) }.to_vec()
        };
        let mut minor = 0;
        // SAFETY: `buf` came from the library; releasing an empty buffer is allowed.
        unsafe { (self.release_buffer)(&mut minor, buf) };
        out
    }

    /// The library's own words for one status code (`gss_display_status`, every message).
    fn status_text(&self, code: OmUint32, kind: c_int) -> Vec<String> {
        let mech = oid(KRB5_MECH);
        let mut ctx: OmUint32 = 0;
        let mut out = Vec::new();
        for _ in 0..8 {
            let (mut minor, mut buf) = (0, Buffer::empty());
            // SAFETY: all pointers are valid for the call; `buf` is released by `take`.
            let major =
                unsafe { (self.display_status)(&mut minor, code, kind, &mech, &mut ctx, &mut buf) };
            if gss_error(major) {
                break;
            }
            let text = String::from_utf8_lossy(&self.take(&mut buf))
                .trim()
                .to_string();
            // MIT also spells out the empty calling-error part of a major status as "Success".
            if !text.is_empty() && text != "Success" {
                out.push(text);
            }
            if ctx == 0 {
                break;
            }
        }
        out
    }

    /// Major and minor status decoded into one line. MIT's generic "Unspecified GSS failure.
    /// Minor code may provide more information" is left out when the minor code says more.
    fn describe(&self, major: OmUint32, minor: OmUint32) -> String {
        let mut parts = Vec::new();
        let routine = major & 0x00ff_0000;
        if routine != GSS_S_FAILURE || minor == 0 {
            parts.extend(self.status_text(routine | (major & 0xff00_0000), GSS_C_GSS_CODE));
        }
        if minor != 0 {
            parts.extend(self.status_text(minor, GSS_C_MECH_CODE));
        }
        if parts.is_empty() {
            format!("GSS major status {major:#x}, minor status {minor}")
        } else {
            parts.join(": ")
        }
    }

    fn import(&self, name: &str, kind: &'static [u8]) -> Result<Name> {
        let ty = oid(kind);
        let buf = Buffer::of(name.as_bytes());
        let (mut minor, mut out): (OmUint32, GssName) = (0, std::ptr::null_mut());
        // SAFETY: `buf` and `ty` outlive the call, which copies the name.
        let major = unsafe { (self.import_name)(&mut minor, &buf, &ty, &mut out) };
        if gss_error(major) {
            bail!(
                "Kerberos name '{name}' is not valid: {}",
                self.describe(major, minor)
            );
        }
        Ok(Name(out))
    }

    fn name_text(&self, name: GssName) -> Option<String> {
        let (mut minor, mut buf) = (0, Buffer::empty());
        // SAFETY: `name` is a valid name handle; `buf` is released by `take`.
        let major =
            unsafe { (self.display_name)(&mut minor, name, &mut buf, std::ptr::null_mut()) };
        (!gss_error(major)).then(|| String::from_utf8_lossy(&self.take(&mut buf)).into_owned())
    }
}

/// An imported name, released on drop.
struct Name(GssName);

impl Drop for Name {
    fn drop(&mut self) {
        if let Ok(api) = api() {
            let mut minor = 0;
            // SAFETY: a handle from gss_import_name / gss_inquire_cred, released once.
            unsafe { (api.release_name)(&mut minor, &mut self.0) };
        }
    }
}

/// Acquired initiator credentials, shared by every connection of the run.
struct Cred {
    handle: GssCred,
    /// The client principal (the authorization id sent to the broker).
    principal: String,
}

// SAFETY: MIT's credential handles are internally locked and may be used from any thread.
unsafe impl Send for Cred {}
unsafe impl Sync for Cred {}

impl Drop for Cred {
    fn drop(&mut self) {
        if let Ok(api) = api() {
            let mut minor = 0;
            // SAFETY: a handle from gss_acquire_cred_from, released once.
            unsafe { (api.release_cred)(&mut minor, &mut self.handle) };
        }
    }
}

/// How the client logs in (Java's `Krb5LoginModule` options, or librdkafka's
/// `sasl.kerberos.keytab` / `sasl.kerberos.principal`). Paths and names only: no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// `useKeyTab=true keyTab=… principal=…`: initial tickets from the keytab, in memory.
    Keytab {
        keytab: std::path::PathBuf,
        principal: String,
    },
    /// `useTicketCache=true` (`ticketCache=…`): tickets from `kinit`.
    TicketCache {
        cache: Option<String>,
        principal: Option<String>,
    },
}

/// `sasl.mechanism=GSSAPI`: the broker's service name and the client's login.
pub struct Kerberos {
    /// `sasl.kerberos.service.name` (or the JAAS `serviceName`): the service principal is
    /// `SERVICE/broker-host@REALM`, asked for as the host-based name `SERVICE@broker-host`.
    pub service: String,
    pub login: Login,
    /// Where the settings came from, for messages.
    pub at: String,
    /// What to check when the KDC has no service principal for a host, in the caller's words.
    pub principal_hint: String,
    cred: tokio::sync::Mutex<Option<Arc<Cred>>>,
}

impl fmt::Debug for Kerberos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GSSAPI(service {}, {})", self.service, self.login_text())
    }
}

impl PartialEq for Kerberos {
    fn eq(&self, o: &Self) -> bool {
        (&self.service, &self.login) == (&o.service, &o.login)
    }
}

impl Eq for Kerberos {}

/// Run one GSS call on a thread of its own: it may wait for the KDC, and the caller's timeout
/// must still hold (a thread left behind ends with the process).
async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("kraftcheck-gssapi".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| anyhow!("cannot start a thread for GSSAPI: {e}"))?;
    rx.await
        .map_err(|_| anyhow!("the GSSAPI library call did not return (it crashed its thread)"))
}

impl Kerberos {
    pub fn new(service: String, login: Login, at: String, principal_hint: &str) -> Arc<Kerberos> {
        Arc::new(Kerberos {
            service,
            login,
            at,
            principal_hint: principal_hint.to_string(),
            cred: tokio::sync::Mutex::new(None),
        })
    }

    fn login_text(&self) -> String {
        match &self.login {
            Login::Keytab { keytab, principal } => {
                format!("principal {principal} from keytab {}", keytab.display())
            }
            Login::TicketCache { cache, principal } => format!(
                "{}ticket cache {}",
                principal
                    .as_ref()
                    .map(|p| format!("principal {p} from "))
                    .unwrap_or_default(),
                cache.as_deref().unwrap_or("(KRB5CCNAME or the default)")
            ),
        }
    }

    /// Log in (once per run), bounded by `timeout`: a KDC that does not answer is reported as
    /// such, not as a broker that did not.
    pub async fn login(&self, timeout: std::time::Duration) -> Result<()> {
        tokio::time::timeout(timeout, self.cred())
            .await
            .map_err(|_| {
                anyhow!(
                    "{}: Kerberos login ({}): no answer from the KDC within {} ms (the KDC of the realm in KRB5_CONFIG or /etc/krb5.conf)",
                    self.at,
                    self.login_text(),
                    timeout.as_millis()
                )
            })?
            .map(|_| ())
    }

    /// The credentials, acquired on first use.
    async fn cred(&self) -> Result<Arc<Cred>> {
        let mut slot = self.cred.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        if let Login::Keytab { keytab, .. } = &self.login {
            check_keytab(keytab)
                .map_err(|e| anyhow!("{}: keyTab {}: {e}", self.at, keytab.display()))?;
        }
        let started = std::time::Instant::now();
        let login = self.login.clone();
        let cred = off_thread(move || acquire(&login))
            .await?
            .map_err(|e| anyhow!("{}: Kerberos login ({}): {e}", self.at, self.login_text()))?;
        let cred = Arc::new(cred);
        crate::debug::note(|| {
            format!(
                "GSSAPI credentials for {} ({}) in {:.1} ms",
                cred.principal,
                self.login_text(),
                started.elapsed().as_secs_f64() * 1000.0
            )
        });
        *slot = Some(cred.clone());
        Ok(cred)
    }

    /// Start a security context with the broker at `host` (the host name as connected).
    pub async fn start(&self, host: &str) -> Result<Context> {
        let cred = self.cred().await?;
        self.context(cred, host)
    }

    /// [`Kerberos::start`] for a caller that cannot wait (ZooKeeper's SASL hook): the
    /// credentials must have been acquired already ([`Kerberos::login`]).
    pub fn start_blocking(&self, host: &str) -> Result<Context> {
        let cred = self
            .cred
            .try_lock()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| anyhow!("{}: Kerberos login has not been done", self.at))?;
        self.context(cred, host)
    }

    fn context(&self, cred: Arc<Cred>, host: &str) -> Result<Context> {
        let target = format!("{}@{host}", self.service);
        let api = api()?;
        let name = api.import(&target, NT_HOSTBASED_SERVICE)?;
        Ok(Context {
            cred,
            target: Target(name),
            handle: std::ptr::null_mut(),
            service: self.service.clone(),
            host: host.to_string(),
            at: self.at.clone(),
            principal_hint: self.principal_hint.clone(),
        })
    }
}

/// Whether `path` can be read and starts as a keytab does (MIT's file format, versions 0x0501 and
/// 0x0502). Only those two bytes are read: the keys are for the library alone.
fn check_keytab(path: &std::path::Path) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => anyhow!("it is empty, not a keytab"),
            _ => anyhow!("cannot read it: {e}"),
        })?;
    if !matches!(head, [5, 1] | [5, 2]) {
        bail!("not a Kerberos keytab (it does not start with a keytab version)");
    }
    Ok(())
}

/// The `ccache` of a keytab login: one `MEMORY:` cache per process, so the initial ticket is
/// fetched once and nothing is written to disk.
fn memory_ccache() -> String {
    format!("MEMORY:kraftcheck-{}", std::process::id())
}

fn acquire(login: &Login) -> Result<Cred> {
    let api = api()?;
    let mut store: Vec<(CString, CString)> = Vec::new();
    let cstr = |s: &str| CString::new(s).map_err(|_| anyhow!("'{s}' contains a NUL byte"));
    let principal = match login {
        Login::Keytab { keytab, principal } => {
            store.push((
                cstr("client_keytab")?,
                cstr(&format!("FILE:{}", keytab.display()))?,
            ));
            store.push((cstr("ccache")?, cstr(&memory_ccache())?));
            Some(principal.as_str())
        }
        Login::TicketCache { cache, principal } => {
            if let Some(c) = cache {
                // Java's ticketCache is a file name; MIT's cache names may carry a type.
                let name = if c.contains(':') && !c.starts_with('/') {
                    c.clone()
                } else {
                    format!("FILE:{c}")
                };
                store.push((cstr("ccache")?, cstr(&name)?));
            }
            principal.as_deref()
        }
    };
    let desired = principal
        .map(|p| api.import(p, NT_KRB5_PRINCIPAL))
        .transpose()?;
    let elements: Vec<KeyValue> = store
        .iter()
        .map(|(k, v)| KeyValue {
            key: k.as_ptr(),
            value: v.as_ptr(),
        })
        .collect();
    let set = KeyValueSet {
        count: elements.len() as OmUint32,
        elements: elements.as_ptr(),
    };
    let mech = oid(KRB5_MECH);
    let mechs = OidSet {
        count: 1,
        elements: &mech,
    };
    let (mut minor, mut handle): (OmUint32, GssCred) = (0, std::ptr::null_mut());
    // SAFETY: every pointer refers to a live local for the duration of the call.
    let major = unsafe {
        (api.acquire_cred_from)(
            &mut minor,
            desired.as_ref().map_or(std::ptr::null_mut(), |n| n.0),
            0,
            &mechs,
            GSS_C_INITIATE,
            &set,
            &mut handle,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if gss_error(major) {
        bail!("{}", login_failure(api, login, major, minor));
    }
    let mut cred = Cred {
        handle,
        principal: principal.unwrap_or_default().to_string(),
    };
    // The principal as the library knows it (with its realm), and whether the tickets are
    // still valid: for a keytab login this is where the initial ticket is fetched.
    let (mut minor, mut name, mut lifetime): (OmUint32, GssName, OmUint32) =
        (0, std::ptr::null_mut(), 0);
    // SAFETY: `cred.handle` is valid; `name` is released by `Name`'s drop.
    let major = unsafe {
        (api.inquire_cred)(
            &mut minor,
            cred.handle,
            &mut name,
            &mut lifetime,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    let name = Name(name);
    if gss_error(major) {
        bail!("{}", login_failure(api, login, major, minor));
    }
    if lifetime == 0 {
        bail!(
            "{}",
            login_failure(api, login, GSS_S_CREDENTIALS_EXPIRED, 0)
        );
    }
    if let Some(p) = api.name_text(name.0) {
        cred.principal = p;
    }
    Ok(cred)
}

/// Why the login failed, in the library's words, with what to do about it.
fn login_failure(api: &Api, login: &Login, major: OmUint32, minor: OmUint32) -> String {
    let code = minor as i32;
    // A keytab login's credential cache is this process's own memory cache: "no credentials
    // cache found" only says that nothing could be put into it.
    let what = match login {
        Login::Keytab { .. } if code == KRB5_FCC_NOFILE || code == KRB5_CC_NOTFOUND => {
            api.describe(major, 0)
        }
        _ => api.describe(major, minor),
    };
    let routine = major & 0x00ff_0000;
    let hint = match login {
        _ if routine == GSS_S_CREDENTIALS_EXPIRED || code == KRB5KRB_AP_ERR_TKT_EXPIRED => {
            match login {
                Login::TicketCache { .. } => "the ticket has expired: run kinit again",
                Login::Keytab { .. } => "the credentials have expired",
            }
        }
        Login::TicketCache { .. }
            if routine == GSS_S_NO_CRED || code == KRB5_FCC_NOFILE || code == KRB5_CC_NOTFOUND =>
        {
            "no Kerberos ticket: run kinit first, or log in with a keytab (useKeyTab=true keyTab=… principal=…)"
        }
        Login::Keytab { .. }
            if code == KRB5KDC_ERR_PREAUTH_FAILED || code == KRB5KRB_AP_ERR_BAD_INTEGRITY =>
        {
            "the KDC refused the keytab's key: it is not (or no longer) this principal's key"
        }
        Login::Keytab { .. } if code == KRB5_KT_NOTFOUND || routine == GSS_S_NO_CRED => {
            "the keytab holds no key for this principal"
        }
        _ => "",
    };
    if hint.is_empty() {
        what
    } else {
        format!("{what} ({hint})")
    }
}

/// A target name, released on drop.
struct Target(Name);

/// One security context with one broker.
pub struct Context {
    cred: Arc<Cred>,
    target: Target,
    handle: GssCtx,
    service: String,
    host: String,
    at: String,
    principal_hint: String,
}

// SAFETY: a context is used by one thread at a time (moved to the GSS thread and back).
unsafe impl Send for Context {}

impl Drop for Context {
    fn drop(&mut self) {
        if self.handle.is_null() {
            return;
        }
        if let Ok(api) = api() {
            let mut minor = 0;
            // SAFETY: a handle from gss_init_sec_context, deleted once.
            unsafe { (api.delete_sec_context)(&mut minor, &mut self.handle, std::ptr::null_mut()) };
        }
    }
}

impl Context {
    /// One `gss_init_sec_context` step on the GSS thread: (token to send, context complete).
    pub async fn step(self, input: Option<Vec<u8>>) -> Result<(Context, Vec<u8>, bool)> {
        off_thread(move || {
            let mut ctx = self;
            let r = ctx.step_blocking(input.as_deref());
            r.map(|(t, done)| (ctx, t, done))
        })
        .await?
    }

    /// [`Context::step`] on the caller's thread (no KDC is asked once the service ticket is cached).
    pub fn step_blocking(&mut self, input: Option<&[u8]>) -> Result<(Vec<u8>, bool)> {
        let api = api()?;
        let mech = oid(KRB5_MECH);
        let inbuf = input.map(Buffer::of);
        let (mut minor, mut out, mut flags) = (0, Buffer::empty(), 0);
        // SAFETY: every pointer refers to a live local or handle for the duration of the call.
        let major = unsafe {
            (api.init_sec_context)(
                &mut minor,
                self.cred.handle,
                &mut self.handle,
                (self.target.0).0,
                &mech,
                GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG,
                0,
                std::ptr::null(),
                inbuf
                    .as_ref()
                    .map_or(std::ptr::null(), |b| b as *const Buffer),
                std::ptr::null_mut(),
                &mut out,
                &mut flags,
                std::ptr::null_mut(),
            )
        };
        let token = api.take(&mut out);
        if gss_error(major) {
            let what = api.describe(major, minor);
            let hint = match minor as i32 {
                KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN => format!(
                    " (the KDC has no service principal {}/{}: {})",
                    self.service, self.host, self.principal_hint
                ),
                KRB5KRB_AP_ERR_TKT_EXPIRED => " (the ticket has expired: run kinit again)".into(),
                _ => String::new(),
            };
            bail!(
                "{}: GSSAPI with service {}@{} as {}: {what}{hint}",
                self.at,
                self.service,
                self.host,
                self.cred.principal
            );
        }
        Ok((token, major & GSS_S_CONTINUE_NEEDED == 0))
    }

    /// RFC 4752 §3.1: unwrap the broker's security-layer offer and answer it — no security
    /// layer, maximum message size 0, authorization id = the client principal (as Java's client).
    pub async fn security_layer(self, offer: Vec<u8>) -> Result<Vec<u8>> {
        off_thread(move || self.security_layer_blocking(&offer)).await?
    }

    /// [`Context::security_layer`] on the caller's thread (local: no KDC).
    pub fn security_layer_blocking(&self, offer: &[u8]) -> Result<Vec<u8>> {
        let api = api()?;
        let inbuf = Buffer::of(offer);
        let (mut minor, mut out) = (0, Buffer::empty());
        // SAFETY: the context is established; `out` is released by `take`.
        let major = unsafe {
            (api.unwrap)(
                &mut minor,
                self.handle,
                &inbuf,
                &mut out,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        let plain = api.take(&mut out);
        if gss_error(major) {
            bail!(
                "{}: GSSAPI: the broker's security-layer offer does not unwrap: {}",
                self.at,
                api.describe(major, minor)
            );
        }
        if plain.len() != 4 {
            bail!(
                "{}: GSSAPI: the broker's security-layer offer has {} bytes, not 4",
                self.at,
                plain.len()
            );
        }
        if plain[0] & 0x01 == 0 {
            bail!(
                "{}: GSSAPI: the broker requires a SASL security layer (integrity or confidentiality), which Kafka clients do not use",
                self.at
            );
        }
        let mut answer = vec![0x01, 0, 0, 0];
        answer.extend_from_slice(self.cred.principal.as_bytes());
        let inbuf = Buffer::of(&answer);
        let (mut minor, mut out) = (0, Buffer::empty());
        // SAFETY: as above; conf_req 0: integrity only, as RFC 4752 asks.
        let major = unsafe {
            (api.wrap)(
                &mut minor,
                self.handle,
                0,
                0,
                &inbuf,
                std::ptr::null_mut(),
                &mut out,
            )
        };
        let wrapped = api.take(&mut out);
        if gss_error(major) {
            bail!(
                "{}: GSSAPI: cannot wrap the security-layer answer: {}",
                self.at,
                api.describe(major, minor)
            );
        }
        Ok(wrapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library that is not there: one message naming it and the package, no panic.
    #[test]
    fn missing_library_is_one_clear_message() {
        let Err(e) = load_from("libgssapi_krb5_nonexistent.so.9") else {
            panic!("loaded a library that does not exist")
        };
        assert!(
            e.contains("libgssapi_krb5_nonexistent.so.9") && e.contains("libgssapi-krb5-2"),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    /// A library without MIT's credential-store extension is refused by name.
    #[test]
    fn a_library_without_the_gss_functions_is_refused() {
        let Err(e) = load_from("libc.so.6") else {
            panic!("libc is not a GSSAPI library")
        };
        assert!(e.contains("gss_import_name"), "{e}");
    }
}
