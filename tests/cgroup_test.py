"""The Lambda-CPU bench's cgroup plumbing (bench/lambda_cpu.py), in seconds: a group at half a vCPU
(884 MB of 1769) makes a fixed CPU-bound loop about twice as slow, and the group is gone afterwards.
Skipped where cgroup v1's cpu controller is not writable (not root, or cgroup v2 only)."""

import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import lambda_cpu  # noqa: E402


@unittest.skipUnless(os.geteuid() == 0 and (lambda_cpu.CGROUP_ROOT / "cpu.cfs_quota_us").exists(),
                     "needs root and cgroup v1's cpu controller")
class CpuGroupTest(unittest.TestCase):
    def test_the_quota_follows_lambdas_memory_to_cpu_rule(self):
        self.assertEqual(lambda_cpu.quota_us(1769), 20_000)
        self.assertEqual(lambda_cpu.quota_us(128), 1447)
        self.assertEqual(lambda_cpu.quota_us(3008), 20_000, "one vCPU at most: the bench's function is single-threaded")

    def test_half_a_vcpu_makes_a_cpu_bound_loop_about_twice_as_slow_and_the_group_is_removed(self):
        # The best of three on each side: the loop is four CPU periods long, and one run on a busy
        # 2-core machine can lose a period on either side.
        plain = min(lambda_cpu.busy_loop_seconds(None, 600_000) for _ in range(3))
        group = lambda_cpu.CpuGroup(884)
        path = group.path
        try:
            self.assertEqual((path / "cpu.cfs_period_us").read_text().strip(), "20000")
            self.assertEqual((path / "cpu.cfs_quota_us").read_text().strip(), "9994")
            throttled = min(lambda_cpu.busy_loop_seconds(group, 600_000) for _ in range(3))
        finally:
            group.remove()
        self.assertFalse(path.exists(), "the group is removed")
        self.assertEqual(lambda_cpu.GROUPS, [])
        self.assertTrue(1.5 <= throttled / plain <= 2.8, f"{plain:.3f} s plain, {throttled:.3f} s at half a vCPU")


if __name__ == "__main__":
    unittest.main()
