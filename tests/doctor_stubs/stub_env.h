/* Stub libraries for the doctor's tests: each behaves as the environment variables
 * STUB_* say, read at every call so one loaded stub serves many scenarios. */
#ifndef TOONBOX_DOCTOR_STUB_ENV_H_
#define TOONBOX_DOCTOR_STUB_ENV_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int stub_int(const char* name, int fallback) {
  const char* v = getenv(name);
  return v && *v ? atoi(v) : fallback;
}

static inline const char* stub_str(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v ? v : fallback;
}

/* STUB_CC="9.0" -> 9 and 0 */
static inline void stub_cc(int* major, int* minor) {
  const char* cc = stub_str("STUB_CC", "9.0");
  *major = atoi(cc);
  const char* dot = strchr(cc, '.');
  *minor = dot ? atoi(dot + 1) : 0;
}

static inline int stub_device_count(void) { return stub_int("STUB_DEVICE_COUNT", 1); }

/* Both stubs print the same UUID for device i, so the doctor can match them. */
static inline void stub_uuid_bytes(int index, unsigned char out[16]) {
  for (int i = 0; i < 16; ++i) out[i] = (unsigned char)(0xa0 + i);
  out[15] = (unsigned char)index;
}

#endif
