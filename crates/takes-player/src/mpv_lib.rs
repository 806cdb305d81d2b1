//! libmpv, loaded when a review first plays instead of linked.
//!
//! Linking `libmpv.so.2` made every `takes` process map it and the ~220
//! libraries it pulls in (about 45 MB resident) from exec, even a recruiter
//! who never plays a video. Here it is opened with `dlopen` on first use;
//! a missing or too old libmpv is an error naming what to install, never a
//! failed start of the program.
//!
//! The types and functions below are the few `takes` uses, declared after
//! `mpv/client.h` and `mpv/render.h` of client API 2.x (mpv 0.35+).

use std::ffi::{c_char, c_int, c_ulong, c_void, CStr};
use std::sync::OnceLock;

use libloading::Library;

/// `mpv_handle` (client.h), opaque.
#[repr(C)]
pub struct MpvHandle {
    _opaque: [u8; 0],
}

/// `mpv_render_context` (render.h), opaque.
#[repr(C)]
pub struct RenderContext {
    _opaque: [u8; 0],
}

/// `mpv_event` (client.h).
#[repr(C)]
pub struct Event {
    pub event_id: c_int,
    pub error: c_int,
    pub reply_userdata: u64,
    pub data: *mut c_void,
}

/// `mpv_event_property` (client.h).
#[repr(C)]
pub struct EventProperty {
    pub name: *const c_char,
    pub format: c_int,
    pub data: *mut c_void,
}

/// `mpv_event_end_file` (client.h); only the leading fields are read.
#[repr(C)]
pub struct EventEndFile {
    pub reason: c_int,
    pub error: c_int,
}

/// `mpv_render_param` (render.h).
#[repr(C)]
pub struct RenderParam {
    pub type_: c_int,
    pub data: *mut c_void,
}

// mpv_event_id
pub const EVENT_NONE: c_int = 0;
pub const EVENT_SHUTDOWN: c_int = 1;
pub const EVENT_START_FILE: c_int = 6;
pub const EVENT_END_FILE: c_int = 7;
pub const EVENT_FILE_LOADED: c_int = 8;
pub const EVENT_PLAYBACK_RESTART: c_int = 21;
pub const EVENT_PROPERTY_CHANGE: c_int = 22;
// mpv_format
pub const FORMAT_FLAG: c_int = 3;
pub const FORMAT_DOUBLE: c_int = 5;
// mpv_render_param_type
pub const RENDER_PARAM_API_TYPE: c_int = 1;
pub const RENDER_PARAM_SW_SIZE: c_int = 17;
pub const RENDER_PARAM_SW_FORMAT: c_int = 18;
pub const RENDER_PARAM_SW_STRIDE: c_int = 19;
pub const RENDER_PARAM_SW_POINTER: c_int = 20;
// mpv_render_update_flag
pub const RENDER_UPDATE_FRAME: u64 = 1;
// mpv_error
pub const ERROR_INVALID_PARAMETER: c_int = -4;

pub type WakeupFn = unsafe extern "C" fn(*mut c_void);

/// The client API major version the declarations above follow.
const API_MAJOR: u32 = 2;

/// What to install, said with every "no libmpv" error.
pub const INSTALL_HINT: &str = "install libmpv 2 (mpv 0.35 or later): \
`apt install libmpv2` on Debian 12 and Ubuntu 24.04, `dnf install mpv-libs` on Fedora; \
or set TAKES_LIBMPV to the library's path";

/// libmpv's functions, resolved once.
pub struct Api {
    /// Where it was loaded from (for `takes doctor`).
    pub path: String,
    pub client_api_version: unsafe extern "C" fn() -> c_ulong,
    pub error_string: unsafe extern "C" fn(c_int) -> *const c_char,
    pub free: unsafe extern "C" fn(*mut c_void),
    pub create: unsafe extern "C" fn() -> *mut MpvHandle,
    pub initialize: unsafe extern "C" fn(*mut MpvHandle) -> c_int,
    pub terminate_destroy: unsafe extern "C" fn(*mut MpvHandle),
    pub set_option_string:
        unsafe extern "C" fn(*mut MpvHandle, *const c_char, *const c_char) -> c_int,
    pub command: unsafe extern "C" fn(*mut MpvHandle, *mut *const c_char) -> c_int,
    pub set_property_string:
        unsafe extern "C" fn(*mut MpvHandle, *const c_char, *const c_char) -> c_int,
    pub get_property_string: unsafe extern "C" fn(*mut MpvHandle, *const c_char) -> *mut c_char,
    pub observe_property: unsafe extern "C" fn(*mut MpvHandle, u64, *const c_char, c_int) -> c_int,
    pub wait_event: unsafe extern "C" fn(*mut MpvHandle, f64) -> *mut Event,
    pub set_wakeup_callback: unsafe extern "C" fn(*mut MpvHandle, Option<WakeupFn>, *mut c_void),
    pub render_context_create:
        unsafe extern "C" fn(*mut *mut RenderContext, *mut MpvHandle, *mut RenderParam) -> c_int,
    pub render_context_set_update_callback:
        unsafe extern "C" fn(*mut RenderContext, Option<WakeupFn>, *mut c_void),
    pub render_context_update: unsafe extern "C" fn(*mut RenderContext) -> u64,
    pub render_context_render: unsafe extern "C" fn(*mut RenderContext, *mut RenderParam) -> c_int,
    pub render_context_free: unsafe extern "C" fn(*mut RenderContext),
    /// Kept open for the life of the process: the pointers above point into it.
    _lib: Library,
}

/// File names tried in order, unless `TAKES_LIBMPV` names one.
fn candidates() -> Vec<String> {
    if let Some(p) = std::env::var_os("TAKES_LIBMPV").filter(|p| !p.is_empty()) {
        return vec![p.to_string_lossy().into_owned()];
    }
    let names: &[&str] = if cfg!(target_os = "macos") {
        &["libmpv.2.dylib", "libmpv.dylib"]
    } else if cfg!(windows) {
        &["libmpv-2.dll", "mpv-2.dll"]
    } else {
        // The development symlink last: it may name an older soname.
        &["libmpv.so.2", "libmpv.so"]
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// libmpv, loaded on the first call; the same answer afterwards.
pub fn api() -> Result<&'static Api, String> {
    static API: OnceLock<Result<Api, String>> = OnceLock::new();
    API.get_or_init(load).as_ref().map_err(Clone::clone)
}

/// Whether libmpv is mapped in this process already (the memory benchmark
/// and tests check that the queue and board never load it).
pub fn loaded() -> bool {
    std::fs::read_to_string("/proc/self/maps").is_ok_and(|m| m.contains("libmpv"))
}

fn load() -> Result<Api, String> {
    load_from(&candidates())
}

fn load_from(names: &[String]) -> Result<Api, String> {
    let mut tried = Vec::new();
    for name in names {
        // SAFETY: loading libmpv runs its and its dependencies' initialisers,
        // which have no preconditions on us.
        match unsafe { Library::new(name) } {
            Ok(lib) => return resolve(lib, name.clone()),
            Err(e) => tried.push(match std::error::Error::source(&e) {
                // dlerror's text names the file and why ("No such file").
                Some(why) => why.to_string(),
                None => format!("{name}: {e}"),
            }),
        }
    }
    Err(format!(
        "libmpv is not installed ({}); {INSTALL_HINT}",
        tried.join("; ")
    ))
}

/// # Safety
/// `T` must be the C type of the symbol `name` (NUL-terminated).
unsafe fn sym<T: Copy>(lib: &Library, path: &str, name: &str) -> Result<T, String> {
    // SAFETY: the caller vouches for the type.
    let s = unsafe { lib.get::<T>(name.as_bytes()) }.map_err(|e| {
        let bare = name.trim_end_matches('\0');
        format!("{path} is not a usable libmpv (no {bare}: {e}); {INSTALL_HINT}")
    })?;
    Ok(*s)
}

fn resolve(lib: Library, path: String) -> Result<Api, String> {
    // SAFETY (every `sym` below): the types are those of client.h and
    // render.h for client API 2.x, and the version is checked first.
    let client_api_version: unsafe extern "C" fn() -> c_ulong =
        unsafe { sym(&lib, &path, "mpv_client_api_version\0")? };
    // SAFETY: no arguments, callable at any time.
    let v = unsafe { client_api_version() } as u32;
    if v >> 16 != API_MAJOR {
        return Err(format!(
            "{path} has client API {}.{}, takes needs {API_MAJOR}.x; {INSTALL_HINT}",
            v >> 16,
            v & 0xffff
        ));
    }
    let p = path.as_str();
    unsafe {
        Ok(Api {
            client_api_version,
            error_string: sym(&lib, p, "mpv_error_string\0")?,
            free: sym(&lib, p, "mpv_free\0")?,
            create: sym(&lib, p, "mpv_create\0")?,
            initialize: sym(&lib, p, "mpv_initialize\0")?,
            terminate_destroy: sym(&lib, p, "mpv_terminate_destroy\0")?,
            set_option_string: sym(&lib, p, "mpv_set_option_string\0")?,
            command: sym(&lib, p, "mpv_command\0")?,
            set_property_string: sym(&lib, p, "mpv_set_property_string\0")?,
            get_property_string: sym(&lib, p, "mpv_get_property_string\0")?,
            observe_property: sym(&lib, p, "mpv_observe_property\0")?,
            wait_event: sym(&lib, p, "mpv_wait_event\0")?,
            set_wakeup_callback: sym(&lib, p, "mpv_set_wakeup_callback\0")?,
            render_context_create: sym(&lib, p, "mpv_render_context_create\0")?,
            render_context_set_update_callback: sym(
                &lib,
                p,
                "mpv_render_context_set_update_callback\0",
            )?,
            render_context_update: sym(&lib, p, "mpv_render_context_update\0")?,
            render_context_render: sym(&lib, p, "mpv_render_context_render\0")?,
            render_context_free: sym(&lib, p, "mpv_render_context_free\0")?,
            path: path.clone(),
            _lib: lib,
        })
    }
}

impl Api {
    /// libmpv's client API version as (major, minor).
    pub fn version(&self) -> (u32, u32) {
        // SAFETY: no arguments, callable at any time.
        let v = unsafe { (self.client_api_version)() } as u32;
        (v >> 16, v & 0xffff)
    }

    /// mpv's text for an error code.
    pub fn error_text(&self, code: c_int) -> String {
        // SAFETY: mpv_error_string returns a static string for any code.
        let p = unsafe { (self.error_string)(code) };
        if p.is_null() {
            return format!("mpv error {code}");
        }
        // SAFETY: non-null, NUL-terminated, static.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_names_what_to_install() {
        let e = load_from(&["/nonexistent/libmpv.so.2".into()]).err();
        let e = e.expect("a file that does not exist loaded");
        assert!(e.starts_with("libmpv is not installed"), "{e}");
        assert!(e.contains("/nonexistent/libmpv.so.2"), "{e}");
        assert!(e.contains("apt install libmpv2"), "{e}");
    }

    #[test]
    fn another_library_is_refused_by_name() {
        let e = load_from(&["libc.so.6".into()]).err();
        let e = e.expect("libc taken for libmpv");
        assert!(
            e.contains("libc.so.6 is not a usable libmpv (no mpv_client_api_version"),
            "{e}"
        );
    }
}
