"""batch_collections raises the collector's first threshold for a block and always puts it back."""

from __future__ import annotations

import gc

import pytest

from xl_tools.gcpolicy import BATCH_THRESHOLD, batch_collections


@pytest.fixture(autouse=True)
def default_thresholds():
    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*old)


def test_raised_inside_and_restored_after():
    with batch_collections():
        assert gc.get_threshold() == (BATCH_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_when_the_block_raises():
    with pytest.raises(ValueError):
        with batch_collections():
            raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_blocks_restore_only_at_the_outermost():
    with batch_collections():
        with batch_collections():
            assert gc.get_threshold()[0] == BATCH_THRESHOLD
        assert gc.get_threshold()[0] == BATCH_THRESHOLD     # the inner block did not lower it early
    assert gc.get_threshold() == (700, 10, 10)


def test_collection_turned_off_by_the_caller_stays_off():
    gc.set_threshold(0)
    with batch_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold()[0] == 0


def test_cycles_are_still_collected_inside():
    import weakref

    class Node:
        pass

    with batch_collections():
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
        gc.collect()
        assert probe() is None


def test_batch_entry_points_leave_the_thresholds_as_they_found_them(tmp_path):
    from hostile_fixtures import seed_city_workbooks

    from xl_tools.jobs import check_and_consolidate_paths
    from xl_tools.jobs.validate import validate_files

    cities = seed_city_workbooks(tmp_path / "seed")
    validate_files(cities)
    check_and_consolidate_paths(cities, tmp_path / "汇总.xlsx")
    assert gc.get_threshold() == (700, 10, 10)
