// Intentionally empty: this package only exists so that cargo downloads the C sources of its
// dependencies (see Cargo.toml). Nothing here is compiled by the benchmark.
