"""kefu's benchmarks: `make bench` writes figures to docs/benchmarks.md and bench/results/."""
