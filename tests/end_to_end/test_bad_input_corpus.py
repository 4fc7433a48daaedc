"""`valgus analyze` on a corpus of broken and hostile inputs (tests/support/corpus.py).

Every input must end in a normal analysis or one clear ``valgus: error:`` line
with its own exit code: never a traceback, never a hang. The corpus is built
in a temp folder and each case runs in its own process with a timeout, two at
a time.
"""

from __future__ import annotations

import pytest

from tests.support.corpus import cases, judge, run_corpus, sample_clip
from tests.support.paths import SHARED_VIDEOS

pytestmark = pytest.mark.slow

_ALL = cases(SHARED_VIDEOS / "placeholder.mp4", SHARED_VIDEOS)
PARAMS = [
    pytest.param(c.name, marks=pytest.mark.xfail(strict=True, reason=c.xfail))
    if c.xfail
    else c.name
    for c in _ALL
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    built = cases(sample_clip(folder), SHARED_VIDEOS)
    usable = [c for c in built if SHARED_VIDEOS.is_dir() or not c.needs_shared]
    return {c.name: c for c in built}, run_corpus(usable, folder)


def test_the_corpus_is_big_and_names_are_unique():
    names = [c.name for c in _ALL]
    assert len(names) >= 15
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", PARAMS)
def test_input_ends_in_a_clear_outcome(corpus, name):
    by_name, outcomes = corpus
    if name not in outcomes:
        pytest.skip("needs ../shared/videos")
    problem = judge(by_name[name], outcomes[name])
    assert problem == "", problem
