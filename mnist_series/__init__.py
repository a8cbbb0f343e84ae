"""The machinery around the 'Beating MNIST' notebooks; no notebook loads it.

Running the series and checking its notebook pairs (`series`), the
generated blocks of the README and docs/ (`report`), the decks and their
checks in Chromium (`slides`, `browser`), presenting live (`present`), the
talk's cut (`cut`), the locks (`lock`), the timings (`backends`, `bench`)
and the search for the final recipe (`search`). Each runs as
`python -m mnist_series.NAME`, mostly through `make`.

Nothing happens at import, and this file imports nothing: `make` runs
`python -m mnist_series.lock` with the Python that builds the venv, before
any venv exists, so that module and what it imports use the standard
library only.
"""
