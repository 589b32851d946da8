"""Scale a decoded picture straight into a buffer the caller owns (the wall's shared-memory slot).

PyAV's reformat allocates a new picture for every frame, and the worker then copied it into the slot: at 25 fps on
32 tiles that copy alone cost about as much as a tenth of the bare decode. libswscale can write into any memory, so
this calls it directly through ctypes, on the very library PyAV loaded (its wheel ships it beside the package, and
the packaged app keeps that layout). Where the library cannot be found or a frame is not a plain software picture,
`DirectScaler.scale` says no and the worker falls back to PyAV's reformat and a copy.

The conversion matches PyAV's: bilinear scaling, the frame's own colour matrix (BT.601 when it names none) and
range (limited unless it says full, or the format is a full-range "yuvj" one).

A YUV picture made smaller (to an even height) is scaled in two steps: the same bilinear filter from YUV to a
yuv422p picture of the tile's size, then libswscale's unscaled YUV-to-BGRA converter. Scaling straight to BGRA runs
the vertical filter inside the packed-RGB writer, which is far slower than the planar, vectorised path the two steps
take. Measured on the 2-core dev machine, one step against two: 640x360 to 272x156, 136 against 96 us; 1920x1080 to
272x156, 474 against 407 us; 1920x1080 to 960x540, 969 against 578 us. yuv422p keeps what BGRA output keeps of the
chroma (half the width, every row): the pictures match PyAV's one-step reformat to within 3 levels even on sharp
colour edges (yuv420p in between was no faster and lost colour rows: up to 129 levels off on 8-pixel colour blocks).
Pictures kept at their size or made larger go in one step, which is as cheap or cheaper there.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any

import av
import numpy as np

log = logging.getLogger("media.scaler")

SWS_BILINEAR = 2
_AVCOL_RANGE_JPEG = 2
_MAX_PLANES = 4
_ALIGN = 64  # bytes: rows and planes of the in-between picture start where libswscale's vector code wants them
#: Sources scaled down in two steps: the in-between yuv422p picture keeps what BGRA output keeps of their chroma
#: (libswscale writes packed RGB from chroma at half the width, on every row).
_TWO_STEP_SOURCES = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "nv12", "nv21"})


class _Library:
    """The few libswscale and libavutil entry points used, with their C signatures."""

    def __init__(self, swscale: ctypes.CDLL, avutil: ctypes.CDLL) -> None:
        self.get_cached_context = swscale.sws_getCachedContext
        self.get_cached_context.restype = ctypes.c_void_p
        self.get_cached_context.argtypes = [
            ctypes.c_void_p,  # context to reuse, or NULL
            ctypes.c_int,  # source width
            ctypes.c_int,  # source height
            ctypes.c_int,  # source AVPixelFormat
            ctypes.c_int,  # destination width
            ctypes.c_int,  # destination height
            ctypes.c_int,  # destination AVPixelFormat
            ctypes.c_int,  # flags
            ctypes.c_void_p,  # source filter
            ctypes.c_void_p,  # destination filter
            ctypes.c_void_p,  # parameters
        ]
        # Called twice per picture, so without argtypes: ctypes then converts nothing (0.36 against 1.09 us a call).
        # Callers pass the context as a c_void_p, the planes and strides as the ctypes arrays sws_scale takes
        # (int *, const uint8_t * const *), and the rows as small ints (C int).
        self.scale = swscale.sws_scale
        self.scale.restype = ctypes.c_int
        self.free_context = swscale.sws_freeContext
        self.free_context.restype = None
        self.free_context.argtypes = [ctypes.c_void_p]
        self.get_coefficients = swscale.sws_getCoefficients
        self.get_coefficients.restype = ctypes.c_void_p
        self.get_coefficients.argtypes = [ctypes.c_int]
        self.set_colorspace_details = swscale.sws_setColorspaceDetails
        self.set_colorspace_details.restype = ctypes.c_int
        self.set_colorspace_details.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,  # source coefficients
            ctypes.c_int,  # source range: 1 full, 0 limited
            ctypes.c_void_p,  # destination coefficients
            ctypes.c_int,  # destination range
            ctypes.c_int,  # brightness
            ctypes.c_int,  # contrast
            ctypes.c_int,  # saturation
        ]
        self.get_pix_fmt = avutil.av_get_pix_fmt
        self.get_pix_fmt.restype = ctypes.c_int
        self.get_pix_fmt.argtypes = [ctypes.c_char_p]
        self._formats: dict[str, int] = {}
        self._formats_lock = threading.Lock()

    def pixel_format(self, name: str) -> int:
        """FFmpeg's number for a pixel format of pictures in memory (-1 when unknown, or a hardware surface)."""
        number = self._formats.get(name)
        if number is None:
            number = int(self.get_pix_fmt(name.encode("ascii")))
            if number >= 0 and not av.VideoFormat(name).components:
                number = -1  # a GPU surface (vaapi, cuda, d3d11...): its planes are not pointers to pixels
            with self._formats_lock:
                self._formats[name] = number
        return number


def _library_dirs() -> list[Path]:
    """Where PyAV's wheel keeps its FFmpeg libraries: beside the package (av.libs on Linux and Windows wheels,
    av/.dylibs on macOS), in a virtual environment and in the packaged app alike."""
    package = Path(av.__file__).resolve().parent
    return [package.parent / "av.libs", package / ".dylibs"]


def _find(dirs: list[Path], stem: str) -> Path | None:
    patterns = {"win32": f"{stem}*.dll", "darwin": f"lib{stem}*.dylib"}
    pattern = patterns.get(sys.platform, f"lib{stem}*.so*")
    for folder in dirs:
        if folder.is_dir():
            found = sorted(folder.glob(pattern))
            if found:
                return found[0]
    return None


@cache
def library() -> _Library | None:
    """The libswscale PyAV uses, or None (then pictures go through PyAV's reformat and a copy)."""
    try:
        dirs = _library_dirs()
        swscale_path, avutil_path = _find(dirs, "swscale"), _find(dirs, "avutil")
        if swscale_path is None or avutil_path is None:
            log.info("libswscale not found beside PyAV; pictures are scaled by PyAV and copied")
            return None
        loaded = _Library(ctypes.CDLL(str(swscale_path)), ctypes.CDLL(str(avutil_path)))
    except (OSError, AttributeError) as err:
        log.info("libswscale cannot be called directly (%s); pictures are scaled by PyAV and copied", err)
        return None
    return loaded


class DirectScaler:
    """One camera's scaler (one worker thread uses it): frame in, BGRA pixels written at an address."""

    def __init__(self) -> None:
        self._lib = library()
        # The contexts, held as the c_void_p every libswscale call takes as it is (sws_scale has no argtypes).
        self._first: ctypes.c_void_p | None = None  # source to BGRA, or (two steps) to the in-between yuv422p
        self._second: ctypes.c_void_p | None = None  # two steps only: in-between picture to BGRA, same size
        self._setup: tuple[object, ...] | None = None
        self._bgra = self._lib.pixel_format("bgra") if self._lib is not None else -1
        self._yuv422p = self._lib.pixel_format("yuv422p") if self._lib is not None else -1
        self._src = (ctypes.c_void_p * _MAX_PLANES)()
        self._src_strides = (ctypes.c_int * _MAX_PLANES)()
        self._dst = (ctypes.c_void_p * _MAX_PLANES)()
        self._dst_strides = (ctypes.c_int * _MAX_PLANES)()
        self._mid_memory: np.ndarray | None = None  # owns the in-between picture's planes
        self._mid = (ctypes.c_void_p * _MAX_PLANES)()
        self._mid_strides = (ctypes.c_int * _MAX_PLANES)()

    @property
    def available(self) -> bool:
        """Whether direct scaling can be used at all here."""
        return self._lib is not None and self._bgra >= 0

    @property
    def two_step(self) -> bool:
        """Whether the current picture size is scaled in two steps (see the module's note)."""
        return self._second is not None

    def scale(self, frame: Any, width: int, height: int, address: int, stride: int) -> bool:
        """Write frame scaled to width x height as BGRA rows of stride bytes at address; False if it cannot."""
        lib = self._lib
        if lib is None:
            return False
        planes = frame.planes
        # What the contexts depend on, as the frame states it: worked out into FFmpeg's terms only when it changes.
        setup = (frame.width, frame.height, frame.format.name, width, height, frame.colorspace, frame.color_range)
        if setup != self._setup and not self._prepare(setup, len(planes)):
            return False
        src, src_strides = self._src, self._src_strides
        for i, plane in enumerate(planes):
            src[i] = plane.buffer_ptr
            src_strides[i] = plane.line_size
        self._dst[0] = address
        self._dst_strides[0] = stride
        first, second = self._first, self._second
        if second is None:
            return bool(lib.scale(first, src, src_strides, 0, frame.height, self._dst, self._dst_strides) == height)
        mid, mid_strides = self._mid, self._mid_strides
        if lib.scale(first, src, src_strides, 0, frame.height, mid, mid_strides) != height:
            return False
        return bool(lib.scale(second, mid, mid_strides, 0, height, self._dst, self._dst_strides) == height)

    def _prepare(self, setup: tuple[Any, ...], planes: int) -> bool:
        """Make the contexts (and the in-between picture) for a new source or size; False if libswscale refuses."""
        lib = self._lib
        assert lib is not None
        src_width, src_height, name, width, height, colorspace, color_range = setup
        source_format = lib.pixel_format(name)
        if source_format < 0 or planes > _MAX_PLANES:
            return False
        full_range = color_range == _AVCOL_RANGE_JPEG or name.startswith("yuvj")
        # The frame's colour matrix (sws_getCoefficients falls back to BT.601 for an unnamed one), as PyAV does.
        coefficients = lib.get_coefficients(int(colorspace))
        source_range = int(full_range)
        smaller = width * height < src_width * src_height
        # An odd height sends the second step down a slow path in libswscale (272x157: 145 us against 137 in one).
        two_step = smaller and height % 2 == 0 and name in _TWO_STEP_SOURCES and self._yuv422p >= 0
        first_format = self._yuv422p if two_step else self._bgra
        first = lib.get_cached_context(
            self._first, src_width, src_height, source_format, width, height, first_format, SWS_BILINEAR,
            None, None, None,
        )  # fmt: skip
        self._first = ctypes.c_void_p(first) if first else None
        if two_step:
            second = lib.get_cached_context(
                self._second, width, height, self._yuv422p, width, height, self._bgra, SWS_BILINEAR, None, None, None
            )
            self._second = ctypes.c_void_p(second) if second else None
        elif self._second is not None:
            lib.free_context(self._second)
            self._second = None
        if not first or (two_step and self._second is None):
            self.close()
            return False
        # BGRA comes out full range, converted as PyAV would the source; the in-between picture keeps the source's.
        lib.set_colorspace_details(
            first, coefficients, source_range, coefficients, source_range if two_step else 1, 0, 1 << 16, 1 << 16
        )
        if self._second is not None:
            lib.set_colorspace_details(self._second, coefficients, source_range, coefficients, 1, 0, 1 << 16, 1 << 16)
            self._allocate_mid(width, height)
        else:
            self._mid_memory = None
        self._setup = setup
        return True

    def _allocate_mid(self, width: int, height: int) -> None:
        """The in-between yuv422p picture: planes and rows start on 64-byte boundaries."""
        luma_stride = -(-width // _ALIGN) * _ALIGN
        chroma_stride = -(-((width + 1) // 2) // _ALIGN) * _ALIGN
        luma_size = luma_stride * height
        chroma_size = chroma_stride * height
        memory = np.zeros(luma_size + 2 * chroma_size + 4 * _ALIGN, np.uint8)
        base = -(-memory.ctypes.data // _ALIGN) * _ALIGN
        self._mid[0], self._mid[1], self._mid[2] = base, base + luma_size, base + luma_size + chroma_size
        self._mid_strides[0], self._mid_strides[1], self._mid_strides[2] = luma_stride, chroma_stride, chroma_stride
        self._mid_memory = memory

    def close(self) -> None:
        """Free the scaling contexts."""
        if self._lib is not None:
            for context in (self._first, self._second):
                if context:
                    self._lib.free_context(context)
        self._first = None
        self._second = None
        self._mid_memory = None
        self._setup = None

    def __del__(self) -> None:
        self.close()
