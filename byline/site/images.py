"""Pictures: measure every referenced image, check it, and make its responsive renditions once.

Renditions are copied into the output and verified by digest, so nothing done to the cache changes a published file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

import PIL
from PIL import Image, ImageOps

from byline.content.models import Article, Page, Unfinished
from byline.errors import ContentError
from byline.parallel import fork_map

IMAGES_VERSION = "2"  # change when renditions or measurements could come out differently
RENDITION_WIDTHS = (400, 800, 1200, 1600)  # phone, tablet, desktop column, 2x desktop column
RENDITIONS_URL = "/static/renditions/"
MIN_LEAD_PIXELS = 50_000  # below this a lead image is blurred in cards and social previews
STATIC_URL = "/static/"
PARALLEL_MIN = 8  # renditions to make before worker processes pay for themselves
_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}  # raster formats given renditions
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_EXIF_ORIENTATION = 0x0112
_SVG_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


@dataclass(frozen=True)
class Rendition:
    """A smaller copy of an image, served beside the original for ``srcset``."""

    width: int
    height: int
    url: str  # a site path under RENDITIONS_URL
    cache_name: str  # its file name in the rendition cache


@dataclass(frozen=True)
class ImageInfo:
    """One image file as pages need it: size as displayed, and its renditions."""

    src: str  # the site path pages reference it by
    path: str  # the file on disk
    digest: str
    width: int | None  # None when the format has no pixel size Pillow can read (SVG without one)
    height: int | None
    format: str | None  # Pillow's format name, "SVG", or None

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)

    @property
    def renditions(self) -> list[Rendition]:
        """Renditions narrower than the original, for raster formats Pillow can write."""
        if self.format not in _FORMATS or not self.width or not self.height:
            return []
        suffix = _FORMATS[self.format]
        stem = re.sub(r"[^a-z0-9-]+", "-", Path(self.src).stem.lower()).strip("-")[:40] or "image"
        found = []
        for width in RENDITION_WIDTHS:
            if width >= self.width:
                break
            height = max(1, round(self.height * width / self.width))
            cache_name = f"{self.digest[:24]}-{width}{suffix}"
            url = f"{RENDITIONS_URL}{stem}-{width}w.{self.digest[:10]}{suffix}"
            found.append(Rendition(width, height, url, cache_name))
        return found


class Pictures(Protocol):
    """What finishing a body asks of the site's images: an ``ImageCatalog``, or a view that records each look-up."""

    def get(self, src: str | None) -> ImageInfo | None: ...


class ImageCatalog:
    """Every referenced image that exists, by the site path it is referenced with.

    ``responsive`` names those pages show (lead and inline images): only they get renditions;
    others, such as the publisher's logo, are only measured.
    """

    def __init__(self, images: dict[str, ImageInfo] | None = None, responsive: set[str] | None = None):
        self.images = images or {}
        self.responsive = set(self.images) if responsive is None else responsive

    def get(self, src: str | None) -> ImageInfo | None:
        return self.images.get(src) if src else None

    def renditions(self) -> Iterator[tuple[ImageInfo, Rendition]]:
        """Each distinct rendition once, in a stable order."""
        seen: set[str] = set()
        for info in sorted(self.images.values(), key=lambda i: i.src):
            if info.src not in self.responsive:
                continue
            for rendition in info.renditions:
                if rendition.url not in seen:
                    seen.add(rendition.url)
                    yield info, rendition


# --- measuring and checking -------------------------------------------------------------


def inspect_images(
    articles: Iterable[Article | Unfinished],
    pages: Iterable[Page | Unfinished],
    static: Mapping[str, Path],
    cache: Path,
    root: Path,
    extra: Iterable[tuple[str, str, int]] = (),
    fresh: bool = False,
    save: bool = True,
) -> tuple[ImageCatalog, list[ContentError]]:
    """Measure every lead and inline image of ``articles`` and ``pages``, and ``extra`` (src, file, line).

    A missing file is an error at the line naming it; ``save`` False remembers nothing (``check`` writes nothing).
    """
    memo = _Memo(cache / "sizes.json", fresh)
    references: list[tuple[str, str, int, bool]] = []  # src, source file, line, is lead
    for article in articles:
        if article.image:
            references.append((article.image, article.source, article.line("image"), True))
        references += [(src, article.source, 0, False) for src in article.body.images]
    for page in pages:
        references += [(src, page.source, 0, False) for src in page.body.images]
    shown = {src for src, _, _, _ in references}
    references += [(src, path, line, False) for src, path, line in extra]
    images: dict[str, ImageInfo] = {}
    problems: list[ContentError] = []
    for src, source, line, lead in references:
        if _is_remote(src):
            continue
        if src not in images:
            info, problem = _measure(src, static, memo)
            if info is None:
                problems.append(ContentError(source, line or _line_naming(root / source, src), problem))
                continue
            images[src] = info
        info = images[src]
        if lead and info.width and info.pixels < MIN_LEAD_PIXELS:
            message = (
                f"lead image {src} is {info.width}×{info.height} ({info.pixels:,} pixels); use one of at least "
                f"{MIN_LEAD_PIXELS:,} pixels (such as 1200×675) so it stays sharp in cards and social previews"
            )
            problems.append(ContentError(source, line, message, "warning"))
    if save:
        memo.save()
    return ImageCatalog(images, shown & set(images)), problems


def _is_remote(src: str) -> bool:
    return src.startswith(("http://", "https://", "//", "data:"))


def _measure(src: str, static: Mapping[str, Path], memo: _Memo) -> tuple[ImageInfo | None, str]:
    """Find and measure one image; on failure return None and why."""
    if not src.startswith(STATIC_URL):
        return None, f"image {src} is not under /static/: write image paths like /static/images/photo.jpg"
    relative = unquote(src.split("?", 1)[0].split("#", 1)[0]).removeprefix(STATIC_URL)
    path = static.get(posixpath.normpath(relative))  # as a browser resolves it: /static/./a.png is /static/a.png
    if path is None:
        return None, f"image {src} not found: no static/{relative} in the site or the theme"
    try:
        return memo.measure(src, path), ""
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return None, f"image {src} cannot be read: {exc}"


def _line_naming(path: Path, src: str) -> int:
    """The line of a source file where ``src`` is a picture's address; read only when reporting a problem.

    That is an ``src`` attribute with exactly that value, a Markdown image or link target,
    or a reference definition; a line merely containing the text (a title holding "x",
    for ``src="x"``) is the last resort.
    """
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    quoted = re.escape(src)
    address = re.compile(
        rf"""src\s*=\s*(?:"{quoted}"|'{quoted}'|{quoted}(?=[\s>/]|$))"""  # <img src="x">
        rf"""|\]\(\s*<?{quoted}>?(?=[\s)])"""  # ![alt](x) and ![alt](x "title")
        rf"""|^\s{{0,3}}\[[^\]]+\]:\s*<?{quoted}>?(?:\s|$)""",  # [ref]: x
        re.IGNORECASE,
    )
    found = next((n for n, line in enumerate(lines, start=1) if address.search(line)), None)
    return found or next((n for n, line in enumerate(lines, start=1) if src in line), 1)


class _Memo:
    """Measurements by file path, trusted while the file's size and modification time are unchanged."""

    def __init__(self, path: Path, fresh: bool):
        self.path = path
        self.entries: dict[str, list[object]] = {}
        self.changed = False
        if not fresh:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text("utf-8"))
                if data.get("version") == _memo_version():
                    self.entries = data["images"]

    def measure(self, src: str, path: Path) -> ImageInfo:
        stat = path.stat()
        key = str(path.resolve())
        entry = self.entries.get(key)
        if not (entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns):
            entry = _measured(path, stat)
            self.entries[key] = entry
            self.changed = True
        _, _, digest, width, height, fmt = entry
        return ImageInfo(src, key, str(digest), _int(width), _int(height), str(fmt) if fmt else None)

    def save(self) -> None:
        if not self.changed:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.path, json.dumps({"version": _memo_version(), "images": self.entries}).encode())


def _measured(path: Path, stat: os.stat_result) -> list[object]:
    """A memo entry: the size and time it is trusted by, then digest, width, height and format."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [stat.st_size, stat.st_mtime_ns, digest, *_read_size(path)]


def _memo_version() -> str:
    return f"{IMAGES_VERSION}|pillow={PIL.__version__}"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _read_size(path: Path) -> tuple[int | None, int | None, str | None]:
    """Width and height as displayed (EXIF rotation applied), and the format; SVG from its attributes."""
    if path.suffix.lower() == ".svg":
        return (*_svg_size(path), "SVG")
    with Image.open(path) as image:
        width, height = image.size
        orientation = image.getexif().get(_EXIF_ORIENTATION)
        fmt = image.format
    if orientation in _ROTATED:
        width, height = height, width
    return width, height, fmt


def _svg_size(path: Path) -> tuple[int | None, int | None]:
    """An SVG's size from width/height in pixels, else its viewBox; None when it declares neither."""
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except ElementTree.ParseError as exc:
        raise ValueError(f"not a well-formed SVG ({exc})") from None
    width, height = (_SVG_LENGTH.match(root.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = root.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        with contextlib.suppress(ValueError):
            return round(float(box[2])), round(float(box[3]))
    return None, None


# --- renditions ---------------------------------------------------------------------------


def rendition_folder(cache: Path) -> Path:
    """Where renditions are kept: a folder per rendition recipe, so a new recipe starts afresh."""
    return cache / f"r{IMAGES_VERSION}-pillow{PIL.__version__}"


class Renditions:
    """The rendition cache: each file, and the digest and size it had when it was made."""

    INDEX = "index.json"

    def __init__(self, folder: Path, fresh: bool = False):
        self.folder = folder
        self.made: dict[str, tuple[str, int]] = {}  # cache name -> (sha256 hex, size)
        if not fresh:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                data = json.loads((folder / self.INDEX).read_text("utf-8"))
                self.made = {str(k): (str(v[0]), int(v[1])) for k, v in data["made"].items()}
        self._changed = False

    def recorded(self, rendition: Rendition) -> tuple[str, int] | None:
        """The digest and size the cached rendition had when made; None if it was never made."""
        return self.made.get(rendition.cache_name)

    def read(self, info: ImageInfo, rendition: Rendition) -> tuple[bytes, str]:
        """The rendition's bytes and digest: the cached file when it still matches its digest, else made again."""
        path = self.folder / rendition.cache_name
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if self.recorded(rendition) == (digest, len(data)):
                return data, digest
        data = _write_rendition(Path(info.path), info.format or "", rendition, path)
        digest = hashlib.sha256(data).hexdigest()
        self.note(rendition.cache_name, digest, len(data))
        return data, digest

    def note(self, name: str, digest: str, size: int) -> None:
        self.made[name] = (digest, size)
        self._changed = True

    def save(self) -> None:
        if self._changed:
            with contextlib.suppress(OSError):
                _write_atomic(self.folder / self.INDEX, json.dumps({"made": self.made}).encode())
            self._changed = False


def make_renditions(catalog: ImageCatalog, cache: Path, jobs: int, fresh: bool = False) -> Renditions:
    """Make every rendition the cache lacks (all of them when ``fresh``), in the folder ``cache``."""
    renditions = Renditions(rendition_folder(cache), fresh)
    with contextlib.suppress(OSError):  # a read-only cache: each rendition is made as it is copied
        renditions.folder.mkdir(parents=True, exist_ok=True)
        _prune(renditions.folder.parent, keep=renditions.folder)
    wanted = [
        (info, r)
        for info, r in catalog.renditions()
        if fresh or renditions.recorded(r) is None or not (renditions.folder / r.cache_name).is_file()
    ]

    def job(indices: Sequence[int]) -> list[tuple[str, str, int]]:
        made = []
        for index in indices:
            info, rendition = wanted[index]
            target = renditions.folder / rendition.cache_name
            data = _write_rendition(Path(info.path), info.format or "", rendition, target)
            made.append((rendition.cache_name, hashlib.sha256(data).hexdigest(), len(data)))
        return made

    if wanted:
        for made in fork_map(job, len(wanted), jobs if len(wanted) >= PARALLEL_MIN else 1):
            for name, digest, size in made:
                renditions.note(name, digest, size)
    return renditions


def _write_rendition(source: Path, fmt: str, rendition: Rendition, target: Path) -> bytes:
    """Resize with Lanczos and save without metadata; same input and Pillow, same bytes. Returns the bytes."""
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original)
        if image.mode == "P" or (fmt == "JPEG" and image.mode not in ("RGB", "L")):
            image = image.convert("RGBA" if fmt != "JPEG" else "RGB")
        resized = image.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS)
    options: dict[str, dict[str, object]] = {
        "JPEG": {"quality": 82, "optimize": True, "progressive": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 80, "method": 4},
    }
    stream = io.BytesIO()
    resized.save(stream, format=fmt, **options[fmt])
    data = stream.getvalue()
    with contextlib.suppress(OSError):  # a cache that cannot be written only means making it again next time
        _write_atomic(target, data)
    return data


def _prune(folder: Path, keep: Path) -> None:
    """Drop rendition folders of older recipes: they can never be used again."""
    for child in folder.iterdir():
        if child.is_dir() and child != keep and child.name.startswith("r"):
            shutil.rmtree(child, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as stream:
        try:
            stream.write(data)
        except BaseException:
            os.unlink(stream.name)
            raise
    os.replace(stream.name, path)


# --- pages ----------------------------------------------------------------------------------


Link = Callable[[str], str]


def srcset(info: ImageInfo, link: Link) -> str | None:
    """The ``srcset`` of an image: its renditions and the original, each with its width."""
    renditions = info.renditions
    if not renditions or not info.width:
        return None
    parts = [f"{link(r.url)} {r.width}w" for r in renditions]
    parts.append(f"{link(info.src)} {info.width}w")
    return ", ".join(parts)
