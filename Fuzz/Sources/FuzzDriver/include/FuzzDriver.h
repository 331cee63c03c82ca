#ifndef STRATA_FUZZ_DRIVER_H
#define STRATA_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver with `argv` and the test function `test`.
/// SwiftPM on Linux links an executable target's entry point as
/// `<Module>_main` (it renames `main` so tests can link the module), so a
/// fuzz target cannot simply rely on libFuzzer's own `main`: each target
/// defines `<Module>_main` and calls this instead.
int strata_fuzz_run(int argc, char **argv, int (*test)(const uint8_t *data, size_t size));

#endif
