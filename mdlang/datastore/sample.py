"""The built-in synthetic sample datastores: ``no.ssb.fdb`` and ``no.bergen.helseprofil``.

* :func:`build_sample` writes both stores (version 1) into a datastore root.
* :func:`ensure_sample` returns the built-in sample root, building it on first use under a file
  lock (``$MDLANG_SAMPLE_DIR`` if set, else a per-user cache folder named by generator version
  and seed).
* :func:`cli_sample_data` implements ``mdlang sample-data``.

The same seed gives byte-identical Parquet files: all randomness comes from hashed per-purpose
streams of the seed, and the record-key secret is derived from the seed too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mdlang.datastore import layout
from mdlang.errors import DatastoreError, UsageError

DEFAULT_SEED = 20240601
#: About 100 000 Bergen residents and 50 000 elsewhere in 2024 (see docs/sample-datastores.md).
DEFAULT_PERSONS = 200_000
MIN_PERSONS = 2_000
SAMPLE_VERSION = 1
SAMPLE_NAMES = ("no.ssb.fdb", "no.bergen.helseprofil")
ENV_VAR = "MDLANG_SAMPLE_DIR"

Progress = Callable[[str, int, int], None]
#: A variable handed over whole with more rows than this is not built ahead of the writer.
BIG_FRAME_ROWS = 8_000_000


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) if base else Path.home() / ".cache"


def sample_root(seed: int = DEFAULT_SEED) -> Path:
    """Where the built-in sample lives (it may not be built yet)."""
    from mdlang.datastore.samplegen import GENERATOR_VERSION

    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return _cache_home() / "mdlang" / "sample" / f"{GENERATOR_VERSION}-{seed}"


def is_built(root: str | os.PathLike) -> bool:
    """Whether both sample stores exist under ``root``."""
    return all(
        (layout.version_dir(Path(root), n, SAMPLE_VERSION) / layout.MANIFEST).is_file()
        for n in SAMPLE_NAMES
    )


def _prefetched(items: Iterable, depth: int = 1) -> Iterator:
    """Run ``items`` in a helper thread, a little ahead of the consumer.

    Generating the next variable or chunk (numpy) overlaps with writing the current one (Parquet
    and zstd release the GIL), which nearly halves the build time on two cores. A variable given
    as an iterable of chunks is built chunk by chunk in the helper thread too, at most ``depth``
    chunks ahead, so memory stays bounded. The order of items and every value are unchanged, so
    builds stay byte-identical.
    """
    import queue
    import threading

    import pandas as pd

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    finished = [0]  # items the consumer has finished (written), counted by the consumer

    def put(message: tuple) -> bool:
        while not stop.is_set():
            try:
                q.put(message, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for sent, (meta, data) in enumerate(items, 1):
                if isinstance(data, pd.DataFrame):
                    if not put(("whole", meta, data)):
                        return
                    if len(data) > BIG_FRAME_ROWS:
                        # a big frame is written before the next item is made: two of them
                        # at once would double the peak memory of a national-scale build
                        del data
                        while finished[0] < sent and not stop.is_set():
                            time.sleep(0.02)
                    continue
                if not put(("begin", meta, None)):
                    return
                for chunk in data:
                    if not put(("chunk", None, chunk)):
                        return
                if not put(("end", None, None)):
                    return
            put(("done", None, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(("error", None, exc))

    def take() -> tuple:
        kind, meta, data = q.get()
        if kind == "error":
            raise data
        return kind, meta, data

    def chunks() -> Iterator:
        while True:
            kind, _, data = take()
            if kind == "end":
                return
            yield data

    worker = threading.Thread(target=produce, name="mdlang-sample", daemon=True)
    worker.start()
    try:
        while True:
            kind, meta, data = take()
            if kind == "done":
                return
            if kind == "whole" and len(data) > BIG_FRAME_ROWS:
                # handed over as a one-chunk iterable, so that nothing here or in the caller's
                # loop variable keeps the frame alive once it has been written
                holder = [data]
                del data
                yield meta, _handed_over(holder)
            elif kind == "whole":
                yield meta, data
                del data
            else:
                body = chunks()
                yield meta, body
                for _ in body:  # a consumer that stopped early: skip the rest of the variable
                    pass
            finished[0] += 1
    finally:
        stop.set()
        worker.join()


def _handed_over(holder: list) -> Iterator:
    """Yield the one frame in ``holder``, keeping no reference to it afterwards."""
    yield holder.pop()


def _counted(items: Iterable, name: str, total: int, progress: Progress | None) -> Iterator:
    for i, item in enumerate(items, 1):
        if progress is not None:
            progress(name, i, total)
        yield item


def build_sample(
    root: str | os.PathLike,
    persons: int | None = None,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Generate both sample stores into ``root`` and return their version folders.

    ``persons`` is the number of synthetic persons (default :data:`DEFAULT_PERSONS`). With
    ``force`` an existing version 1 of a sample store is replaced; without it, an existing one is
    an error (versions are immutable).
    """
    from mdlang.datastore.samplegen import helseprofil, register
    from mdlang.datastore.samplegen.catalogue import catalogue
    from mdlang.datastore.samplegen.randomness import secret_for
    from mdlang.datastore.samplegen.world import build_world
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    n = DEFAULT_PERSONS if persons is None else int(persons)
    if n < MIN_PERSONS:
        raise UsageError(
            f"--persons must be at least {MIN_PERSONS}, not {n}",
            hint="the sample needs families and cohorts to hold together",
        )
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_NAMES:
        target = layout.version_dir(root, name, SAMPLE_VERSION)
        if target.exists():
            if not force:
                raise DatastoreError(
                    f"{name}:{SAMPLE_VERSION} already exists in {root}",
                    hint="use --force to rebuild it",
                )
            shutil.rmtree(target)
    world = build_world(n, seed)
    secret = secret_for(seed)
    out = [
        write_version(
            root,
            register.NAME,
            SAMPLE_VERSION,
            _counted(
                _prefetched(register.variables(world)), register.NAME, len(catalogue()), progress
            ),
            policy_text=default_policy_text("register"),
            secret=secret,
            description=register.DESCRIPTION,
        ),
        write_version(
            root,
            helseprofil.NAME,
            SAMPLE_VERSION,
            _counted(_prefetched(helseprofil.variables(world)), helseprofil.NAME, 30, progress),
            policy_text=default_policy_text("health-survey"),
            secret=secret,
            description=helseprofil.DESCRIPTION,
        ),
    ]
    return out


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock on ``path`` (fcntl where available, else a lock file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None
    if fcntl is not None:
        with open(path, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return
    deadline = time.monotonic() + 3600  # pragma: no cover - Windows
    while True:  # pragma: no cover - Windows
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise DatastoreError(
                    f"timed out waiting for the sample lock {path}",
                    hint="remove the lock file if no build is running",
                ) from None
            time.sleep(1)
    try:  # pragma: no cover - Windows
        yield
    finally:  # pragma: no cover - Windows
        os.close(fd)
        os.unlink(path)


def ensure_sample(
    root: str | os.PathLike | None = None, *, progress: Progress | None = None
) -> Path:
    """The built-in sample root, generated on first use (one process builds, others wait)."""
    root = Path(root) if root is not None else sample_root()
    if is_built(root):
        return root
    lock = root.parent / f".{root.name}.lock"
    with _locked(lock):
        if is_built(root):
            return root
        if root.exists():
            # A root that exists (e.g. $MDLANG_SAMPLE_DIR) gets the missing stores, each atomically.
            for name in SAMPLE_NAMES:
                if not (layout.version_dir(root, name, SAMPLE_VERSION) / layout.MANIFEST).is_file():
                    shutil.rmtree(root / name, ignore_errors=True)
            build_sample(root, progress=progress)
            return root
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.building-", dir=root.parent))
        try:
            build_sample(tmp, progress=progress)
            os.rename(tmp, root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return root


class _TerminalProgress:
    """A one-line progress indication on standard error, only when it is a terminal."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.active:
            self.stream.write(f"\r  {name}: {min(done, total)}/{total} variables ")
            self.stream.flush()

    def end(self) -> None:
        if self.active:
            self.stream.write("\n")


def cli_sample_data(args) -> int:
    """``mdlang sample-data [--persons N] [--out DIR] [--seed S] [--force]``."""
    seed = int(getattr(args, "seed", DEFAULT_SEED))
    persons = getattr(args, "persons", None)
    out = getattr(args, "out", None)
    force = bool(getattr(args, "force", False))
    progress = _TerminalProgress()
    if out is None:
        root = sample_root(seed)
        if is_built(root) and not force and persons is None:
            sys.stdout.write(f"the sample datastores are already built in {root}\n")
            return 0
        if is_built(root) or force or persons is not None:
            with _locked(root.parent / f".{root.name}.lock"):
                build_sample(root, persons, seed, force=True, progress=progress)
        else:
            ensure_sample(root, progress=progress)
    else:
        root = Path(out)
        build_sample(root, persons, seed, force=force, progress=progress)
    progress.end()
    sys.stdout.write(
        f"wrote {', '.join(f'{n}:{SAMPLE_VERSION}' for n in SAMPLE_NAMES)} to {root}\n"
    )
    return 0
