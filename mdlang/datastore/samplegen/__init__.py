"""Parts of the deterministic synthetic sample generator (see mdlang.datastore.sample).

The generator builds one coherent synthetic population (:mod:`.population`, :mod:`.families`,
:mod:`.residence`) and derives every variable of the two sample datastores from it:
``no.ssb.fdb`` (:mod:`.register`) and ``no.bergen.helseprofil`` (:mod:`.helseprofil`).
Everything is vectorised numpy; randomness comes from hashed per-purpose streams
(:mod:`.randomness`) so that a variable's values do not depend on which others are built.
"""

#: Bumped whenever the generated data change; part of the cache folder name.
GENERATOR_VERSION = "5"
