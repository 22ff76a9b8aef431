from __future__ import annotations

from pipeline.fusion import fuse


def test_fusion_rewards_agreement_between_rankings() -> None:
    assert fuse([[1, 2, 3], [2, 3, 1]]) == [2, 1, 3]
    assert fuse([[7, 1, 2], [1, 9]])[0] == 1  # second and first beats first and absent
    assert sorted(fuse([[1, 2], [3]])) == [1, 2, 3]


def test_ties_keep_the_order_the_rankings_first_name_them() -> None:
    assert fuse([["a", "b", "c"], ["c", "d"]]) == ["c", "a", "b", "d"]
    assert fuse([["a"], []]) == ["a"]
