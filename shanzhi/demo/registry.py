"""Domain capabilities' demo data, loaded by ``shanzhi demo`` after the registry, grids and events.

Each app registers a loader in its ``AppConfig.ready``; loaders run in ``order`` and must be idempotent (a second
``shanzhi demo`` adds nothing). A loader gets the scale ("small" or "county"), the seed and ``say`` to print one
line of progress, and creates its data through its own services (or, for bulk history at county scale, its own
bulk loader), never through another app's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLoader:
    name: str
    order: int
    load: Callable[..., None]  # load(*, scale: str, seed: int, say: Callable[[str], None]) -> None


_LOADERS: dict[str, DemoLoader] = {}


def register(name: str, load: Callable[..., None], *, order: int = 100) -> None:
    """Add (or replace, on a second ``ready``) the demo loader called ``name``."""
    _LOADERS[name] = DemoLoader(name=name, order=order, load=load)


def loaders() -> list[DemoLoader]:
    return sorted(_LOADERS.values(), key=lambda loader: (loader.order, loader.name))
