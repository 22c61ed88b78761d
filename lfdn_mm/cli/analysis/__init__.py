"""Benchmarks and studies: speed, size and memory against other models; equal-budget quality."""
