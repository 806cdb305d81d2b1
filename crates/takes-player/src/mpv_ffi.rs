//! The only `unsafe` code of the crate besides the loader: a small safe
//! face over libmpv's client API and its software render API, both called
//! through [`crate::mpv_lib`] (libmpv is loaded at run time, not linked).
//!
//! Rules from `mpv/render.h` that this module enforces:
//! - the render context must be freed before the core is destroyed:
//!   [`Core`], on drop, waits until every [`SwRenderer`] made from it has
//!   been dropped (which frees the context);
//! - no mpv call inside the update callback: the callback only runs the
//!   caller's `notify` closure, which must just set a flag and wake a thread;
//! - render functions may run on any thread, one at a time: `SwRenderer` is
//!   `Send` but not `Sync`, and every method takes `&mut self`.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::{Arc, Condvar, Mutex};

use crate::mpv_lib::{self as lib, Api, MpvHandle, RenderContext, RenderParam};

/// What the update and wakeup callbacks call. Must not call into mpv and
/// must return quickly (mpv calls it from its own threads).
pub type Notify = Arc<dyn Fn() + Send + Sync + 'static>;

/// Counts live render contexts of one core so the core is not destroyed under them.
#[derive(Default)]
struct Liveness {
    live: Mutex<usize>,
    cv: Condvar,
}

/// A value of an observed property.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Double(f64),
    Flag(bool),
    /// Unavailable (e.g. `duration` with nothing loaded) or another format.
    None,
}

/// An mpv event, copied out of mpv's event buffer.
#[derive(Debug, Clone, PartialEq)]
pub enum MpvEvent {
    Shutdown,
    StartFile,
    /// `reason` is mpv_end_file_reason.
    EndFile {
        reason: i32,
    },
    FileLoaded,
    PlaybackRestart,
    Property {
        name: String,
        value: Value,
    },
    Other,
}

/// One mpv core with its (only) client handle. Dropping it waits for all
/// renderers to be gone first (render.h: "You must free the context with
/// mpv_render_context_free() before the mpv core is destroyed").
pub struct Core {
    api: &'static Api,
    handle: *mut MpvHandle,
    wakeup: Option<*mut Notify>,
    liveness: Arc<Liveness>,
}

/// Frees a C string mpv allocated.
struct MpvString<'a>(&'a Api, *mut c_char);

impl Drop for MpvString<'_> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from mpv and is freed once.
        unsafe { (self.0.free)(self.1 as *mut c_void) }
    }
}

fn cstring(s: &str) -> Result<CString, i32> {
    CString::new(s).map_err(|_| lib::ERROR_INVALID_PARAMETER)
}

fn check(code: i32) -> Result<(), i32> {
    if code < 0 {
        Err(code)
    } else {
        Ok(())
    }
}

impl Core {
    /// Loads libmpv if needed, creates a core, sets `options` (before
    /// initialisation, as mpv's option strings) and initialises it.
    pub fn new(options: &[(&str, String)]) -> Result<Core, String> {
        let api = lib::api()?;
        // SAFETY: no preconditions; null means out of memory or a bad locale.
        let handle = unsafe { (api.create)() };
        if handle.is_null() {
            return Err("mpv_create failed (out of memory, or LC_NUMERIC is not C)".into());
        }
        let core = Core {
            api,
            handle,
            wakeup: None,
            liveness: Arc::default(),
        };
        for (name, value) in options {
            let set = cstring(name).and_then(|n| {
                let v = cstring(value)?;
                // SAFETY: valid handle, NUL-terminated strings alive for the call.
                check(unsafe { (api.set_option_string)(handle, n.as_ptr(), v.as_ptr()) })
            });
            if let Err(code) = set {
                return Err(format!("option {name}={value}: {}", api.error_text(code)));
            }
        }
        // SAFETY: valid, not yet initialised handle.
        let err = unsafe { (api.initialize)(handle) };
        if err < 0 {
            return Err(format!("mpv_initialize: {}", api.error_text(err)));
        }
        Ok(core)
    }

    /// mpv's text for an error code.
    pub fn error_text(&self, code: i32) -> String {
        self.api.error_text(code)
    }

    /// Runs an input command, e.g. `["loadfile", url, "replace"]`.
    pub fn command(&self, args: &[&str]) -> Result<(), i32> {
        let owned = args
            .iter()
            .map(|a| cstring(a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        ptrs.push(ptr::null());
        // SAFETY: a NULL-terminated array of strings alive for the call.
        check(unsafe { (self.api.command)(self.handle, ptrs.as_mut_ptr()) })
    }

    /// Sets a property from its string form (`"yes"`, `"1.250000"`).
    pub fn set_property(&self, name: &str, value: &str) -> Result<(), i32> {
        let (n, v) = (cstring(name)?, cstring(value)?);
        // SAFETY: valid handle and strings.
        check(unsafe { (self.api.set_property_string)(self.handle, n.as_ptr(), v.as_ptr()) })
    }

    pub fn get_property_string(&self, name: &str) -> Option<String> {
        let n = cstring(name).ok()?;
        // SAFETY: valid handle and string; the result is ours to free.
        let p = unsafe { (self.api.get_property_string)(self.handle, n.as_ptr()) };
        if p.is_null() {
            return None;
        }
        let owned = MpvString(self.api, p);
        // SAFETY: non-null NUL-terminated string from mpv.
        Some(
            unsafe { CStr::from_ptr(owned.1) }
                .to_string_lossy()
                .into_owned(),
        )
    }

    /// Observes a property as a double (`double == true`) or a flag.
    pub fn observe(&self, name: &str, double: bool, id: u64) -> Result<(), i32> {
        let n = cstring(name)?;
        let format = if double {
            lib::FORMAT_DOUBLE
        } else {
            lib::FORMAT_FLAG
        };
        // SAFETY: valid handle and string (mpv copies the name).
        check(unsafe { (self.api.observe_property)(self.handle, id, n.as_ptr(), format) })
    }

    /// The next event, waiting at most `timeout` seconds (0: poll).
    /// `Some(Err(code))` for an event that reports an error (a file that
    /// could not be opened).
    pub fn wait_event(&self, timeout: f64) -> Option<Result<MpvEvent, i32>> {
        // SAFETY: valid handle; only this thread waits on it. The event stays
        // valid until the next wait_event, and is copied out before.
        let ev = unsafe { &*(self.api.wait_event)(self.handle, timeout) };
        if ev.event_id == lib::EVENT_NONE {
            return None;
        }
        if ev.error < 0 {
            return Some(Err(ev.error));
        }
        let out = match ev.event_id {
            lib::EVENT_SHUTDOWN => MpvEvent::Shutdown,
            lib::EVENT_START_FILE => MpvEvent::StartFile,
            lib::EVENT_FILE_LOADED => MpvEvent::FileLoaded,
            lib::EVENT_PLAYBACK_RESTART => MpvEvent::PlaybackRestart,
            lib::EVENT_END_FILE if !ev.data.is_null() => {
                // SAFETY: END_FILE carries an mpv_event_end_file.
                let end = unsafe { &*(ev.data as *const lib::EventEndFile) };
                if end.error < 0 {
                    return Some(Err(end.error));
                }
                MpvEvent::EndFile { reason: end.reason }
            }
            lib::EVENT_PROPERTY_CHANGE if !ev.data.is_null() => {
                // SAFETY: PROPERTY_CHANGE carries an mpv_event_property whose
                // data matches its format.
                let p = unsafe { &*(ev.data as *const lib::EventProperty) };
                if p.name.is_null() {
                    return Some(Ok(MpvEvent::Other));
                }
                // SAFETY: non-null NUL-terminated name.
                let name = unsafe { CStr::from_ptr(p.name) }
                    .to_string_lossy()
                    .into_owned();
                let value = match p.format {
                    // SAFETY: the format says what `data` points to.
                    lib::FORMAT_DOUBLE if !p.data.is_null() => {
                        Value::Double(unsafe { *(p.data as *const f64) })
                    }
                    lib::FORMAT_FLAG if !p.data.is_null() => {
                        Value::Flag(unsafe { *(p.data as *const i32) } != 0)
                    }
                    _ => Value::None,
                };
                MpvEvent::Property { name, value }
            }
            _ => MpvEvent::Other,
        };
        Some(Ok(out))
    }

    /// Calls `notify` (from mpv's threads) whenever events may be waiting.
    pub fn set_wakeup(&mut self, notify: Notify) {
        self.clear_wakeup();
        let ctx = Box::into_raw(Box::new(notify));
        self.wakeup = Some(ctx);
        // SAFETY: valid handle; `ctx` lives until `clear_wakeup`.
        unsafe {
            (self.api.set_wakeup_callback)(self.handle, Some(trampoline), ctx as *mut c_void)
        };
    }

    fn clear_wakeup(&mut self) {
        if let Some(ctx) = self.wakeup.take() {
            // mpv calls the callback under its wakeup lock, so once this
            // returns it is never called with the old context again.
            // SAFETY: valid handle.
            unsafe { (self.api.set_wakeup_callback)(self.handle, None, ptr::null_mut()) };
            // SAFETY: the box installed by `set_wakeup`, no longer reachable.
            drop(unsafe { Box::from_raw(ctx) });
        }
    }

    /// Creates the software render context. `notify` is called from mpv's
    /// threads whenever `SwRenderer::update` should be called.
    pub fn create_sw_renderer(&self, notify: Notify) -> Result<SwRenderer, i32> {
        let api = cstring("sw")?;
        let mut params = [
            RenderParam {
                type_: lib::RENDER_PARAM_API_TYPE,
                data: api.as_ptr() as *mut c_void,
            },
            RenderParam {
                type_: 0,
                data: ptr::null_mut(),
            },
        ];
        let mut ctx: *mut RenderContext = ptr::null_mut();
        // SAFETY: `params` is a 0-terminated array whose pointers (`api`)
        // outlive the call; the handle is valid while `self` lives.
        let err =
            unsafe { (self.api.render_context_create)(&mut ctx, self.handle, params.as_mut_ptr()) };
        if err < 0 || ctx.is_null() {
            return Err(err.min(-1));
        }
        // The box is leaked to mpv as the callback context and reclaimed in
        // `SwRenderer::drop`, after mpv can no longer call it.
        let cb_ctx = Box::into_raw(Box::new(notify));
        // SAFETY: `ctx` is a fresh valid context; `cb_ctx` stays valid until
        // the context is freed (see Drop).
        unsafe {
            (self.api.render_context_set_update_callback)(
                ctx,
                Some(trampoline),
                cb_ctx as *mut c_void,
            );
        }
        if let Ok(mut live) = self.liveness.live.lock() {
            *live += 1;
        }
        Ok(SwRenderer {
            api: self.api,
            ctx,
            cb_ctx,
            liveness: self.liveness.clone(),
        })
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if let Ok(mut live) = self.liveness.live.lock() {
            while *live > 0 {
                live = match self.liveness.cv.wait(live) {
                    Ok(l) => l,
                    Err(_) => break,
                };
            }
        }
        // The core thread may still wake us while it shuts down: the
        // callback goes before the handle.
        self.clear_wakeup();
        // SAFETY: the handle is valid and destroyed once; this is its only
        // client handle, so the core terminates.
        unsafe { (self.api.terminate_destroy)(self.handle) };
    }
}

unsafe extern "C" fn trampoline(cb_ctx: *mut c_void) {
    if cb_ctx.is_null() {
        return;
    }
    // SAFETY: `cb_ctx` is a `Box<Notify>` installed by `set_wakeup` or
    // `create_sw_renderer`, alive until its callback is removed.
    let notify = unsafe { &*(cb_ctx as *const Notify) };
    // A panic must not unwind into C.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| notify()));
}

/// A 64-byte aligned RGB0 pixel buffer: render.h asks for stride and pointer
/// to be multiples of 64, or mpv copies the whole frame once more.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Block([u8; 64]);

pub struct SwRenderer {
    api: &'static Api,
    ctx: *mut RenderContext,
    cb_ctx: *mut Notify,
    liveness: Arc<Liveness>,
}

// SAFETY: render.h allows mpv_render_* calls from any thread as long as only
// one runs at a time; all methods take `&mut self` and the type is not Sync.
unsafe impl Send for SwRenderer {}

/// Reusable render target.
#[derive(Default)]
pub struct SwSurface {
    blocks: Vec<Block>,
    width: u32,
    height: u32,
    stride: usize,
}

impl SwSurface {
    fn ensure(&mut self, width: u32, height: u32) {
        let stride = (width as usize * 4).div_ceil(64) * 64;
        let need = stride * height as usize / 64;
        if self.blocks.len() != need {
            self.blocks = vec![Block([0; 64]); need];
        }
        self.width = width;
        self.height = height;
        self.stride = stride;
    }

    /// The rendered image, row by row: `(width, height, stride, bytes)` in rgb0.
    pub fn bytes(&self) -> (u32, u32, usize, &[u8]) {
        // SAFETY: `Block` is 64 plain bytes with no padding, so the Vec's
        // storage is `len * 64` initialised bytes.
        let bytes = unsafe {
            std::slice::from_raw_parts(self.blocks.as_ptr() as *const u8, self.blocks.len() * 64)
        };
        (self.width, self.height, self.stride, bytes)
    }
}

impl SwRenderer {
    /// `mpv_render_context_update`: true if a new frame must be rendered.
    pub fn update(&mut self) -> bool {
        // SAFETY: valid context, called from the single render thread.
        let flags = unsafe { (self.api.render_context_update)(self.ctx) };
        flags & lib::RENDER_UPDATE_FRAME != 0
    }

    /// Renders the current video frame scaled (with black bars) into a
    /// `width` x `height` rgb0 surface.
    pub fn render(&mut self, surface: &mut SwSurface, width: u32, height: u32) -> Result<(), i32> {
        if width == 0 || height == 0 {
            return Ok(());
        }
        surface.ensure(width, height);
        let mut size = [width as i32, height as i32];
        let mut stride = surface.stride;
        let format = cstring("rgb0")?;
        let pointer = surface.blocks.as_mut_ptr() as *mut c_void;
        let mut params = [
            RenderParam {
                type_: lib::RENDER_PARAM_SW_SIZE,
                data: size.as_mut_ptr() as *mut c_void,
            },
            RenderParam {
                type_: lib::RENDER_PARAM_SW_FORMAT,
                data: format.as_ptr() as *mut c_void,
            },
            RenderParam {
                type_: lib::RENDER_PARAM_SW_STRIDE,
                data: &mut stride as *mut usize as *mut c_void,
            },
            RenderParam {
                type_: lib::RENDER_PARAM_SW_POINTER,
                data: pointer,
            },
            RenderParam {
                type_: 0,
                data: ptr::null_mut(),
            },
        ];
        // SAFETY: the surface holds `stride * height` writable bytes, 64-byte
        // aligned; every param pointer outlives the call.
        let err = unsafe { (self.api.render_context_render)(self.ctx, params.as_mut_ptr()) };
        if err < 0 {
            Err(err)
        } else {
            Ok(())
        }
    }
}

impl Drop for SwRenderer {
    fn drop(&mut self) {
        // SAFETY: the context is valid and freed exactly once; after
        // mpv_render_context_free returns mpv no longer calls the update
        // callback, so its context box can be reclaimed.
        unsafe {
            (self.api.render_context_set_update_callback)(self.ctx, None, ptr::null_mut());
            (self.api.render_context_free)(self.ctx);
            drop(Box::from_raw(self.cb_ctx));
        }
        if let Ok(mut live) = self.liveness.live.lock() {
            *live = live.saturating_sub(1);
        }
        self.liveness.cv.notify_all();
    }
}
