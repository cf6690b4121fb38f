"""The synthetic world: the population and everything about it that several variables share."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mdlang.datastore.samplegen.dates import year_of
from mdlang.datastore.samplegen.families import Unions, assign_parents, build_unions
from mdlang.datastore.samplegen.population import Population, build_population
from mdlang.datastore.samplegen.residence import build_residence, bydel_of
from mdlang.datastore.samplegen.spells import Spells


@dataclass
class World:
    """Everything built once and shared by the variable generators."""

    pop: Population
    unions: Unions
    residence: Spells
    bydel: np.ndarray
    cache: dict = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return self.pop.seed

    def cached(self, key: str, build):
        """Compute a shared intermediate once (education, incomes, …)."""
        if key not in self.cache:
            self.cache[key] = build(self)
        return self.cache[key]


def build_world(n: int, seed: int) -> World:
    """Population, unions, parents and residence."""
    pop = build_population(n, seed)
    unions = build_unions(pop)
    assign_parents(pop, unions)
    residence = build_residence(pop, unions)
    return World(pop=pop, unions=unions, residence=residence, bydel=bydel_of(pop))


def birth_year(world: World) -> np.ndarray:
    """Calendar year of birth per person (cached)."""
    return world.cached("birth_year", lambda w: year_of(w.pop.birth))


def pid_order(world: World) -> np.ndarray:
    """Person indices in ascending id order (cached): rows taken in this order need no sort."""
    return world.cached("pid_order", lambda w: np.argsort(w.pop.pid, kind="stable"))
