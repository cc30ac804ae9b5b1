#ifndef PPLX_CFUZZERDRIVER_H
#define PPLX_CFUZZERDRIVER_H
/* libFuzzer's driver, for fuzz targets whose main is SwiftPM's renamed entry point (`<Target>_main`), not
   libFuzzer's own: the target's main calls this. Provided by libclang_rt.fuzzer when built with -sanitize=fuzzer. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
