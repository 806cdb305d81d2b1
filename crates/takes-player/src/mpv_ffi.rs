//! The only `unsafe` code of the crate: mpv's software render API.
//!
//! `libmpv2` wraps the client API (properties, commands, events) safely but
//! only the OpenGL flavour of the render API, so the software renderer
//! (`MPV_RENDER_API_TYPE_SW`) is driven here through `libmpv2-sys`.
//!
//! Rules from `mpv/render.h` that this module enforces:
//! - the render context must be freed before the core is destroyed:
//!   [`CoreGuard`] wraps the `Mpv` handle and, on drop, waits until every
//!   [`SwRenderer`] made from it has been dropped (which frees the context);
//! - no mpv call inside the update callback: the callback only runs the
//!   caller's `notify` closure, which must just set a flag and wake a thread;
//! - render functions may run on any thread, one at a time: `SwRenderer` is
//!   `Send` but not `Sync`, and every method takes `&mut self`.

use std::ffi::{c_void, CString};
use std::ptr;
use std::sync::{Arc, Condvar, Mutex};

use libmpv2::Mpv;
use libmpv2_sys as sys;

/// What the update callback calls. Must not call into mpv and must return
/// quickly (mpv calls it from its own threads).
pub type Notify = Arc<dyn Fn() + Send + Sync + 'static>;

/// Counts live render contexts of one core so the core is not destroyed under them.
#[derive(Default)]
struct Liveness {
    live: Mutex<usize>,
    cv: Condvar,
}

/// Owns the mpv core handle; dropping it waits for all renderers to be gone
/// first (render.h: "You must free the context with mpv_render_context_free()
/// before the mpv core is destroyed").
pub struct CoreGuard {
    mpv: Option<Mpv>,
    liveness: Arc<Liveness>,
}

impl CoreGuard {
    pub fn new(mpv: Mpv) -> Self {
        Self {
            mpv: Some(mpv),
            liveness: Arc::default(),
        }
    }

    pub fn mpv(&self) -> &Mpv {
        // Only `drop` takes it out.
        self.mpv.as_ref().expect("mpv handle present until drop")
    }

    pub fn mpv_mut(&mut self) -> &mut Mpv {
        self.mpv.as_mut().expect("mpv handle present until drop")
    }

    /// Creates the software render context. `notify` is called from mpv's
    /// threads whenever `SwRenderer::update` should be called.
    pub fn create_sw_renderer(&self, notify: Notify) -> Result<SwRenderer, i32> {
        let api = CString::new("sw").expect("static string");
        let mut params = [
            sys::mpv_render_param {
                type_: sys::mpv_render_param_type_MPV_RENDER_PARAM_API_TYPE,
                data: api.as_ptr() as *mut c_void,
            },
            sys::mpv_render_param {
                type_: 0,
                data: ptr::null_mut(),
            },
        ];
        let mut ctx: *mut sys::mpv_render_context = ptr::null_mut();
        // SAFETY: `params` is a 0-terminated array whose pointers (`api`)
        // outlive the call; the mpv handle is valid while `self` lives.
        let err = unsafe {
            sys::mpv_render_context_create(&mut ctx, self.mpv().ctx.as_ptr(), params.as_mut_ptr())
        };
        if err < 0 || ctx.is_null() {
            return Err(err);
        }
        // The box is leaked to mpv as the callback context and reclaimed in
        // `SwRenderer::drop`, after mpv can no longer call it.
        let cb_ctx = Box::into_raw(Box::new(notify));
        // SAFETY: `ctx` is a fresh valid context; `cb_ctx` stays valid until
        // the context is freed (see Drop).
        unsafe {
            sys::mpv_render_context_set_update_callback(
                ctx,
                Some(update_trampoline),
                cb_ctx as *mut c_void,
            );
        }
        if let Ok(mut live) = self.liveness.live.lock() {
            *live += 1;
        }
        Ok(SwRenderer {
            ctx,
            cb_ctx,
            liveness: self.liveness.clone(),
        })
    }
}

impl Drop for CoreGuard {
    fn drop(&mut self) {
        if let Ok(mut live) = self.liveness.live.lock() {
            while *live > 0 {
                live = match self.liveness.cv.wait(live) {
                    Ok(l) => l,
                    Err(_) => break,
                };
            }
        }
        if let Some(mpv) = self.mpv.as_ref() {
            // libmpv2's `Drop` frees the wakeup closure before it calls
            // mpv_destroy, and the core thread may still wake us while it
            // shuts down: a use after free, seen as a segfault in the "mpv
            // core" thread at exit. mpv calls the callback under its wakeup
            // lock, so once this returns it is never called again.
            // SAFETY: the handle is alive (we still own it).
            unsafe { sys::mpv_set_wakeup_callback(mpv.ctx.as_ptr(), None, ptr::null_mut()) };
        }
        // `Mpv::drop` destroys the (last) handle, which terminates the core.
        drop(self.mpv.take());
    }
}

unsafe extern "C" fn update_trampoline(cb_ctx: *mut c_void) {
    if cb_ctx.is_null() {
        return;
    }
    // SAFETY: `cb_ctx` is the `Box<Notify>` installed in
    // `create_sw_renderer`, alive until the context is freed.
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
    ctx: *mut sys::mpv_render_context,
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
        let flags = unsafe { sys::mpv_render_context_update(self.ctx) };
        flags & sys::mpv_render_update_flag_MPV_RENDER_UPDATE_FRAME as u64 != 0
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
        let format = CString::new("rgb0").expect("static string");
        let pointer = surface.blocks.as_mut_ptr() as *mut c_void;
        let mut params = [
            sys::mpv_render_param {
                type_: sys::mpv_render_param_type_MPV_RENDER_PARAM_SW_SIZE,
                data: size.as_mut_ptr() as *mut c_void,
            },
            sys::mpv_render_param {
                type_: sys::mpv_render_param_type_MPV_RENDER_PARAM_SW_FORMAT,
                data: format.as_ptr() as *mut c_void,
            },
            sys::mpv_render_param {
                type_: sys::mpv_render_param_type_MPV_RENDER_PARAM_SW_STRIDE,
                data: &mut stride as *mut usize as *mut c_void,
            },
            sys::mpv_render_param {
                type_: sys::mpv_render_param_type_MPV_RENDER_PARAM_SW_POINTER,
                data: pointer,
            },
            sys::mpv_render_param {
                type_: 0,
                data: ptr::null_mut(),
            },
        ];
        // SAFETY: the surface holds `stride * height` writable bytes, 64-byte
        // aligned; every param pointer outlives the call.
        let err = unsafe { sys::mpv_render_context_render(self.ctx, params.as_mut_ptr()) };
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
            sys::mpv_render_context_set_update_callback(self.ctx, None, ptr::null_mut());
            sys::mpv_render_context_free(self.ctx);
            drop(Box::from_raw(self.cb_ctx));
        }
        if let Ok(mut live) = self.liveness.live.lock() {
            *live = live.saturating_sub(1);
        }
        self.liveness.cv.notify_all();
    }
}

/// libmpv's client API version as (major, minor), e.g. (2, 0) for mpv 0.35.
pub fn client_api_version() -> (u32, u32) {
    // SAFETY: no arguments, callable at any time.
    let v = unsafe { sys::mpv_client_api_version() };
    ((v >> 16) as u32, (v & 0xffff) as u32)
}

/// mpv's error string for an error code.
pub fn error_string(code: i32) -> String {
    sys::mpv_error_str(code).to_string()
}
