/* The libFuzzer entry point every target in fuzz/ defines; the standalone
 * driver (standalone.c) calls it for each file of a corpus. */
#ifndef QUAI_FUZZ_H
#define QUAI_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
